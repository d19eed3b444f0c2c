// ReadTable: an export's bytes read back by tests/report/read_table.py
// (Python's csv module for CSV, openpyxl for XLSX), as JSON
// {"bom", "sheets": {name: rows}}; null when the reader failed (the test
// then fails on the shape).
#pragma once

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "engine/util/json.h"

namespace relais::report::testing {

inline Json ReadTable(const std::string& bytes, const std::string& extension) {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("relais-read-table-" + std::to_string(::getpid()) + "." + extension))
          .string();
  std::ofstream(path, std::ios::binary) << bytes;
  // Debian's python3-openpyxl is installed for the system's Python, not a pyenv shim.
  const std::string python = std::filesystem::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  const std::string command = python + " " RELAIS_SOURCE_DIR "/tests/report/read_table.py " + path;
  std::string out;
  if (FILE* pipe = ::popen(command.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
    ::pclose(pipe);
  }
  std::filesystem::remove(path);
  return Json::parse(out, nullptr, false);
}

}  // namespace relais::report::testing
