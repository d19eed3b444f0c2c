// `relais migrate` on workflows with children and keyed tracks, over a real
// RocksDB store on disk written through the same host as `serve`: a child
// workflow's new version moves the children and keeps the parent's counts
// per phase right; a parent's new version that drops a kind of children, a
// keyed track holding answers or a step in use is refused (dry run and real
// run alike, nothing written); one that adds a keyed track starts it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/cli/runtime_host.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace relais::cli {
namespace {

namespace fs = std::filesystem;
using relais::testing::RunProcess;
using ::testing::HasSubstr;
using ::testing::Not;

const std::string kSource = RELAIS_SOURCE_DIR;
const runtime::Actor kCoordinator{"person:claire", {"coordinator"}};

relais::testing::ProcessResult Relais(std::vector<std::string> args) {
  args.insert(args.begin(), RELAIS_BINARY);
  return RunProcess(args);
}

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `text` with every `from` replaced; fails the test when there is none.
std::string Replaced(std::string text, const std::string& from, const std::string& to) {
  size_t n = 0;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()), ++n)
    text.replace(at, from.size(), to);
  EXPECT_GT(n, 0u) << "no '" << from << "' in the workflow";
  return text;
}

class MigrateLinksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_.Sub("workflows"));
    for (const char* f : {"links/parcours_participant.yaml", "links/projet_insertion.yaml", "tour_financement.yaml"})
      fs::copy_file(kSource + "/tests/workflow/testdata/" + f,
                    dir_.Sub("workflows/" + fs::path(f).filename().string()));
    config_path_ = dir_.Sub("relais.yaml");
    std::ofstream(config_path_) << "data_dir: " << dir_.Sub("data") << "\nworkflows_dir: " << dir_.Sub("workflows")
                                << "\n";
    // A parent with three participants, one of them pre-selected, and a
    // funding round where the State said yes and the region has not answered.
    WithHost([&](RuntimeHost& host) {
      Create(host, "ins", "projet_insertion", {});
      for (const char* c : {"c1", "c2", "c3"}) Create(host, c, "parcours_participant", {"ins", "participants", ""});
      Accept(host, "c1", "preselection", Json::object());
      Create(host, "tour", "tour_financement", {});
      Accept(host, "tour", "financeur_sollicite", {{"financeur", "etat"}});
      Accept(host, "tour", "financeur_sollicite", {{"financeur", "region"}});
      Accept(host, "tour", "reponse_financeur", {{"financeur", "etat"}, {"reponse", "accorde"}});
    });
  }

  // Opens the store as `serve` does (deploying the workflows directory), runs fn, closes it.
  void WithHost(const std::function<void(RuntimeHost&)>& fn) {
    auto config = cli::LoadConfigFile(config_path_);
    ASSERT_TRUE(config.ok()) << config.status();
    auto host = RuntimeHost::Open(*config, true);
    ASSERT_TRUE(host.ok()) << host.status();
    fn(**host);
    ASSERT_TRUE((*host)->index().CatchUp().ok());
  }

  static void Create(RuntimeHost& host, const std::string& id, const std::string& workflow,
                     runtime::ProjectLink parent) {
    runtime::CreateRequest req;
    req.info.id = id;
    req.info.title = "Projet " + id;
    req.info.workflow = workflow;
    req.info.parent = std::move(parent);
    req.actor = kCoordinator;
    auto out = host.projects().Create(req);
    ASSERT_TRUE(out.ok()) << out.status();
    ASSERT_FALSE(out->refusal) << id << ": " << DumpJson(out->refusal->ToJson());
  }

  // The command's outcome: empty when accepted, else the refusal's JSON.
  static std::string Command(RuntimeHost& host, const std::string& id, const std::string& event, Json data) {
    runtime::CommandRequest req;
    req.project_id = id;
    req.event_type = event;
    req.data = std::move(data);
    req.actor = kCoordinator;
    auto out = host.projects().Execute(req);
    if (!out.ok()) return out.status().ToString();
    return out->refusal ? DumpJson(out->refusal->ToJson()) : "";
  }

  static void Accept(RuntimeHost& host, const std::string& id, const std::string& event, Json data) {
    EXPECT_EQ(Command(host, id, event, std::move(data)), "") << id << " " << event;
  }

  // The workflow file `name` rewritten by `edit`, one version up.
  void NewVersion(const std::string& name, const std::function<std::string(std::string)>& edit) {
    const std::string path = dir_.Sub("workflows/" + name + ".yaml");
    std::string text = Read(path);
    ++versions_[name];
    if (text.find("version: 1") != std::string::npos)
      text = Replaced(text, "version: 1", "version: " + std::to_string(1 + versions_[name]));
    else
      text = Replaced(text, "version: " + std::to_string(versions_[name]),
                      "version: " + std::to_string(1 + versions_[name]));
    std::ofstream(path, std::ios::binary) << edit(text);
  }

  relais::testing::TempDir dir_;
  std::string config_path_;
  std::map<std::string, int> versions_;
};

