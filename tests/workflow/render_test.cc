// Drawings of the shipped workflows: the drawing model (tracks as regions,
// gates, timers, suspension, labels in both languages), golden files of
// every format under testdata/render/, and SVG through Graphviz with its
// failures (program missing, failing, too slow).
// Regenerate the golden files after an intended change with RELAIS_UPDATE_GOLDEN=1.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "engine/workflow/drawing.h"
#include "engine/workflow/render.h"
#include "engine/workflow/render_svg.h"
#include "tests/testing/status_matchers.h"
#include "tests/workflow/workflow_test_util.h"

namespace relais::workflow {
namespace {

using ::relais::testing::IsOk;
using ::relais::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

const DrawingEdge* FindEdge(const Drawing& d, const std::string& from, const std::string& to,
                            const std::string& event) {
  for (const auto& e : d.edges)
    if (e.from == from && e.to == to && e.event == event) return &e;
  return nullptr;
}

const Note* FindNote(const Drawing& d, const std::string& node) {
  for (const auto& n : d.notes)
    if (n.node == node) return &n;
  return nullptr;
}

std::string Joined(const Note* note) {
  std::string s;
  if (note)
    for (const auto& line : note->lines) s += line + "\n";
  return s;
}

TEST(DrawingTest, CbeTracksAreRegionsOfTheirPhase) {
  const auto def = testing::LoadRepoWorkflow("workflows/cbe.yaml");
  const Drawing d = BuildDrawing(def, DrawingLanguage::kFr);
  const DrawingNode* mobilisation = d.FindNode("mobilisation");
  ASSERT_NE(mobilisation, nullptr);
  EXPECT_EQ(mobilisation->kind, NodeKind::kComposite);
  EXPECT_EQ(d.FindNode("etude")->kind, NodeKind::kPhase);
  EXPECT_EQ(d.FindNode("transmise")->kind, NodeKind::kTerminal);
  auto regions = d.RegionsOf("mobilisation");
  ASSERT_EQ(regions.size(), def.FindPhase("mobilisation")->tracks.size());
  EXPECT_EQ(regions[0]->label, "Partenaires");
  EXPECT_EQ(regions[0]->steps.front(), "mobilisation__partenaires__a_mobiliser");
  EXPECT_EQ(d.FindNode(regions[0]->steps.front())->region, regions[0]->id);
  // A track move leaves from every other step of its track, with its guard.
  const DrawingEdge* move = FindEdge(d, "mobilisation__partenaires__a_mobiliser",
                                     "mobilisation__partenaires__mobilises", "mobilisation_avancee");
  ASSERT_NE(move, nullptr);
  EXPECT_EQ(move->kind, EdgeKind::kTrackMove);
  EXPECT_EQ(move->region, regions[0]->id);
  EXPECT_EQ(move->guard, "event.volet == 'partenaires'");
  EXPECT_EQ(move->label, "Mobilisation avancée (coordinator, referent)");
  EXPECT_NE(FindEdge(d, "mobilisation__partenaires__en_cours", "mobilisation__partenaires__mobilises",
                     "mobilisation_avancee"),
            nullptr);
  EXPECT_EQ(FindEdge(d, "mobilisation__partenaires__mobilises", "mobilisation__partenaires__mobilises",
                     "mobilisation_avancee"),
            nullptr);
}

TEST(DrawingTest, CbeGatesTimersAndSuspensionAreNotes) {
  const auto def = testing::LoadRepoWorkflow("workflows/cbe.yaml");
  const Drawing fr = BuildDrawing(def, DrawingLanguage::kFr);
  EXPECT_THAT(Joined(FindNote(fr, "mobilisation")),
              HasSubstr("« Étude de faisabilité lancée » exige project.tracks.partenaires == 'mobilises'"));
  EXPECT_THAT(Joined(FindNote(fr, "etude")), HasSubstr("« Montage démarré » exige exists(state.porteur)"));
  // A gate on an event that moves nothing (partenaire_rejoint) is not drawn.
  EXPECT_THAT(Joined(FindNote(fr, "montage")), Not(HasSubstr("Partenaire associé")));
  EXPECT_THAT(Joined(FindNote(fr, "portage")),
              HasSubstr("minuteur « Bilan à un an du démarrage » : après P12M, déclenche « Bilan de la première "
                        "année à faire »"));
  EXPECT_THAT(Joined(FindNote(fr, "")), HasSubstr("à la création du projet : minuteur « Point avec l'élu référent » : "
                                                  "3 fois par an, jusqu'à la fin"));
  const DrawingNode* suspended = fr.FindNode("__suspended");
  ASSERT_NE(suspended, nullptr);
  EXPECT_EQ(suspended->kind, NodeKind::kSuspended);
  EXPECT_THAT(Joined(FindNote(fr, "__suspended")),
              HasSubstr("« Action suspendue (coordinator, elu) » : depuis toute phase ouverte"));
  EXPECT_THAT(Joined(FindNote(fr, "__suspended")), HasSubstr("« Action reprise (coordinator, elu) » : retour"));

  const Drawing en = BuildDrawing(def, DrawingLanguage::kEn);
  EXPECT_EQ(en.title, "CBE action plan item");
  EXPECT_EQ(en.FindNode("etude")->label, "Feasibility study");
  EXPECT_EQ(en.FindNode("__suspended")->label, "Suspended");
  EXPECT_THAT(Joined(FindNote(en, "etude")),
              HasSubstr("\u201cSet-up started\u201d requires state.verdict == 'positif'"));
  EXPECT_EQ(FindEdge(en, "etude", "montage", "montage_demarre")->label, "Set-up started (coordinator)");
}

TEST(DrawingTest, ComiteEdgesCarryGuardsAndTimersStayOnTheirPhase) {
  const auto def = testing::LoadRepoWorkflow("workflows/comite-propositions.yaml");
  const Drawing d = BuildDrawing(def, DrawingLanguage::kEn);
  const DrawingEdge* retained = FindEdge(d, "debattue", "retenue", "decision_comite");
  ASSERT_NE(retained, nullptr);
  EXPECT_EQ(retained->guard, "event.decision == 'retenue' and state.votes_pour > state.votes_contre");
  EXPECT_EQ(retained->label, "Committee decision (president_comite, elu)");
  EXPECT_THAT(Joined(FindNote(d, "proposee")), HasSubstr("timer \u201cWaiting for a month\u201d: after P1M"));
  EXPECT_EQ(d.FindNode("__suspended"), nullptr);  // nothing suspends a proposal
  EXPECT_TRUE(d.regions.empty());
  size_t starts = 0;
  for (const auto& e : d.edges) starts += e.kind == EdgeKind::kStart;
  EXPECT_EQ(starts, def.initial_phases.size());
}

TEST(DrawingTest, TimerFiredMovesAreTimerEdges) {
  auto def = LoadWorkflow(R"yaml(
workflow: relance
labels: {fr: "Relance", en: "Reminder"}
phases:
  - {id: ouvert, labels: {fr: "Ouvert", en: "Open"}}
  - {id: expire, labels: {fr: "Expiré", en: "Expired"}, terminal: true}
initial: ouvert
events:
  - type: delai_depasse
    labels: {fr: "Délai dépassé", en: "Deadline passed"}
    roles: [coordinator]
    phases: [ouvert]
    transitions: [{to: expire}]
timers:
  - id: delai
    labels: {fr: "Trois mois", en: "Three months"}
    after: P3M
    armed_on: {phase: ouvert}
    fires: delai_depasse
)yaml",
                          "relance.yaml");
  ASSERT_THAT(def, IsOk());
  const Drawing d = BuildDrawing(*def, DrawingLanguage::kEn);
  const DrawingEdge* e = FindEdge(d, "ouvert", "expire", "delai_depasse");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->kind, EdgeKind::kTimerEvent);
  EXPECT_EQ(e->timer, "timer \u201cThree months\u201d, after P3M");
  EXPECT_THAT(RenderDot(d),
              HasSubstr("\"ouvert\" -> \"expire\" [label=\"Deadline passed (coordinator, system)\\n(timer "
                        "\u201cThree months\u201d, after P3M)\", style=dashed];"));
}

