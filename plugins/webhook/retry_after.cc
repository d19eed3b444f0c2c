#include "plugins/webhook/retry_after.h"

#include <array>
#include <cstdio>
#include <string>

namespace relais::plugins::webhook {

namespace {

constexpr size_t kMaxDigits = 9;  // about 31 years: longer is not a delay anyone means

std::optional<std::chrono::seconds> DelaySeconds(std::string_view value) {
  if (value.empty() || value.size() > kMaxDigits) return std::nullopt;
  long seconds = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    seconds = seconds * 10 + (c - '0');
  }
  return std::chrono::seconds(seconds);
}

// IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
std::optional<std::chrono::system_clock::time_point> ImfFixdate(std::string_view value) {
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (value.size() != 29 || value.substr(3, 2) != ", " || value.substr(25) != " GMT") return std::nullopt;
  const std::string text(value);
  int day = 0, year = 0, hour = 0, minute = 0, second = 0;
  char month_name[4] = {};
  int consumed = 0;
  if (std::sscanf(text.c_str() + 5, "%2d %3c %4d %2d:%2d:%2d GMT%n", &day, month_name, &year, &hour, &minute, &second,
                  &consumed) != 6 ||
      consumed != 24) {
    return std::nullopt;
  }
  int month = 0;
  for (size_t i = 0; i < kMonths.size(); ++i)
    if (std::string_view(month_name, 3) == kMonths[i]) month = static_cast<int>(i) + 1;
  if (month == 0 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  const std::chrono::year_month_day date(std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                                         std::chrono::day(static_cast<unsigned>(day)));
  if (!date.ok()) return std::nullopt;
  return std::chrono::system_clock::time_point(std::chrono::sys_days(date)) + std::chrono::hours(hour) +
         std::chrono::minutes(minute) + std::chrono::seconds(second);
}

}  // namespace

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value, std::chrono::system_clock::time_point now) {
  if (auto delay = DelaySeconds(value)) return delay;
  auto at = ImfFixdate(value);
  if (!at) return std::nullopt;
  if (*at <= now) return std::chrono::seconds(0);
  return std::chrono::ceil<std::chrono::seconds>(*at - now);
}

}  // namespace relais::plugins::webhook
