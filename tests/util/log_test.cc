#include "engine/util/log.h"

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "engine/util/json.h"

namespace relais {
namespace {

TEST(LogTest, TextLinesQuoteValuesThatWouldSplitTheRecord) {
  std::string line = FormatLogText(LogLevel::kWarn, "delivery failed\nretrying",
                                   {{"endpoint", "ep-1"}, {"error", "connection refused"}, {"empty", ""}});
  EXPECT_EQ(line, "warn delivery failed retrying endpoint=ep-1 error=\"connection refused\" empty=\"\"");
}

TEST(LogTest, JsonLinesKeepTheEnvelopeAndEveryField) {
  std::string line = FormatLogJson(LogLevel::kError, "boom", {{"request_id", "r-1"}, {"msg", "shadow"}});
  auto parsed = ParseJson(line);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ((*parsed)["level"], "error");
  EXPECT_EQ((*parsed)["msg"], "boom");
  EXPECT_EQ((*parsed)["request_id"], "r-1");
  EXPECT_EQ((*parsed)["field_msg"], "shadow");
}

TEST(LogTest, LevelsParseAndFilter) {
  EXPECT_EQ(ParseLogLevel("warn"), LogLevel::kWarn);
  EXPECT_EQ(ParseLogLevel("verbose"), std::nullopt);
  CapturingLogger log(LogLevel::kWarn);
  log.Info("not kept");
  log.Error("kept", {{"k", "v"}});
  ASSERT_EQ(log.records().size(), 1u);
  EXPECT_EQ(log.records()[0].Field("k"), "v");
  EXPECT_FALSE(NullLogger().Enabled(LogLevel::kError));
}

TEST(LogTest, FileLoggerAppendsOneJsonLinePerRecord) {
  auto dir = std::filesystem::temp_directory_path() / ("relais-log-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "relais.log").string();
  {
    auto logger = MakeLogger({LogLevel::kInfo, /*json=*/true, path});
    ASSERT_TRUE(logger.ok()) << logger.status();
    (*logger)->Info("first", {{"a", "1"}});
    (*logger)->Debug("filtered out");
    (*logger)->Warn("second");
  }
  std::ifstream in(path);
  std::string line;
  std::vector<Json> lines;
  while (std::getline(in, line)) {
    auto j = ParseJson(line);
    ASSERT_TRUE(j.ok()) << line;
    lines.push_back(*j);
  }
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["msg"], "first");
  EXPECT_EQ(lines[0]["a"], "1");
  EXPECT_TRUE(lines[0].contains("ts"));
  EXPECT_EQ(lines[1]["level"], "warn");
  std::filesystem::remove_all(dir);
}

TEST(LogTest, AnUnwritableFileIsAClearError) {
  // A path under a regular file can never be created (spdlog would create
  // missing directories, so a missing one is no test).
  auto dir = std::filesystem::temp_directory_path() / ("relais-log-file-" + std::to_string(::getpid()));
  { std::ofstream(dir.string()) << "a file, not a directory"; }
  const std::string path = (dir / "relais.log").string();
  auto logger = MakeLogger({LogLevel::kInfo, false, path});
  std::filesystem::remove(dir);
  ASSERT_FALSE(logger.ok());
  EXPECT_EQ(logger.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(logger.status().message().find(path), std::string::npos);
}

}  // namespace
}  // namespace relais
