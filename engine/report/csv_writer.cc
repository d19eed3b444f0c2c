#include "engine/report/csv_writer.h"

#include <cmath>
#include <cstdio>

namespace relais::report {
namespace {

constexpr std::string_view kBom = "\xEF\xBB\xBF";
constexpr char kSeparator = ';';

bool LooksLikeFormula(const std::string& text) {
  return !text.empty() &&
         (text[0] == '=' || text[0] == '+' || text[0] == '-' || text[0] == '@' || text[0] == '\t' || text[0] == '\r');
}

void AppendField(std::string& out, const std::string& text) {
  const bool quote = text.find_first_of(";\"\r\n") != std::string::npos;
  if (!quote) {
    out += text;
    return;
  }
  out += '"';
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void AppendCell(std::string& out, const Cell& cell, std::string_view lang) {
  if (const auto* text = std::get_if<std::string>(&cell)) {
    AppendField(out, LooksLikeFormula(*text) ? "'" + *text : *text);
  } else if (const auto* number = std::get_if<double>(&cell)) {
    out += FormatNumber(*number, lang);
  }
}

void AppendRow(std::string& out, const std::vector<Cell>& row, std::string_view lang) {
  for (size_t i = 0; i < row.size(); ++i) {
    if (i) out += kSeparator;
    AppendCell(out, row[i], lang);
  }
  out += "\r\n";
}

}  // namespace

std::string FormatNumber(double value, std::string_view lang) {
  if (!std::isfinite(value)) return "";
  char buf[64];
  if (value == std::floor(value) && std::fabs(value) < 1e15) {
    std::snprintf(buf, sizeof buf, "%.0f", value);
    return buf;
  }
  std::snprintf(buf, sizeof buf, "%.6f", value);
  std::string text = buf;
  while (!text.empty() && text.back() == '0') text.pop_back();
  if (lang == "fr")
    for (char& c : text)
      if (c == '.') c = ',';
  return text;
}

std::string WriteCsv(const Table& table, std::string_view lang) {
  std::string out(kBom);
  std::vector<Cell> header(table.columns.begin(), table.columns.end());
  AppendRow(out, header, lang);
  for (const std::vector<Cell>& row : table.rows) AppendRow(out, row, lang);
  return out;
}

}  // namespace relais::report
