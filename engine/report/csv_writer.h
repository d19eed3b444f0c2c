// CSV for French spreadsheets (docs/api.md, exports): UTF-8 with a byte
// order mark (so Excel reads the accents), ';' between fields, CRLF line
// ends, fields quoted when they hold ';', '"', CR or LF (RFC 4180 quoting).
// Numbers use the language's decimal mark (',' in French, '.' in English).
// A text cell that a spreadsheet would take for a formula (starting with
// '=', '+', '-', '@', tab or CR) is prefixed with "'" (OWASP's CSV
// injection advice): titles typed by people are never run.
//
// Thread-safety: stateless.
#pragma once

#include <string>
#include <string_view>

#include "engine/report/table.h"

namespace relais::report {

// lang: "fr" or "en" (the decimal mark).
std::string WriteCsv(const Table& table, std::string_view lang);

// A number as the language writes it: integers without decimals, others with
// up to 6 significant decimals, no exponent.
std::string FormatNumber(double value, std::string_view lang);

}  // namespace relais::report