TEST(DrawingTest, ChildrenKindsAreBoxesJoinedToThePhasesThatCountThem) {
  const auto def = testing::LoadRepoWorkflow("tests/workflow/testdata/links/projet_insertion.yaml");
  const Drawing fr = BuildDrawing(def, DrawingLanguage::kFr);
  const DrawingNode* children = fr.FindNode("__children__participants");
  ASSERT_NE(children, nullptr);
  EXPECT_EQ(children->kind, NodeKind::kChildren);
  EXPECT_EQ(children->label, "Sous-projets « Participants » : workflow parcours_participant");
  // recrutement_clos requires counts of participants and is fired in recrutement only.
  const DrawingEdge* counts = FindEdge(fr, "__children__participants", "recrutement", "");
  ASSERT_NE(counts, nullptr);
  EXPECT_EQ(counts->kind, EdgeKind::kCounts);
  EXPECT_EQ(counts->label, "comptés par « Recrutement clos »");
  EXPECT_EQ(FindEdge(fr, "__children__participants", "suivi", ""), nullptr);

  const Drawing en = BuildDrawing(def, DrawingLanguage::kEn);
  EXPECT_EQ(en.FindNode("__children__participants")->label,
            "Sub-items \u201cParticipants\u201d: workflow parcours_participant");
  EXPECT_EQ(FindEdge(en, "__children__participants", "recrutement", "")->label,
            "counted by \u201cRecruitment closed\u201d");
}

