// Table: rows of cells under named columns, the shape every export takes
// before it is written as CSV (csv_writer.h) or XLSX (xlsx_writer.h).
//
// Thread-safety: a plain value.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace relais::report {

// Empty, text, a number (written as a number, so a spreadsheet sums it).
using Cell = std::variant<std::monostate, std::string, double>;

struct Table {
  std::string name;                  // the sheet's name: "Actions", "Indicateurs"...
  std::vector<std::string> columns;  // header row, in the caller's language
  std::vector<std::vector<Cell>> rows;
};

// A first column header holding value on every row (the programme of a
// network's export).
void PrependColumn(Table& table, const std::string& header, const std::string& value);
// from's rows after to's (same columns).
void AppendRows(Table& to, Table&& from);

}  // namespace relais::report
