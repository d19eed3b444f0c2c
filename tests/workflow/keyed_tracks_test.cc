// Tracks keyed by data (tests/workflow/testdata/tour_financement.yaml): one
// track per funder asked, keys that appear and leave with the list, moves of
// one key, aggregate guards over the tracks, a kept track read after its
// phase ended, a refused unknown key; the fold, the replay and the recorded
// effects agree; the loader's diagnostics for every bad form.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/workflow/keyed_tracks.h"
#include "tests/workflow/project_driver.h"
#include "tests/workflow/workflow_test_util.h"

namespace relais::workflow {
namespace {

using testing::AsRefusal;
using testing::Describe;
using ::testing::HasSubstr;
using testing::LoadRepoWorkflow;
using ::testing::Not;
using testing::ProjectDriver;
using testing::ReadFile;
using testing::SourcePath;

constexpr char kFile[] = "tests/workflow/testdata/tour_financement.yaml";

Command Answer(const std::string& partner, const std::string& funder, const std::string& answer) {
  Command c{"reponse_financeur", {{"financeur", funder}, {"reponse", answer}}, {"partner"}, std::nullopt};
  c.actor_subject = "partner:" + partner;
  c.actor_partner = partner;
  return c;
}

Json Keyed(std::vector<std::pair<std::string, std::string>> steps) {
  Json out = Json::array();
  for (auto& [key, step] : steps) out.push_back({{"key", key}, {"step", step}});
  return out;
}

class KeyedTracksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(def_.name.empty());
    EXPECT_ACCEPTED(driver_.Create("", {{"financeurs_sollicites", {"region", "etat"}}}));
  }
  Json Tracks() const { return driver_.state().ProjectView()["tracks"]; }

  // Every recorded event's effects read back from their JSON as they were.
  void ExpectEffectsRoundTrip() const {
    for (const RecordedEvent& e : driver_.history()) {
      auto back = Effects::FromJson(e.effects.ToJson());
      ASSERT_TRUE(back.ok()) << back.status().ToString();
      EXPECT_EQ(*back, e.effects) << DumpJson(e.effects.ToJson());
    }
  }

  WorkflowDefinition def_ = LoadRepoWorkflow(kFile);
  ProjectDriver driver_{def_};
};

TEST_F(KeyedTracksTest, EachFunderAskedHasATrackThatStartsPending) {
  EXPECT_EQ(Tracks()["financeurs"], Keyed({{"etat", "en_attente"}, {"region", "en_attente"}}));
  EXPECT_EQ(Tracks()["soutiens"], Json::array());
  EXPECT_EQ(Tracks()["dossier"], "incomplet") << "fixed tracks keep working beside keyed ones";
  EXPECT_ACCEPTED(driver_.Fire("financeur_sollicite", {{"financeur", "ville"}}));
  EXPECT_EQ(Tracks()["financeurs"], Keyed({{"etat", "en_attente"}, {"region", "en_attente"}, {"ville", "en_attente"}}));
  EXPECT_EQ(driver_.history().back().effects.keyed_tracks.at("financeurs").steps,
            (std::map<std::string, std::string>{{"ville", "en_attente"}}));
  EXPECT_ACCEPTED(driver_.Fire("dossier_complet"));
  EXPECT_EQ(Tracks()["dossier"], "complet");
  driver_.ExpectReplayMatches();
  ExpectEffectsRoundTrip();
}

TEST_F(KeyedTracksTest, AFunderMovesItsOwnTrackOnly) {
  EXPECT_ACCEPTED(driver_.Send(Answer("region", "region", "accorde")));
  EXPECT_EQ(Tracks()["financeurs"], Keyed({{"etat", "en_attente"}, {"region", "accorde"}}));

  auto r = driver_.Send(Answer("etat", "region", "refuse"));
  ASSERT_NE(AsRefusal(r), nullptr) << Describe(r);
  EXPECT_EQ(AsRefusal(r)->code, RefusalCode::kGuardFailed);
  EXPECT_EQ(Tracks()["financeurs"], Keyed({{"etat", "en_attente"}, {"region", "accorde"}}));

  EXPECT_ACCEPTED(driver_.Send(Answer("etat", "etat", "refuse")));
  EXPECT_EQ(Tracks()["financeurs"], Keyed({{"etat", "refuse"}, {"region", "accorde"}}));
  driver_.ExpectReplayMatches();
  ExpectEffectsRoundTrip();
}

