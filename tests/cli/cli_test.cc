// The relais program as a coordinator runs it: validate, render, migrate, rebuild.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "engine/cli/runtime_host.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace relais::cli {
namespace {

namespace fs = std::filesystem;
using relais::testing::RunProcess;
using ::testing::HasSubstr;

const std::string kSource = RELAIS_SOURCE_DIR;

relais::testing::ProcessResult Relais(std::vector<std::string> args) {
  args.insert(args.begin(), RELAIS_BINARY);
  return RunProcess(args);
}

TEST(CliTest, ValidateAcceptsTheShippedWorkflows) {
  auto r = Relais({"validate", kSource + "/workflows/cbe.yaml", kSource + "/workflows/comite-propositions.yaml"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("cbe.yaml: ok (cbe_action, version 1"));
  EXPECT_THAT(r.out, HasSubstr("0 error(s), 0 warning(s)"));
}

TEST(CliTest, ValidateReportsEveryErrorWithFileLineColumnAndFails) {
  relais::testing::TempDir dir;
  std::string path = dir.Sub("broken.yaml");
  std::ofstream(path) << "workflow: broken\nversion: 1\nphases:\n  - id: a\n    labels: {fr: A, en: A}\n"
                         "initial: [zz]\nevents: []\n";
  auto r = Relais({"validate", path});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr(path + ":6:"));
  EXPECT_THAT(r.out, ::testing::ContainsRegex("[1-9][0-9]* error"));
  auto missing = Relais({"validate", dir.Sub("nope.yaml")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("cannot read"));
}

TEST(CliTest, ValidateChecksTheChildPhasesAParentCountsAgainstTheChildFile) {
  const std::string links = kSource + "/tests/workflow/testdata/links/";
  // The child's file beside the parent is found by its workflow's name.
  auto beside = Relais({"validate", links + "projet_insertion.yaml"});
  EXPECT_EQ(beside.exit_code, 0) << beside.err;
  EXPECT_THAT(beside.out, HasSubstr("0 error(s), 0 warning(s)"));

  relais::testing::TempDir dir;
  std::string text;
  {
    std::ifstream in(links + "projet_insertion.yaml");
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  const std::string misspelt = "phases.recrutee >= 1";
  text.replace(text.find("phases.recrute >= 1"), std::string("phases.recrute >= 1").size(), misspelt);
  const std::string parent = dir.Sub("parent.yaml");
  std::ofstream(parent) << text;
  // Alone, the child workflow is known nowhere: a warning says its phases were not checked.
  auto alone = Relais({"validate", parent});
  EXPECT_EQ(alone.exit_code, 0) << alone.err;
  EXPECT_THAT(alone.err, HasSubstr("warning[unchecked-children]"));
  EXPECT_THAT(alone.out, HasSubstr("0 error(s), 1 warning(s)"));
  // Given with the child's file: the misspelt phase is an error at its line and column.
  auto both = Relais({"validate", parent, links + "parcours_participant.yaml"});
  EXPECT_EQ(both.exit_code, 1);
  EXPECT_THAT(both.err,
              HasSubstr(parent + ":29:17: error[unknown-phase]: children 'participants' are counted in a "
                                 "phase their workflow 'parcours_participant' does not have (found "
                                 "'project.children.participants.phases.recrutee'; expected one of identifie, "
                                 "preselectionne, recrute, non_retenu (phases of parcours_participant))"));
  EXPECT_THAT(both.err, HasSubstr("hint: did you mean 'recrute'?"));
}

TEST(CliTest, RenderDrawsMermaidDotAndSvgInEitherLanguage) {
  auto mermaid = Relais({"render", kSource + "/workflows/cbe.yaml"});
  EXPECT_EQ(mermaid.exit_code, 0) << mermaid.err;
  EXPECT_THAT(mermaid.out, HasSubstr("stateDiagram-v2"));
  EXPECT_THAT(mermaid.out, HasSubstr("etude --> montage"));
  EXPECT_THAT(mermaid.out, HasSubstr("state \"Étude de faisabilité\" as etude"));
  auto english = Relais({"render", "--lang", "en", kSource + "/workflows/cbe.yaml"});
  EXPECT_EQ(english.exit_code, 0) << english.err;
  EXPECT_THAT(english.out, HasSubstr("state \"Feasibility study\" as etude"));
  auto dot = Relais({"render", "--format", "dot", kSource + "/workflows/cbe.yaml"});
  EXPECT_EQ(dot.exit_code, 0);
  EXPECT_THAT(dot.out, HasSubstr("digraph"));
  EXPECT_THAT(dot.out, HasSubstr("subgraph \"cluster_mobilisation\""));
  auto svg = Relais({"render", "--format", "svg", "--lang", "en", kSource + "/workflows/cbe.yaml"});
  EXPECT_EQ(svg.exit_code, 0) << svg.err;
  EXPECT_THAT(svg.out, HasSubstr("<svg"));
  EXPECT_THAT(svg.out, HasSubstr(">Feasibility study</text>"));
  EXPECT_THAT(svg.out, HasSubstr("</svg>"));
}

TEST(CliTest, RenderHelpAndUsageErrors) {
  for (const char* flag : {"--help", "-h"}) {
    auto help = Relais({"render", flag});
    EXPECT_EQ(help.exit_code, 0) << flag;
    EXPECT_THAT(help.out, HasSubstr("usage: relais render [--format mermaid|dot|svg] [--lang fr|en] FILE"));
    EXPECT_THAT(help.out, HasSubstr("Debian package graphviz"));
  }
  auto via_help = Relais({"help", "render"});
  EXPECT_EQ(via_help.exit_code, 0);
  EXPECT_THAT(via_help.out, HasSubstr("usage: relais render"));
  EXPECT_THAT(Relais({"help"}).out, HasSubstr("render --help"));
  const std::string cbe = kSource + "/workflows/cbe.yaml";
  struct Case {
    std::vector<std::string> args;
    const char* said;
  };
  for (const Case& c : std::vector<Case>{{{"render"}, "missing FILE"},
                                         {{"render", "--format", "png", cbe}, "unknown format 'png'"},
                                         {{"render", "--lang", "de", cbe}, "unknown language 'de'"},
                                         {{"render", "--format"}, "--format needs a value"},
                                         {{"render", "--colour", cbe}, "unknown option '--colour'"},
                                         {{"render", cbe, cbe}, "one FILE only"}}) {
    auto r = Relais(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.said;
    EXPECT_THAT(r.err, HasSubstr(c.said));
    EXPECT_THAT(r.err, HasSubstr("usage: relais render"));
  }
  auto missing = Relais({"render", kSource + "/workflows/no-such.yaml"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_FALSE(missing.err.empty());
}

TEST(CliTest, UnknownCommandIsAUsageError) {
  auto r = Relais({"frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("unknown command 'frobnicate'"));
}

// A data directory with projects, written through the same host as `serve`.
class CliStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_.Sub("workflows"));
    fs::copy_file(kSource + "/workflows/cbe.yaml", dir_.Sub("workflows/cbe.yaml"));
    config_path_ = dir_.Sub("relais.yaml");
    std::ofstream(config_path_) << "data_dir: " << dir_.Sub("data") << "\nworkflows_dir: " << dir_.Sub("workflows")
                                << "\n";
    auto config = cli::LoadConfigFile(config_path_);
    ASSERT_TRUE(config.ok()) << config.status();
    auto host = RuntimeHost::Open(*config, true);
    ASSERT_TRUE(host.ok()) << host.status();
    for (std::string id : {"a", "b", "c"}) {
      runtime::CreateRequest req;
      req.info.id = id;
      req.info.workflow = "cbe_action";
      req.actor = {"person:claire", {"coordinator"}};
      auto out = (*host)->projects().Create(req);
      ASSERT_TRUE(out.ok() && !out->refusal);
    }
    ASSERT_TRUE((*host)->index().CatchUp().ok());
  }
  relais::testing::TempDir dir_;
  std::string config_path_;
};

TEST_F(CliStoreTest, RebuildReplaysTheLog) {
  auto r = Relais({"rebuild", "--config", config_path_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("read model rebuilt: 3 project(s) from 6 event(s)"));
}

TEST_F(CliStoreTest, MigrateMovesProjectsToTheNewVersionAndRefusesBadMappings) {
  {  // A new version of the workflow file.
    std::ifstream in(dir_.Sub("workflows/cbe.yaml"));
    std::string text((std::istreambuf_iterator<char>(in)), {});
    text.replace(text.find("version: 1"), 10, "version: 2");
    std::ofstream(dir_.Sub("workflows/cbe.yaml")) << text;
  }
  auto dry = Relais({"migrate", "--config", config_path_, "--workflow", "cbe_action", "--dry-run"});
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_THAT(dry.out, HasSubstr("a: would move"));
  auto bad = Relais({"migrate", "--config", config_path_, "--workflow", "cbe_action", "--project", "a", "--map",
                     "mobilisation=nowhere"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("a: refused"));
  auto ok = Relais({"migrate", "--config", config_path_, "--workflow", "cbe_action"});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_THAT(ok.out, HasSubstr("3 project(s) moved, 0 refused"));
  auto again = Relais({"migrate", "--config", config_path_, "--workflow", "cbe_action"});
  EXPECT_THAT(again.out, HasSubstr("0 project(s) moved")) << "already on the current version";
}

}  // namespace
}  // namespace relais::cli