TEST_F(MigrateLinksTest, ChildrenMovedToANewVersionKeepTheParentsCountsPerPhase) {
  // Version 2 of the participant's path renames "preselectionne" (no parent guard reads it).
  NewVersion("parcours_participant", [](std::string t) {
    t = Replaced(t, "id: preselectionne", "id: retenu");
    t = Replaced(t, "to: preselectionne", "to: retenu");
    t = Replaced(t, "phases: [preselectionne]", "phases: [retenu]");
    return Replaced(t, "[identifie, preselectionne]", "[identifie, retenu]");
  });
  auto unmapped = Relais({"migrate", "--config", config_path_, "--workflow", "parcours_participant", "--dry-run"});
  EXPECT_EQ(unmapped.exit_code, 1);
  EXPECT_THAT(unmapped.err, HasSubstr("c1: would be refused: phase 'preselectionne' has projects but is not mapped"));
  EXPECT_THAT(unmapped.out, HasSubstr("c2: would move"));
  EXPECT_THAT(unmapped.out, HasSubstr("2 project(s) would move, 1 would be refused (dry run: nothing written)"));

  const std::vector<std::string> map = {
      "migrate", "--config", config_path_, "--workflow", "parcours_participant", "--map", "preselectionne=retenu"};
  auto args = map;
  args.push_back("--dry-run");
  auto dry = Relais(args);
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_THAT(dry.out, HasSubstr("(phase preselectionne -> retenu)"));
  EXPECT_THAT(dry.out, HasSubstr("sub-item 'participants' of project 'ins': its entry in the parent's children index"));
  EXPECT_THAT(dry.out, HasSubstr("3 project(s) would move, 0 would be refused"));
  WithHost([](RuntimeHost& host) {  // nothing written by the dry run
    auto entries = host.projects().children().List("ins");
    ASSERT_TRUE(entries.ok());
    for (const auto& e : *entries) EXPECT_EQ(e.workflow_hash, host.projects().Load(e.id)->info.workflow_hash);
    EXPECT_EQ(host.projects().Load("c1")->state.phase, "preselectionne");
  });

  auto run = Relais(map);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("c1: moved to"));
  EXPECT_THAT(run.out, HasSubstr("3 project(s) moved, 0 refused"));

  WithHost([](RuntimeHost& host) {
    runtime::ProjectService& projects = host.projects();
    const auto* child_v2 = host.registry().Current("parcours_participant");
    const auto* parent_def = host.registry().Current("projet_insertion");
    auto entries = projects.children().List("ins");
    ASSERT_TRUE(entries.ok());
    ASSERT_EQ(entries->size(), 3u);
    for (const auto& e : *entries) {
      EXPECT_EQ(e.workflow_hash, child_v2->content_hash) << e.id << ": the index names the child's new version";
      EXPECT_EQ(e.phase, projects.Load(e.id)->state.phase) << e.id;
    }
    const Json counts = projects.ChildCountsOf(*entries, *parent_def)["participants"];
    EXPECT_EQ(counts["total"], 3);
    EXPECT_EQ(counts["open"], 3);
    EXPECT_EQ(counts["phases"]["retenu"], 1);
    EXPECT_EQ(counts["phases"]["identifie"], 2);
    EXPECT_FALSE(counts["phases"].contains("preselectionne")) << counts.dump();
    // The parent's history shows the move.
    auto milestones = projects.children().Milestones("ins", 100);
    ASSERT_TRUE(milestones.ok());
    bool shown = false;
    for (const auto& m : *milestones)
      shown |= m.child == "c1" && m.type == "workflow_migrated" && m.from == "preselectionne" && m.to == "retenu";
    EXPECT_TRUE(shown);
    // The parent's guards count the children where they now are.
    Accept(host, "c2", "preselection", Json::object());
    Accept(host, "c2", "recrutement", Json::object());
    EXPECT_THAT(Command(host, "ins", "recrutement_clos", Json::object()), HasSubstr("identified people"));
    Accept(host, "c3", "non_retenu", Json::object());
    Accept(host, "ins", "recrutement_clos", Json::object());
    EXPECT_EQ(projects.Load("ins")->state.phase, "suivi");
  });
}

