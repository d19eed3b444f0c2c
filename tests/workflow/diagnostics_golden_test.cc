// Golden tests of the loader's messages on broken files: each fixture under
// testdata/ has a .golden file holding the exact diagnostics expected.
// Regenerate after an intended change with RELAIS_UPDATE_GOLDEN=1. The
// workflows a fixture names under children: are read from testdata/links/.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

#include <gtest/gtest.h>

#include "engine/workflow/loader.h"
#include "tests/workflow/workflow_test_util.h"

namespace relais::workflow {
namespace {

using testing::ReadFile;
using testing::SourcePath;

class GoldenDiagnosticsTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GoldenDiagnosticsTest, MatchesGoldenFile) {
  const std::string fixture = SourcePath("tests/workflow/testdata/" + GetParam());
  const std::string golden_path = fixture.substr(0, fixture.find_last_of('.')) + ".golden";
  // The workflows a fixture names (children:) are the test workflows of testdata/links/.
  std::map<std::string, std::optional<WorkflowDefinition>> linked;
  LoadResult r = LoadWorkflowWithDiagnostics(
      ReadFile(fixture), GetParam(), DefaultLimits(), [&linked](const std::string& name) -> const WorkflowDefinition* {
        auto it = linked.find(name);
        if (it == linked.end()) {
          const std::string path = SourcePath("tests/workflow/testdata/links/" + name + ".yaml");
          it =
              linked
                  .emplace(name, std::filesystem::exists(path) ? std::make_optional(testing::LoadRepoWorkflow(
                                                                     "tests/workflow/testdata/links/" + name + ".yaml"))
                                                               : std::nullopt)
                  .first;
        }
        return it->second ? &*it->second : nullptr;
      });
  std::string actual = r.diagnostics.ToString();
  if (std::getenv("RELAIS_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(golden_path, std::ios::binary) << actual;
    GTEST_SKIP() << "updated " << golden_path;
  }
  ASSERT_TRUE(std::filesystem::exists(golden_path)) << "missing " << golden_path;
  EXPECT_EQ(actual, ReadFile(golden_path));
  // Broken fixtures never produce a definition; warning-only ones do.
  EXPECT_EQ(r.definition.has_value(), !r.diagnostics.has_errors());
}

INSTANTIATE_TEST_SUITE_P(WorkflowFixtures, GoldenDiagnosticsTest,
                         ::testing::Values("bad_children.yaml", "bad_guards.yaml", "bad_schema.yaml", "bad_timers.yaml",
                                           "broken.json", "duplicates.yaml", "not_a_mapping.yaml", "syntax_error.yaml",
                                           "unknown_keys_roles.yaml", "unknown_phase.yaml", "unreachable_dead_end.yaml",
                                           "dead_end_warning.yaml"),
                         [](const ::testing::TestParamInfo<std::string>& param_info) {
                           std::string name = param_info.param;
                           for (char& c : name)
                             if (c == '.' || c == '-') c = '_';
                           return name;
                         });

}  // namespace
}  // namespace relais::workflow
