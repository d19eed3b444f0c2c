// CSV for French spreadsheets: BOM, ';', CRLF, RFC 4180 quoting, decimal
// comma, formulas defused; checked byte for byte and through Python's csv.
#include "engine/report/csv_writer.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/report/table_reader.h"

namespace relais::report {
namespace {

Table Sample() {
  Table t;
  t.name = "Actions";
  t.columns = {"Action", "Valeur", "Note"};
  t.rows = {{std::string("Portage de repas ; à domicile"), 12.5, std::string("dit \"urgent\"\nà revoir")},
            {std::string("=HYPERLINK(\"http://x\")"), 3.0, Cell()},
            {std::string("-2 + 3"), -1.25, std::string("@here")}};
  return t;
}

TEST(CsvWriterTest, FrenchSpreadsheetsReadItWithAccentsSeparatorsAndQuotes) {
  const std::string csv = WriteCsv(Sample(), "fr");
  EXPECT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_THAT(csv, ::testing::StartsWith("\xEF\xBB\xBF"
                                         "Action;Valeur;Note\r\n"));
  EXPECT_THAT(csv, ::testing::HasSubstr("\"Portage de repas ; à domicile\";12,5;\"dit \"\"urgent\"\"\nà revoir\"\r\n"));
  auto read = testing::ReadTable(csv, "csv");
  ASSERT_TRUE(read.is_object());
  EXPECT_TRUE(read["bom"].get<bool>());
  const Json& rows = read["sheets"]["csv"];
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[1][0], "Portage de repas ; à domicile");
  EXPECT_EQ(rows[1][1], "12,5");
  EXPECT_EQ(rows[1][2], "dit \"urgent\"\nà revoir");
  // A title that a spreadsheet would run as a formula is text.
  EXPECT_EQ(rows[2][0], "'=HYPERLINK(\"http://x\")");
  EXPECT_EQ(rows[2][1], "3");
  EXPECT_EQ(rows[2][2], "");
  EXPECT_EQ(rows[3][0], "'-2 + 3");
  EXPECT_EQ(rows[3][1], "-1,25") << "numbers are not defused";
  EXPECT_EQ(rows[3][2], "'@here");
}

TEST(CsvWriterTest, EnglishKeepsTheDecimalPoint) {
  EXPECT_EQ(FormatNumber(12.5, "en"), "12.5");
  EXPECT_EQ(FormatNumber(12.5, "fr"), "12,5");
  EXPECT_EQ(FormatNumber(2026, "fr"), "2026");
  EXPECT_EQ(FormatNumber(0.1 + 0.2, "en"), "0.3");
  EXPECT_EQ(FormatNumber(-0.000001, "en"), "-0.000001");
}

}  // namespace
}  // namespace relais::report