TEST_F(MigrateLinksTest, AChildVersionThatDropsAPhaseTheParentCountsDoesNotDeploy) {
  // "identifie" is counted by the parent's guard (project.children.participants.phases.identifie == 0).
  NewVersion("parcours_participant", [](std::string t) {
    t = Replaced(t, "id: identifie", "id: repere");
    t = Replaced(t, "initial: identifie", "initial: repere");
    t = Replaced(t, "phases: [identifie]", "phases: [repere]");
    return Replaced(t, "[identifie, preselectionne]", "[repere, preselectionne]");
  });
  auto r = Relais({"migrate", "--config", config_path_, "--workflow", "parcours_participant", "--map",
                   "identifie=repere", "--dry-run"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("relais: the workflows do not deploy:"));
  EXPECT_THAT(r.err, HasSubstr("projet_insertion.yaml:31:17: error[unknown-phase]: children 'participants' are "
                               "counted in a phase their workflow 'parcours_participant' does not have"));
  EXPECT_THAT(r.err, HasSubstr("expected one of repere, preselectionne, recrute, non_retenu"));
  EXPECT_THAT(r.err, Not(HasSubstr("is `relais serve` running")));
}

TEST_F(MigrateLinksTest, AParentVersionThatDropsAKindOfChildrenIsRefused) {
  uint64_t version_before = 0;
  WithHost([&](RuntimeHost& host) { version_before = host.projects().Load("ins")->version; });
  NewVersion("projet_insertion", [](std::string t) {
    t = Replaced(t, "- id: participants", "- id: personnes");
    return Replaced(t, "project.children.participants.", "project.children.personnes.");
  });
  auto dry = Relais({"migrate", "--config", config_path_, "--workflow", "projet_insertion", "--dry-run"});
  EXPECT_EQ(dry.exit_code, 1);
  EXPECT_THAT(dry.err, HasSubstr("ins: would be refused: children 'participants': the project has 3 but "
                                 "projet_insertion v2 declares no children 'participants'"));
  EXPECT_THAT(dry.err, HasSubstr("a kind renamed is a kind dropped"));
  auto run = Relais({"migrate", "--config", config_path_, "--workflow", "projet_insertion"});
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_THAT(run.err, HasSubstr("ins: refused: children 'participants'"));
  EXPECT_THAT(run.out, HasSubstr("0 project(s) moved, 1 refused"));
  WithHost([&](RuntimeHost& host) {
    auto ins = host.projects().Load("ins");
    ASSERT_TRUE(ins.ok());
    EXPECT_NE(ins->info.workflow_hash, host.registry().Current("projet_insertion")->content_hash) << "not moved";
    EXPECT_EQ(ins->version, version_before) << "nothing written";
  });
}

TEST_F(MigrateLinksTest, KeyedTracksMustBeKeptWithTheirStepsAndNewOnesStart) {
  // v2 renames the funders' track: its answers would be lost.
  NewVersion("tour_financement", [](std::string t) {
    t = Replaced(t, "id: financeurs\n", "id: reponses\n");
    t = Replaced(t, "project.tracks.financeurs", "project.tracks.reponses");
    return Replaced(t, "{financeurs: {key", "{reponses: {key");
  });
  auto dropped = Relais({"migrate", "--config", config_path_, "--workflow", "tour_financement", "--dry-run"});
  EXPECT_EQ(dropped.exit_code, 1);
  EXPECT_THAT(dropped.err, HasSubstr("tour: would be refused: keyed track 'financeurs': the project holds 2 key(s) "
                                     "(etat, region) but tour_financement v2 declares no keyed track 'financeurs'"));

  // v3 (from the original) renames the step "accorde" the State's answer is on.
  fs::copy_file(kSource + "/tests/workflow/testdata/tour_financement.yaml", dir_.Sub("workflows/tour_financement.yaml"),
                fs::copy_options::overwrite_existing);
  versions_["tour_financement"] = 0;
  NewVersion("tour_financement", [](std::string t) {
    t = Replaced(t, "version: 2", "version: 3");
    t = Replaced(t, "[en_attente, accorde, refuse]", "[en_attente, favorable, refuse]");
    t = Replaced(t, "accorde: {fr", "favorable: {fr");
    t = Replaced(t, "to: accorde}", "to: favorable}");
    return Replaced(t, "item.step == 'accorde'", "item.step == 'favorable'");
  });
  auto step = Relais({"migrate", "--config", config_path_, "--workflow", "tour_financement"});
  EXPECT_EQ(step.exit_code, 1);
  EXPECT_THAT(step.err, HasSubstr("tour: refused: keyed track 'financeurs': keys are on step 'accorde' but "
                                  "tour_financement v3 has no such step (its steps: en_attente, favorable, refuse)"));

  // v4 keeps everything and adds a keyed track: it starts with every funder asked.
  fs::copy_file(kSource + "/tests/workflow/testdata/tour_financement.yaml", dir_.Sub("workflows/tour_financement.yaml"),
                fs::copy_options::overwrite_existing);
  versions_["tour_financement"] = 0;
  NewVersion("tour_financement", [](std::string t) {
    t = Replaced(t, "version: 2", "version: 4");
    return Replaced(t, "  - id: decision\n",
                    "      - id: avis\n        labels: {fr: \"Avis\", en: \"Opinions\"}\n"
                    "        keyed_by: state.financeurs_sollicites\n        steps: [a_donner, donne]\n"
                    "  - id: decision\n");
  });
  auto dry = Relais({"migrate", "--config", config_path_, "--workflow", "tour_financement", "--dry-run"});
  EXPECT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_THAT(dry.out, HasSubstr("keyed track 'avis': starts with 2 key(s) on its first step"));
  auto run = Relais({"migrate", "--config", config_path_, "--workflow", "tour_financement"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("1 project(s) moved, 0 refused"));
  WithHost([](RuntimeHost& host) {
    auto tour = host.projects().Load("tour");
    ASSERT_TRUE(tour.ok());
    using Steps = std::map<std::string, std::string>;
    EXPECT_EQ(tour->state.keyed_tracks.at("financeurs"), (Steps{{"etat", "accorde"}, {"region", "en_attente"}}));
    EXPECT_EQ(tour->state.keyed_tracks.at("avis"), (Steps{{"etat", "a_donner"}, {"region", "a_donner"}}));
    // The fold of the history gives the same project.
    EXPECT_EQ(host.projects().LoadFromHistory("tour")->ToJson(), tour->ToJson());
    // The new track moves like any keyed track... and a new funder joins both.
    Accept(host, "tour", "financeur_sollicite", {{"financeur", "departement"}});
    auto after = host.projects().Load("tour");
    EXPECT_EQ(after->state.keyed_tracks.at("avis").at("departement"), "a_donner");
    EXPECT_EQ(after->state.keyed_tracks.at("financeurs").at("departement"), "en_attente");
  });
}

}  // namespace
}  // namespace relais::cli