TEST(DrawingTest, SpawnIsAnEdgeToTheProjectItCreates) {
  const auto def = testing::LoadRepoWorkflow("tests/workflow/testdata/links/projet_insertion.yaml");
  const Drawing fr = BuildDrawing(def, DrawingLanguage::kFr);
  const DrawingNode* spawned = fr.FindNode("__spawn__projet_insertion__essaimage");
  ASSERT_NE(spawned, nullptr);
  EXPECT_EQ(spawned->kind, NodeKind::kSpawned);
  EXPECT_EQ(spawned->label, "Nouveau projet : « Projet d'insertion » (projet_insertion), lien essaimage");
  const DrawingEdge* spawn = FindEdge(fr, "suivi", "__spawn__projet_insertion__essaimage", "essaimage");
  ASSERT_NE(spawn, nullptr);
  EXPECT_EQ(spawn->kind, EdgeKind::kSpawn);
  EXPECT_EQ(spawn->label, "Essaimage décidé (coordinator) : crée un projet");
  // The phase move of the same transition is still drawn.
  EXPECT_NE(FindEdge(fr, "suivi", "essaime", "essaimage"), nullptr);

  const Drawing en = BuildDrawing(def, DrawingLanguage::kEn);
  EXPECT_EQ(en.FindNode("__spawn__projet_insertion__essaimage")->label,
            "New project: \u201cInsertion project\u201d (projet_insertion), link essaimage");
  EXPECT_EQ(FindEdge(en, "suivi", "__spawn__projet_insertion__essaimage", "essaimage")->label,
            "Copy decided (coordinator): creates a project");
  // Both formats carry them; DOT marks them apart from phases.
  const std::string dot = RenderDot(fr);
  EXPECT_THAT(dot, HasSubstr("\"__children__participants\" [label=\"Sous-projets « Participants » : workflow "
                             "parcours_participant\", shape=folder, style=dashed];"));
  EXPECT_THAT(dot, HasSubstr("\"__children__participants\" -> \"recrutement\" [label=\"comptés par « Recrutement "
                             "clos »\", style=dotted, arrowhead=odot];"));
  EXPECT_THAT(dot, HasSubstr("\"suivi\" -> \"__spawn__projet_insertion__essaimage\" [label=\"Essaimage décidé "
                             "(coordinator) : crée un projet\", style=dashed, arrowhead=empty];"));
  const std::string mermaid = RenderMermaid(fr);
  EXPECT_THAT(mermaid, HasSubstr("  __children__participants --> recrutement : comptés par « Recrutement clos »\n"));
  EXPECT_THAT(mermaid, HasSubstr("  class __children__participants,__spawn__projet_insertion__essaimage link\n"));
}

