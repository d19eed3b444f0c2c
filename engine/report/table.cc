#include "engine/report/table.h"

#include <iterator>

namespace relais::report {

void PrependColumn(Table& table, const std::string& header, const std::string& value) {
  table.columns.insert(table.columns.begin(), header);
  for (std::vector<Cell>& row : table.rows) row.insert(row.begin(), Cell(value));
}

void AppendRows(Table& to, Table&& from) {
  to.rows.insert(to.rows.end(), std::make_move_iterator(from.rows.begin()), std::make_move_iterator(from.rows.end()));
}

}  // namespace relais::report