TEST_F(KeyedTracksTest, AMoveOfAKeyNotInTheListIsRefusedWithTheKeys) {
  const size_t before = driver_.history().size();
  auto r = driver_.Fire("reponse_financeur", {{"financeur", "ville"}, {"reponse", "accorde"}});
  const Refusal* refusal = AsRefusal(r);
  ASSERT_NE(refusal, nullptr) << Describe(r);
  EXPECT_EQ(refusal->code, RefusalCode::kUnknownTrackKey);
  EXPECT_EQ(RefusalCodeName(refusal->code), "unknown_track_key");
  EXPECT_EQ(refusal->details["track"], "financeurs");
  EXPECT_EQ(refusal->details["key"], "ville");
  EXPECT_EQ(refusal->details["keys"], Json::array({"region", "etat"}));
  EXPECT_EQ(refusal->details["expression"], "event.financeur");
  EXPECT_EQ(refusal->details["at"]["workflow"], "tour_financement");
  EXPECT_GT(refusal->details["at"]["line"].get<int>(), 0);
  EXPECT_EQ(driver_.history().size(), before) << "nothing recorded";
}

TEST_F(KeyedTracksTest, KeysLeaveWithTheListAndComeBackPending) {
  EXPECT_ACCEPTED(driver_.Send(Answer("region", "region", "accorde")));
  EXPECT_ACCEPTED(driver_.Fire("financeur_retire", {{"financeur", "region"}}));
  EXPECT_EQ(Tracks()["financeurs"], Keyed({{"etat", "en_attente"}}));
  EXPECT_EQ(driver_.history().back().effects.keyed_tracks.at("financeurs").left, std::vector<std::string>{"region"});
  EXPECT_ACCEPTED(driver_.Fire("financeur_sollicite", {{"financeur", "region"}}));
  EXPECT_EQ(Tracks()["financeurs"], Keyed({{"etat", "en_attente"}, {"region", "en_attente"}}));
  driver_.ExpectReplayMatches();
}

TEST_F(KeyedTracksTest, AListOfObjectsIsKeyedByItsMember) {
  EXPECT_ACCEPTED(driver_.Fire("lettre_recue", {{"signataire", "maire"}}));
  EXPECT_ACCEPTED(driver_.Fire("lettre_recue", {{"signataire", "cci"}}));
  EXPECT_ACCEPTED(driver_.Fire("lettre_recue", {{"signataire", "maire"}}));  // a second letter, the same key
  EXPECT_EQ(Tracks()["soutiens"], Keyed({{"cci", "recue"}, {"maire", "recue"}}));
  driver_.ExpectReplayMatches();
}

TEST_F(KeyedTracksTest, GuardsCountTheTracksAndAKeptTrackIsReadAfterItsPhase) {
  auto r = driver_.Fire("tour_clos");
  ASSERT_NE(AsRefusal(r), nullptr) << Describe(r);
  EXPECT_EQ(AsRefusal(r)->code, RefusalCode::kGuardFailed);
  EXPECT_EQ(AsRefusal(r)->details["values"]["all(project.tracks.financeurs, item.step != 'en_attente')"], false)
      << DumpJson(AsRefusal(r)->details);

  EXPECT_ACCEPTED(driver_.Send(Answer("region", "region", "accorde")));
  EXPECT_NE(AsRefusal(driver_.Fire("tour_clos")), nullptr) << "etat has not answered";
  EXPECT_ACCEPTED(driver_.Send(Answer("etat", "etat", "refuse")));
  EXPECT_ACCEPTED(driver_.Fire("lettre_recue", {{"signataire", "maire"}}));
  EXPECT_ACCEPTED(driver_.Fire("tour_clos"));
  EXPECT_EQ(driver_.state().phase, "decision");
  // financeurs is kept (keep: true); soutiens and the fixed track ended with the phase.
  EXPECT_EQ(Tracks()["financeurs"], Keyed({{"etat", "refuse"}, {"region", "accorde"}}));
  EXPECT_FALSE(Tracks().contains("soutiens"));
  EXPECT_FALSE(Tracks().contains("dossier"));
  const Effects& closing = driver_.history().back().effects;
  EXPECT_TRUE(closing.keyed_tracks.at("soutiens").ends);
  EXPECT_FALSE(closing.keyed_tracks.count("financeurs"));

  // One grant only, but the State is among the funders (a projection of the kept track).
  EXPECT_ACCEPTED(driver_.Fire("decision_prise"));
  EXPECT_EQ(driver_.state().phase, "cloture");
  EXPECT_EQ(Tracks()["financeurs"], Keyed({{"etat", "refuse"}, {"region", "accorde"}}));
  driver_.ExpectReplayMatches();
  ExpectEffectsRoundTrip();
}