TEST(DrawingTest, KeyedTracksAreRegionsOnePerKeyWithKeyedMoves) {
  const auto def = testing::LoadRepoWorkflow("tests/workflow/testdata/tour_financement.yaml");
  const Drawing fr = BuildDrawing(def, DrawingLanguage::kFr);
  auto regions = fr.RegionsOf("instruction");
  ASSERT_EQ(regions.size(), 3u);
  EXPECT_FALSE(regions[0]->keyed);
  EXPECT_EQ(regions[0]->label, "Dossier");
  EXPECT_TRUE(regions[1]->keyed);
  EXPECT_EQ(regions[1]->label, "Réponses des financeurs (un par « financeurs_sollicites »)");
  EXPECT_EQ(regions[2]->label, "Lettres de soutien (un par « lettres », clé « signataire »)");
  // step_labels name the steps.
  EXPECT_EQ(fr.FindNode("instruction__financeurs__en_attente")->label, "En attente");
  EXPECT_EQ(fr.FindNode("instruction__soutiens__recue")->label, "recue");
  const DrawingEdge* granted =
      FindEdge(fr, "instruction__financeurs__en_attente", "instruction__financeurs__accorde", "reponse_financeur");
  ASSERT_NE(granted, nullptr);
  EXPECT_EQ(granted->kind, EdgeKind::kTrackMove);
  EXPECT_EQ(granted->region, "instruction__financeurs");
  EXPECT_EQ(granted->key, "event.financeur");
  EXPECT_EQ(granted->guard, "event.reponse == 'accorde'");
  EXPECT_EQ(granted->label, "Réponse d'un financeur (partner, coordinator), clé event.financeur");
  const DrawingEdge* refused =
      FindEdge(fr, "instruction__financeurs__accorde", "instruction__financeurs__refuse", "reponse_financeur");
  ASSERT_NE(refused, nullptr);
  EXPECT_EQ(refused->guard, "");

  const Drawing en = BuildDrawing(def, DrawingLanguage::kEn);
  EXPECT_EQ(en.RegionsOf("instruction")[1]->label, "Funders' answers (one per \u201cfinanceurs_sollicites\u201d)");
  EXPECT_EQ(en.FindNode("instruction__financeurs__accorde")->label, "Granted");
  EXPECT_THAT(RenderDot(en), HasSubstr("label=\"Funders' answers (one per \u201cfinanceurs_sollicites\u201d)\"; "
                                       "style=dashed; penwidth=2;"));
}

TEST(DrawingTest, KeyListIsNamedByItsFieldLabels) {
  auto def = LoadWorkflow(R"yaml(
workflow: appel
labels: {fr: "Appel", en: "Call"}
state:
  type: object
  properties:
    financeurs:
      type: array
      labels: {fr: "Financeurs sollicités", en: "Funders asked"}
      items:
        type: object
        properties:
          nom: {type: string, labels: {fr: "Nom", en: "Name"}}
        required: [nom]
phases:
  - id: ouvert
    labels: {fr: "Ouvert", en: "Open"}
    tracks:
      - id: reponses
        labels: {fr: "Réponses", en: "Answers"}
        keyed_by: state.financeurs
        key: nom
        steps: [attente, oui]
  - {id: clos, labels: {fr: "Clos", en: "Closed"}, terminal: true}
initial: ouvert
events:
  - type: fin
    labels: {fr: "Fin", en: "End"}
    roles: [coordinator]
    phases: [ouvert]
    transitions: [{to: clos}]
)yaml",
                          "appel.yaml");
  ASSERT_THAT(def, IsOk());
  EXPECT_EQ(BuildDrawing(*def, DrawingLanguage::kFr).RegionsOf("ouvert")[0]->label,
            "Réponses (un par « Financeurs sollicités », clé « Nom »)");
  EXPECT_EQ(BuildDrawing(*def, DrawingLanguage::kEn).RegionsOf("ouvert")[0]->label,
            "Answers (one per \u201cFunders asked\u201d, key \u201cName\u201d)");
}

