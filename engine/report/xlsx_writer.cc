#include "engine/report/xlsx_writer.h"

#include <unistd.h>
#include <xlsxwriter.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace relais::report {
namespace {

constexpr size_t kMaxSheetName = 31;  // Excel's limit
constexpr double kMinWidth = 8, kMaxWidth = 60;

// Characters, not bytes: a column of accented text is not sized twice.
size_t Utf8Length(const std::string& s) {
  return static_cast<size_t>(std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string SheetName(const std::string& name) {
  std::string out;
  size_t chars = 0;
  for (char c : name) {
    if (std::string_view("[]:*?/\\").find(c) != std::string_view::npos) continue;
    const bool starts_char = (c & 0xC0) != 0x80;
    if (starts_char && chars == kMaxSheetName) break;
    chars += starts_char;
    out += c;
  }
  return out.empty() ? "Sheet" : out;
}

Status WriteSheet(lxw_workbook* book, const Table& t, lxw_format* bold) {
  lxw_worksheet* sheet = workbook_add_worksheet(book, SheetName(t.name).c_str());
  if (!sheet) return Internal("libxlsxwriter: cannot add sheet '" + t.name + "'");
  std::vector<double> width(t.columns.size(), kMinWidth);
  for (size_t c = 0; c < t.columns.size(); ++c) {
    worksheet_write_string(sheet, 0, static_cast<lxw_col_t>(c), t.columns[c].c_str(), bold);
    width[c] = std::max(width[c], static_cast<double>(Utf8Length(t.columns[c])) + 2);
  }
  for (size_t r = 0; r < t.rows.size(); ++r) {
    const auto row = static_cast<lxw_row_t>(r + 1);
    for (size_t c = 0; c < t.rows[r].size() && c < t.columns.size(); ++c) {
      const auto col = static_cast<lxw_col_t>(c);
      if (const auto* text = std::get_if<std::string>(&t.rows[r][c])) {
        worksheet_write_string(sheet, row, col, text->c_str(), nullptr);
        width[c] = std::max(width[c], static_cast<double>(Utf8Length(*text)) + 1);
      } else if (const auto* number = std::get_if<double>(&t.rows[r][c])) {
        worksheet_write_number(sheet, row, col, *number, nullptr);
      }
    }
  }
  for (size_t c = 0; c < width.size(); ++c)
    worksheet_set_column(sheet, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), std::min(width[c], kMaxWidth),
                         nullptr);
  worksheet_freeze_panes(sheet, 1, 0);
  if (!t.columns.empty())
    worksheet_autofilter(sheet, 0, 0, static_cast<lxw_row_t>(t.rows.size()),
                         static_cast<lxw_col_t>(t.columns.size() - 1));
  return Status::Ok();
}

}  // namespace

StatusOr<std::string> WriteXlsx(const std::vector<Table>& sheets, const std::string& tmp_dir) {
  std::string path = (std::filesystem::path(tmp_dir) / "relais-export-XXXXXX").string();
  const int fd = mkstemp(path.data());
  if (fd < 0) return Internal("cannot create a temporary file in " + tmp_dir);
  ::close(fd);
  struct Remove {
    std::string path;
    ~Remove() { std::filesystem::remove(path); }
  } remove{path};
  lxw_workbook_options options{};
  options.constant_memory = LXW_FALSE;
  options.tmpdir = const_cast<char*>(tmp_dir.c_str());
  lxw_workbook* book = workbook_new_opt(path.c_str(), &options);
  if (!book) return Internal("libxlsxwriter: cannot open a workbook at " + path);
  lxw_format* bold = workbook_add_format(book);
  format_set_bold(bold);
  for (const Table& t : sheets) {
    Status s = WriteSheet(book, t, bold);
    if (!s.ok()) {
      workbook_close(book);
      return s;
    }
  }
  const lxw_error closed = workbook_close(book);
  if (closed != LXW_NO_ERROR) return Internal(std::string("libxlsxwriter: ") + lxw_strerror(closed));
  std::ifstream in(path, std::ios::binary);
  if (!in) return Internal("cannot read back " + path);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace relais::report
