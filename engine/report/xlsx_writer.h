// XLSX through libxlsxwriter (Debian's libxlsxwriter-dev; README): one sheet
// per table, a bold header row frozen at the top with an autofilter, numbers
// as numbers, columns sized to their text. libxlsxwriter 1.1.4 writes to a
// file only: the workbook is written to a temporary file in tmp_dir, read
// back and removed.
//
// Thread-safety: stateless; each call uses its own temporary file.
#pragma once

#include <string>
#include <vector>

#include "engine/report/table.h"
#include "engine/util/status.h"

namespace relais::report {

// The .xlsx bytes. Errors: kInternal naming libxlsxwriter's error or the
// file that could not be read.
StatusOr<std::string> WriteXlsx(const std::vector<Table>& sheets, const std::string& tmp_dir);

}  // namespace relais::report
