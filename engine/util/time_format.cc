#include "engine/util/time_format.h"

#include <chrono>
#include <cstdio>

namespace relais {

std::string FormatIso8601(TimePoint t) {
  using namespace std::chrono;
  auto day = floor<days>(t);
  year_month_day ymd{day};
  hh_mm_ss<microseconds> hms{t - day};
  const int y = int(ymd.year());
  if (y >= 0 && y <= 9999) {  // the usual case, without snprintf's format parsing (timers, effects)
    char out[] = "0000-00-00T00:00:00.000000Z";
    auto put = [&out](size_t at, int64_t value, int width) {
      for (int i = width - 1; i >= 0; --i, value /= 10) out[at + i] = char('0' + value % 10);
    };
    put(0, y, 4);
    put(5, unsigned(ymd.month()), 2);
    put(8, unsigned(ymd.day()), 2);
    put(11, hms.hours().count(), 2);
    put(14, hms.minutes().count(), 2);
    put(17, hms.seconds().count(), 2);
    put(20, hms.subseconds().count(), 6);
    return std::string(out, sizeof out - 1);
  }
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%06lldZ", int(ymd.year()), unsigned(ymd.month()),
                unsigned(ymd.day()), int(hms.hours().count()), int(hms.minutes().count()), int(hms.seconds().count()),
                static_cast<long long>(hms.subseconds().count()));
  return buf;
}

StatusOr<TimePoint> ParseIso8601(std::string_view text) {
  using namespace std::chrono;
  auto bad = [&] {
    return InvalidArgument("bad timestamp '" + std::string(text) +
                           "': expected YYYY-MM-DDTHH:MM:SS[.ffffff]Z or an offset like +01:00");
  };
  auto digits = [&](size_t pos, size_t n, int& out) {
    if (pos + n > text.size()) return false;
    out = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      out = out * 10 + (text[i] - '0');
    }
    return true;
  };
  int y, mo, d, h, mi, s;
  if (!digits(0, 4, y) || text.size() < 19 || text[4] != '-' || !digits(5, 2, mo) || text[7] != '-' ||
      !digits(8, 2, d) || (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || !digits(11, 2, h) ||
      text[13] != ':' || !digits(14, 2, mi) || text[16] != ':' || !digits(17, 2, s))
    return bad();
  year_month_day ymd{year(y), month(unsigned(mo)), day(unsigned(d))};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return bad();
  size_t pos = 19;
  int64_t micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int n = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (n < 6) micros = micros * 10 + (text[pos] - '0');
      ++n;
      ++pos;
    }
    if (n == 0) return bad();
    for (int i = n; i < 6; ++i) micros *= 10;
  }
  int offset_minutes = 0;
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh, om;
    if (!digits(pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' || !digits(pos + 4, 2, om))
      return bad();
    offset_minutes = (oh * 60 + om) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return bad();
  }
  if (pos != text.size()) return bad();
  TimePoint t = sys_days(ymd) + hours(h) + minutes(mi) + seconds(s) + microseconds(micros);
  return t - minutes(offset_minutes);
}

}  // namespace relais
