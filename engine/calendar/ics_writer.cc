#include "engine/calendar/ics_writer.h"

namespace relais::calendar {

std::string EscapeIcsText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    switch (c) {
      case '\\': out += "\\\\"; break;
      case ';': out += "\\;"; break;
      case ',': out += "\\,"; break;
      case '\r':
        if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
        out += "\\n";
        break;
      case '\n': out += "\\n"; break;
      default:
        // Other control characters are not allowed in TEXT: drop them.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t') break;
        out += c;
    }
  }
  return out;
}

std::string FoldIcsLine(std::string_view line) {
  constexpr size_t kMaxOctets = 75;
  std::string out;
  size_t pos = 0;
  size_t limit = kMaxOctets;  // the first line has 75 octets, the others 74 after the space
  while (line.size() - pos > limit) {
    size_t cut = pos + limit;
    // Never split a UTF-8 sequence: back up over continuation bytes.
    while (cut > pos && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80) --cut;
    out.append(line.substr(pos, cut - pos));
    out += "\r\n ";
    pos = cut;
    limit = kMaxOctets - 1;
  }
  out.append(line.substr(pos));
  out += "\r\n";
  return out;
}

void IcsWriter::Line(std::string_view name, std::string_view value) {
  std::string line;
  line.reserve(name.size() + value.size() + 1);
  line.append(name);
  line += ':';
  line.append(value);
  out_ += FoldIcsLine(line);
}

void IcsWriter::ParisTimezone() {
  Begin("VTIMEZONE");
  Line("TZID", "Europe/Paris");
  Begin("DAYLIGHT");
  Line("TZOFFSETFROM", "+0100");
  Line("TZOFFSETTO", "+0200");
  Line("TZNAME", "CEST");
  Line("DTSTART", "19700329T020000");
  Line("RRULE", "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU");
  End("DAYLIGHT");
  Begin("STANDARD");
  Line("TZOFFSETFROM", "+0200");
  Line("TZOFFSETTO", "+0100");
  Line("TZNAME", "CET");
  Line("DTSTART", "19701025T030000");
  Line("RRULE", "FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU");
  End("STANDARD");
  End("VTIMEZONE");
}

}  // namespace relais::calendar