TEST(KeyedTrackEffects, EarlierFormsStillReadAndMalformedOnesAreCorruption) {
  // An effects object written before keyed tracks existed.
  auto old = Effects::FromJson({{"phase", {{"from", "etude"}, {"to", "montage"}}}, {"tracks", {{"p", "a"}}}});
  ASSERT_TRUE(old.ok());
  EXPECT_TRUE(old->keyed_tracks.empty());
  EXPECT_FALSE(old->ToJson().contains("keyed_tracks"));

  Json written = {{"keyed_tracks",
                   {{"financeurs", {{"starts", true}, {"steps", {{"etat", "en_attente"}}}}},
                    {"soutiens", {{"ends", true}}},
                    {"autres", {{"left", {"x"}}}}}}};
  auto read = Effects::FromJson(written);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->ToJson(), written);

  EXPECT_FALSE(Effects::FromJson({{"keyed_tracks", Json::array()}}).ok());
  EXPECT_FALSE(Effects::FromJson({{"keyed_tracks", {{"financeurs", 3}}}}).ok());
  EXPECT_FALSE(Effects::FromJson({{"keyed_tracks", {{"financeurs", {{"steps", "x"}}}}}}).ok());

  // Snapshots: a keyed track is a list in "tracks"; entries without a key and step are corruption.
  ProjectState s;
  s.created = true;
  s.phase = "instruction";
  s.tracks["dossier"] = "incomplet";
  s.keyed_tracks["financeurs"] = {{"etat", "accorde"}};
  auto back = ProjectState::FromJson(s.ToJson());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, s);
  Json bad = s.ToJson();
  bad["tracks"]["financeurs"] = Json::array({{{"key", "etat"}}});
  EXPECT_FALSE(ProjectState::FromJson(bad).ok());
}

TEST(KeyedTrackDefinition, TheCanonicalFormNamesTheKeyingAndFixedTracksKeepTheirForm) {
  WorkflowDefinition def = LoadRepoWorkflow(kFile);
  Json phase = CanonicalJson(def)["phases"][0];
  EXPECT_EQ(
      phase["tracks"][0],
      (Json{{"id", "dossier"}, {"labels", {{"fr", "Dossier"}, {"en", "File"}}}, {"steps", {"incomplet", "complet"}}}));
  EXPECT_EQ(phase["tracks"][1]["keyed_by"], "state.financeurs_sollicites");
  EXPECT_EQ(phase["tracks"][1]["keep"], true);
  EXPECT_EQ(phase["tracks"][1]["step_labels"]["accorde"]["en"], "Granted");
  EXPECT_EQ(phase["tracks"][2]["key"], "signataire");
  // The CBE file (fixed tracks only) keeps its content hash: no keyed member appears.
  WorkflowDefinition cbe = LoadRepoWorkflow("workflows/cbe.yaml");
  EXPECT_THAT(DumpJson(CanonicalJson(cbe)), Not(HasSubstr("keyed")));
}

// The file with one replacement, loaded; the diagnostics as text.
std::string LoadWith(const std::string& from, const std::string& to) {
  std::string text = ReadFile(SourcePath(kFile));
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) text.replace(at, from.size(), to);
  LoadResult r = LoadWorkflowWithDiagnostics(text, "tour.yaml");
  EXPECT_FALSE(r.definition.has_value()) << "expected an error after replacing " << from;
  return r.diagnostics.ToString();
}

struct BadForm {
  const char* name;
  const char* from;
  const char* to;
  std::vector<const char*> expected;  // substrings of the diagnostics
};

