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

}  // namespace relais::report