TEST(DrawingTest, TimersEveryAtAndOnSuspendAreWordedInTheirNotes) {
  const auto def = testing::LoadRepoWorkflow("tests/workflow/testdata/timers_revue.yaml");
  const std::string fr = Joined(FindNote(BuildDrawing(def, DrawingLanguage::kFr), ""));
  EXPECT_THAT(fr, HasSubstr("minuteur « Revue tous les 18 mois » : tous les P18M, jusqu'à la fin, mis en pause pendant "
                            "une suspension, déclenche « Revue à faire »"));
  EXPECT_THAT(fr, HasSubstr("quand est accepté « Comité fixé », minuteur « Rappel du comité » : à la date de "
                            "event.date_comite, annulé par une suspension"));
  EXPECT_THAT(fr, HasSubstr("minuteur « Fin proche » : à la date de state.date_fin, déclenche « Fin proche »"));
  EXPECT_THAT(fr, Not(HasSubstr("0 fois par an")));
  const std::string en = Joined(FindNote(BuildDrawing(def, DrawingLanguage::kEn), ""));
  EXPECT_THAT(en, HasSubstr("timer \u201cReview every 18 months\u201d: every P18M, until the end, paused while "
                            "suspended, fires \u201cReview due\u201d"));
  EXPECT_THAT(en, HasSubstr("on the date in event.date_comite, cancelled by a suspension"));
}

// ---- golden files -------------------------------------------------------

struct GoldenCase {
  std::string workflow;  // the golden files' name
  std::string format;    // mermaid | dot | svg
  DrawingLanguage language;
  std::string path;  // the workflow file, from the repository's root
};

std::string Extension(const std::string& format) { return format == "mermaid" ? "mmd" : format; }

// Graphviz names its version in a comment; a golden must not change with it.
std::string WithoutGeneratorComment(std::string svg) {
  auto at = svg.find("<!-- Generated by graphviz");
  if (at != std::string::npos) svg.erase(at, svg.find("-->", at) + 4 - at);
  return svg;
}

class RenderGoldenTest : public ::testing::TestWithParam<GoldenCase> {};

TEST_P(RenderGoldenTest, MatchesGoldenFile) {
  const GoldenCase& c = GetParam();
  const auto def = testing::LoadRepoWorkflow(c.path);
  const Drawing d = BuildDrawing(def, c.language);
  std::string actual;
  if (c.format == "mermaid") {
    actual = RenderMermaid(d);
  } else if (c.format == "dot") {
    actual = RenderDot(d);
  } else {
    auto svg = RenderSvg(d);
    ASSERT_THAT(svg, IsOk()) << "Graphviz is part of the build's packages (scripts/lib/common.sh)";
    actual = WithoutGeneratorComment(*svg);
  }
  const std::string golden =
      testing::SourcePath("tests/workflow/testdata/render/" + c.workflow + "." +
                          (c.language == DrawingLanguage::kEn ? "en" : "fr") + "." + Extension(c.format));
  if (std::getenv("RELAIS_UPDATE_GOLDEN") != nullptr) {
    std::filesystem::create_directories(std::filesystem::path(golden).parent_path());
    std::ofstream(golden, std::ios::binary) << actual;
    GTEST_SKIP() << "updated " << golden;
  }
  ASSERT_TRUE(std::filesystem::exists(golden)) << "missing " << golden << " (RELAIS_UPDATE_GOLDEN=1 writes it)";
  EXPECT_EQ(actual, testing::ReadFile(golden));
  // The same definition always draws the same.
  EXPECT_EQ(RenderMermaid(BuildDrawing(def, c.language)), RenderMermaid(d));
}

std::vector<GoldenCase> GoldenCases() {
  std::vector<GoldenCase> out;
  for (const char* workflow : {"cbe", "comite-propositions"}) {
    const std::string path = "workflows/" + std::string(workflow) + ".yaml";
    for (const char* format : {"mermaid", "dot", "svg"}) out.push_back({workflow, format, DrawingLanguage::kFr, path});
    out.push_back({workflow, "mermaid", DrawingLanguage::kEn, path});
  }
  // Children, spawn and keyed tracks (no SVG golden: Graphviz's layout of
  // them is checked by DotAcceptsTheLinksAndKeyedTracks below).
  for (const char* workflow : {"links/projet_insertion", "tour_financement"}) {
    const std::string path = "tests/workflow/testdata/" + std::string(workflow) + ".yaml";
    const std::string name = std::string(workflow).substr(std::string(workflow).find('/') + 1);
    for (const char* format : {"mermaid", "dot"}) out.push_back({name, format, DrawingLanguage::kFr, path});
    out.push_back({name, "mermaid", DrawingLanguage::kEn, path});
  }
  return out;
}