TEST(KeyedTrackDiagnostics, EveryBadFormIsReportedWhereItIsWithAFittingHint) {
  const std::vector<BadForm> cases = {
      {"bracket form",
       "tracks: {financeurs: {key: event.financeur, to: accorde}}",
       "tracks:\n          financeurs[event.financeur]: accorde",
       {"error[keyed-track-move]", "found 'financeurs[event.financeur]'",
        "hint: write financeurs: {key: event.financeur, to: accorde}"}},
      {"fixed move of a keyed track",
       "tracks: {financeurs: {key: event.financeur, to: accorde}}",
       "tracks: {financeurs: accorde}",
       {"error[keyed-track-move]", "one step per element of state.financeurs_sollicites",
        "write financeurs: {key: event.<field>, to: accorde}"}},
      {"keyed move of a fixed track",
       "tracks: {dossier: complet}",
       "tracks: {dossier: {key: event.x, to: complet}}",
       {"error[keyed-track-move]", "track 'dossier' is not keyed"}},
      {"unknown step",
       "{key: event.financeur, to: accorde}",
       "{key: event.financeur, to: acorde}",
       {"error[unknown-step]", "did you mean 'accorde'?"}},
      {"unknown track",
       "tracks: {financeurs: {key: event.financeur, to: refuse}}",
       "tracks: {financeur: {key: event.financeur, to: refuse}}",
       {"error[unknown-track]", "'financeur'"}},
      {"key not a text",
       "{key: event.financeur, to: accorde}",
       "{key: count(state.lettres), to: accorde}",
       {"error[guard-type]", "a track key must be a text", "of type number"}},
      {"key undeclared",
       "{key: event.financeur, to: accorde}",
       "{key: event.financer, to: accorde}",
       {"error[unknown-field]", "did you mean 'financeur'?"}},
      {"keyed move without key",
       "{key: event.financeur, to: accorde}",
       "{to: accorde}",
       {"error[missing]", "needs the key it moves"}},
      {"keyed_by without state.",
       "keyed_by: state.financeurs_sollicites",
       "keyed_by: financeurs_sollicites",
       {"error[bad-keyed-by]", "expected state.<field>"}},
      {"keyed_by undeclared",
       "keyed_by: state.financeurs_sollicites",
       "keyed_by: state.financeurs_solicites",
       {"error[unknown-field]", "did you mean 'financeurs_sollicites'?"}},
      {"keyed_by not a list",
       "financeurs_sollicites: {type: array, items: {type: string}}",
       "financeurs_sollicites: {type: string}",
       {"error[keyed-by-type]", "keyed_by needs a list field"}},
      {"objects without key", "        key: signataire\n", "", {"error[keyed-by-type]", "hint: add key: signataire"}},
      {"key member unknown",
       "key: signataire",
       "key: signature",
       {"error[unknown-field]", "no text member 'signature'", "did you mean 'signataire'?"}},
      {"keep on a fixed track",
       "        steps: [incomplet, complet]\n",
       "        steps: [incomplet, complet]\n        keep: true\n",
       {"error[fixed-track]", "keep applies to keyed"}},
      {"step label of no step",
       "          accorde: {fr: \"Accordé\"",
       "          accordee: {fr: \"Accordé\"",
       {"error[unknown-step]", "did you mean 'accorde'?"}},
      {"item field unknown",
       "item.step != 'en_attente'",
       "item.stpe != 'en_attente'",
       {"error[unknown-field]", "did you mean 'step'?"}},
      {"projection unknown",
       "project.tracks.financeurs.key",
       "project.tracks.financeurs.cle",
       {"error[unknown-field]", "project.tracks.financeurs.cle"}},
      {"keyed id used twice",
       "  - id: decision\n    labels: {fr: \"Décision\", en: \"Decision\"}\n",
       "  - id: decision\n    labels: {fr: \"Décision\", en: \"Decision\"}\n    tracks:\n      - id: financeurs\n"
       "        labels: {fr: \"F\", en: \"F\"}\n        steps: [a]\n",
       {"error[duplicate]", "has the id of the keyed track of phase 'instruction'"}},
  };
  for (const BadForm& c : cases) {
    std::string diagnostics = LoadWith(c.from, c.to);
    for (const char* piece : c.expected) EXPECT_THAT(diagnostics, HasSubstr(piece)) << c.name;
    EXPECT_THAT(diagnostics, Not(HasSubstr("accents"))) << c.name;
    EXPECT_THAT(diagnostics, HasSubstr("tour.yaml:")) << c.name;
  }
}

}  // namespace
}  // namespace relais::workflow
