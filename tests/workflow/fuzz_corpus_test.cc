// Replays the libFuzzer corpus of the workflow loader (tests/fuzz/corpus/
// workflow/) through the loader in the ordinary test suite, so every input the
// fuzzer ever kept (crashes found and fixed included) stays covered on
// machines without clang. Each input must give a definition or errors, never
// a crash or a silent nothing.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/workflow/workflow_test_util.h"

namespace relais::workflow {
namespace {

TEST(FuzzCorpusTest, EveryCorpusInputLoadsOrSaysWhy) {
  const std::filesystem::path dir = testing::SourcePath("tests/fuzz/corpus/workflow");
  size_t inputs = 0, loaded = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    ++inputs;
    std::string text = testing::ReadFile(entry.path().string());
    LoadResult r = LoadWorkflowWithDiagnostics(text, entry.path().filename().string());
    ASSERT_EQ(r.definition.has_value(), !r.diagnostics.has_errors()) << entry.path();
    if (r.definition) {
      ++loaded;
    } else {
      for (const auto& d : r.diagnostics.items())
        EXPECT_FALSE(d.message.empty()) << entry.path() << ": a diagnostic without a message";
    }
  }
  EXPECT_GE(inputs, 7u) << "the seed corpus is missing";
  EXPECT_GE(loaded, 3u) << "the valid seeds must still load";
}

}  // namespace
}  // namespace relais::workflow
