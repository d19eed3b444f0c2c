// IcsWriter: builds RFC 5545 iCalendar text: CRLF line endings, content lines
// folded at 75 octets (never inside a UTF-8 sequence), TEXT values escaped,
// and the VTIMEZONE of Europe/Paris (the EU rule of paris_time.h).
//
// Thread-safety: an IcsWriter is a plain builder; use one per thread.
#pragma once

#include <string>
#include <string_view>

namespace relais::calendar {

// Escapes a TEXT value: backslash, ';', ',' and newlines (RFC 5545 3.3.11).
std::string EscapeIcsText(std::string_view text);

// Folds one unfolded content line (without CRLF) into lines of at most 75
// octets, each continuation starting with a space; appends CRLF.
std::string FoldIcsLine(std::string_view line);

class IcsWriter {
 public:
  // Writes "name:value" (name may carry parameters: "DTSTART;TZID=Europe/Paris").
  // value is written as is: escape TEXT values with EscapeIcsText first.
  void Line(std::string_view name, std::string_view value);
  void Begin(std::string_view component) { Line("BEGIN", component); }
  void End(std::string_view component) { Line("END", component); }
  // BEGIN:VTIMEZONE ... END:VTIMEZONE for TZID Europe/Paris.
  void ParisTimezone();

  const std::string& text() const { return out_; }

 private:
  std::string out_;
};

}  // namespace relais::calendar