INSTANTIATE_TEST_SUITE_P(ShippedWorkflows, RenderGoldenTest, ::testing::ValuesIn(GoldenCases()),
                         [](const ::testing::TestParamInfo<GoldenCase>& test) {
                           std::string name = test.param.workflow + "_" + test.param.format + "_" +
                                              (test.param.language == DrawingLanguage::kEn ? "en" : "fr");
                           for (char& ch : name)
                             if (ch == '-') ch = '_';
                           return name;
                         });

// Graphviz lays out children, spawned projects and keyed tracks (the DOT is valid).
TEST(RenderSvgTest, DotAcceptsTheLinksAndKeyedTracks) {
  for (const char* path :
       {"tests/workflow/testdata/links/projet_insertion.yaml",
        "tests/workflow/testdata/links/parcours_participant.yaml", "tests/workflow/testdata/tour_financement.yaml"}) {
    for (DrawingLanguage lang : {DrawingLanguage::kFr, DrawingLanguage::kEn}) {
      const Drawing d = BuildDrawing(testing::LoadRepoWorkflow(path), lang);
      auto svg = RenderSvg(d);
      ASSERT_THAT(svg, IsOk()) << path;
      EXPECT_THAT(*svg, HasSubstr("<svg")) << path;
      for (const auto& n : d.nodes) {
        if (n.kind == NodeKind::kChildren || n.kind == NodeKind::kSpawned) {
          EXPECT_THAT(*svg, HasSubstr(n.id)) << path;
        }
      }
    }
  }
}

// ---- SVG through Graphviz: its failures -----------------------------------

class RenderSvgFailureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto def = testing::LoadRepoWorkflow("workflows/comite-propositions.yaml");
    drawing_ = BuildDrawing(def, DrawingLanguage::kFr);
  }

  // An executable script in a fresh directory.
  std::string Script(const std::string& name, const std::string& body) {
    dir_ = std::filesystem::temp_directory_path() / ("relais-render-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    const auto path = dir_ / name;
    std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
    return path.string();
  }

  void TearDown() override {
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  Drawing drawing_;
  std::filesystem::path dir_;
};

TEST_F(RenderSvgFailureTest, MissingProgramSaysToInstallGraphviz) {
  SvgOptions options;
  options.dot_program = "relais-no-such-dot-program";
  auto svg = RenderSvg(drawing_, options);
  EXPECT_THAT(svg, StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(svg.status().message(), HasSubstr("Debian package graphviz"));
}

TEST_F(RenderSvgFailureTest, FailingProgramIsReportedWithItsFirstErrorLine) {
  SvgOptions options;
  options.dot_program = Script("dot", "cat >/dev/null; echo 'Error: syntax error in line 3' >&2; exit 3");
  auto svg = RenderSvg(drawing_, options);
  EXPECT_THAT(svg, StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(svg.status().message(), HasSubstr("exit status 3"));
  EXPECT_THAT(svg.status().message(), HasSubstr("Error: syntax error in line 3"));
}

TEST_F(RenderSvgFailureTest, SlowProgramIsStoppedAtTheDeadline) {
  SvgOptions options;
  options.dot_program = Script("dot", "exec sleep 30");
  options.timeout = std::chrono::milliseconds(300);
  const auto start = std::chrono::steady_clock::now();
  auto svg = RenderSvg(drawing_, options);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_THAT(svg, StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(svg.status().message(), HasSubstr("did not finish within 300 ms"));
  EXPECT_LT(took, std::chrono::seconds(5));
}

TEST_F(RenderSvgFailureTest, ProgramThatReadsNothingDoesNotKillTheCaller) {
  // Exits at once without reading its input: writing to it must not raise SIGPIPE.
  SvgOptions options;
  options.dot_program = Script("dot", "echo '<svg/>'");
  auto svg = RenderSvg(drawing_, options);
  ASSERT_THAT(svg, IsOk());
  EXPECT_EQ(*svg, "<svg/>\n");
}

TEST_F(RenderSvgFailureTest, OutputBeyondTheBoundIsStopped) {
  SvgOptions options;
  options.dot_program = Script("dot", "cat >/dev/null; exec yes");
  options.max_output_bytes = 1 << 20;
  auto svg = RenderSvg(drawing_, options);
  EXPECT_THAT(svg, StatusIs(StatusCode::kUnavailable));
  EXPECT_THAT(svg.status().message(), HasSubstr("more than 1048576 bytes"));
}

}  // namespace
}  // namespace relais::workflow
