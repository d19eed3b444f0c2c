// The CBE method (workflows/cbe.yaml) end to end through the pure decision
// function: every path the coordinators described.
#include <gtest/gtest.h>

#include <sstream>

#include "tests/workflow/project_driver.h"

namespace relais::workflow {
namespace {

using testing::AsDecision;
using testing::AsRefusal;
using testing::Describe;
using testing::ProjectDriver;

const Json kPorteur = {{"nom", "Association Services Sud Val-de-Marne"}, {"nature", "association"}};

class CbeWorkflowTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { def_ = new WorkflowDefinition(testing::LoadRepoWorkflow("workflows/cbe.yaml")); }
  static void TearDownTestSuite() { delete def_; }

  // Brings a fresh project from creation to the start of the feasibility study.
  void ToEtude(ProjectDriver& p) {
    EXPECT_ACCEPTED(p.Create());
    EXPECT_ACCEPTED(p.Fire("mobilisation_avancee", {{"volet", "partenaires"}, {"etape", "en_cours"}}));
    EXPECT_ACCEPTED(p.Fire("mobilisation_avancee", {{"volet", "partenaires"}, {"etape", "mobilises"}}));
    EXPECT_ACCEPTED(p.Fire("etude_lancee"));
    ASSERT_EQ(p.state().phase, "etude");
  }

  static RefusalCode CodeOf(const DecisionOrRefusal& r) {
    const Refusal* refusal = AsRefusal(r);
    EXPECT_NE(refusal, nullptr) << Describe(r);
    return refusal ? refusal->code : RefusalCode::kInvalidState;
  }

  static WorkflowDefinition* def_;
};

WorkflowDefinition* CbeWorkflowTest::def_ = nullptr;

TEST_F(CbeWorkflowTest, HappyPathFromMobilisationToHandOver) {
  ProjectDriver p(*def_);
  auto created = p.Create();
  ASSERT_TRUE(AsDecision(created)) << Describe(created);
  EXPECT_EQ(p.state().phase, "mobilisation");
  EXPECT_EQ(p.state().tracks.at("partenaires"), "a_mobiliser");
  // The élu's three reviews a year are armed at creation, for the whole life of the action.
  ASSERT_EQ(AsDecision(created)->arm.size(), 1u);
  EXPECT_EQ(AsDecision(created)->arm[0].timer_id, "point_elu");
  EXPECT_EQ(AsDecision(created)->arm[0].delay.ToString(), "P4M");

  EXPECT_ACCEPTED(p.Fire("partenaire_rejoint", {{"partenaire", "CCAS de Fresnes"}}));
  EXPECT_ACCEPTED(p.Fire("partenaire_rejoint", {{"partenaire", "ANPE Orly"}}));
  EXPECT_ACCEPTED(p.Fire("role_attribue", {{"role", "elu_referent"}, {"personne", "Camille Martin"}}));
  EXPECT_ACCEPTED(p.Fire("mobilisation_avancee", {{"volet", "publics"}, {"etape", "mobilises"}}));
  EXPECT_EQ(p.state().tracks.at("publics"), "mobilises");
  // The study needs the partners mobilised first.
  auto early = p.Fire("etude_lancee");
  EXPECT_EQ(CodeOf(early), RefusalCode::kGuardFailed);
  EXPECT_EQ(AsRefusal(early)->message, "les partenaires doivent être mobilisés avant l'étude");
  EXPECT_EQ(AsRefusal(early)->details["values"]["project.tracks.partenaires"], "a_mobiliser");
  EXPECT_ACCEPTED(p.Fire("mobilisation_avancee", {{"volet", "partenaires"}, {"etape", "mobilises"}}));
  EXPECT_ACCEPTED(p.Fire("etude_lancee"));
  EXPECT_EQ(p.state().phase, "etude");
  EXPECT_TRUE(p.state().tracks.empty());

  EXPECT_ACCEPTED(p.Fire("porteur_identifie", kPorteur));
  auto verdict = p.Fire("verdict_faisabilite", {{"verdict", "positif"}}, {"elu"});
  ASSERT_TRUE(AsDecision(verdict)) << Describe(verdict);
  EXPECT_EQ(p.state().phase, "montage");
  EXPECT_EQ(AsDecision(verdict)->notify, (std::vector<std::string>{"action.verdict", "action.phase"}));
  EXPECT_EQ(p.state().fields["porteur"], kPorteur);

  // Montage records approvals, agreements and funding, granted or refused.
  EXPECT_ACCEPTED(
      p.Fire("agrement_obtenu", {{"intitule", "Agrément services à la personne"}, {"organisme", "DDTEFP"}}));
  auto no_convention = p.Fire("activite_demarree", {{"date", "2004-09-01"}});
  EXPECT_EQ(CodeOf(no_convention), RefusalCode::kGuardFailed);
  EXPECT_EQ(AsRefusal(no_convention)->details["guard"], "count(state.conventions) >= 1");
  EXPECT_ACCEPTED(p.Fire("convention_signee", {{"intitule", "Convention CG94"}, {"signataires", {"CG94", "CBE"}}}));
  EXPECT_ACCEPTED(p.Fire("financement_accorde", {{"financeur", "FSE"}, {"montant", 45000}}));
  EXPECT_ACCEPTED(p.Fire("financement_refuse", {{"financeur", "Région"}, {"motif", "hors appel à projets"}}));
  EXPECT_EQ(p.state().fields["financements_accordes"].size(), 1u);
  EXPECT_EQ(p.state().fields["financements_refuses"][0]["financeur"], "Région");

  // The start of activity ends montage; the first-year follow-up is armed.
  auto start = p.Fire("activite_demarree", {{"date", "2004-09-01"}});
  ASSERT_TRUE(AsDecision(start)) << Describe(start);
  EXPECT_EQ(p.state().phase, "portage");
  EXPECT_EQ(p.state().fields["date_demarrage"], "2004-09-01");
  ASSERT_EQ(AsDecision(start)->arm.size(), 1u);
  EXPECT_EQ(AsDecision(start)->arm[0].timer_id, "suivi_premiere_annee");
  EXPECT_EQ(AsDecision(start)->arm[0].delay.ToString(), "P12M");
  EXPECT_EQ(AsDecision(start)->arm[0].fires, "bilan_premiere_annee_du");
  EXPECT_EQ(p.state().armed_timers.count("suivi_premiere_annee"), 1u);

  // Twelve months later the runtime fires the reminder as "system".
  EXPECT_ACCEPTED(p.FireTimer("suivi_premiere_annee"));
  EXPECT_EQ(p.state().fields["bilan_attendu"], true);
  EXPECT_EQ(p.state().armed_timers.count("suivi_premiere_annee"), 0u);
  EXPECT_EQ(CodeOf(p.FireTimer("suivi_premiere_annee")), RefusalCode::kTimerNotArmed);
  EXPECT_ACCEPTED(p.Fire("indicateur_enregistre", {{"indicateur", "emplois_crees"}, {"valeur", 6}}, {"partner"}));
  EXPECT_ACCEPTED(p.Fire("bilan_premiere_annee", {{"resume", "6 emplois créés, 40 familles servies"}}));
  EXPECT_EQ(p.state().fields["bilan_attendu"], false);

  auto handed = p.Fire("action_transmise");
  ASSERT_TRUE(AsDecision(handed)) << Describe(handed);
  EXPECT_EQ(p.state().phase, "transmise");
  EXPECT_EQ(AsDecision(handed)->cancel, std::vector<std::string>{"point_elu"});  // terminal: every timer ends
  EXPECT_TRUE(p.state().armed_timers.empty());
  // A terminal phase accepts only what the file allows there: indicators.
  EXPECT_ACCEPTED(p.Fire("indicateur_enregistre", {{"indicateur", "personnes_placees"}, {"valeur", 12}}));
  EXPECT_EQ(CodeOf(p.Fire("abandonner", {{"motif", "x"}})), RefusalCode::kNotAllowedInPhase);
  p.ExpectReplayMatches();
}

TEST_F(CbeWorkflowTest, NegativeVerdictAbandons) {
  ProjectDriver p(*def_);
  ToEtude(p);
  auto r = p.Fire("verdict_faisabilite", {{"verdict", "negatif"}, {"suite", "abandon"}, {"motif", "pas de besoin"}});
  ASSERT_TRUE(AsDecision(r)) << Describe(r);
  EXPECT_EQ(p.state().phase, "abandonnee");
  EXPECT_EQ(p.state().fields["verdict"], "negatif");
  EXPECT_EQ(p.state().fields["motif_fin"], "pas de besoin");
  EXPECT_TRUE(p.state().armed_timers.empty());
  p.ExpectReplayMatches();
}

TEST_F(CbeWorkflowTest, NegativeVerdictReturnsToMobilisation) {
  ProjectDriver p(*def_);
  ToEtude(p);
  auto r = p.Fire("verdict_faisabilite", {{"verdict", "negatif"}, {"suite", "retour_mobilisation"}});
  ASSERT_TRUE(AsDecision(r)) << Describe(r);
  EXPECT_EQ(p.state().phase, "mobilisation");
  // Back in mobilisation, the tracks start over.
  EXPECT_EQ(p.state().tracks.at("partenaires"), "a_mobiliser");
  EXPECT_EQ(p.state().armed_timers.count("point_elu"), 1u);  // lives until the project ends
  p.ExpectReplayMatches();
}

TEST_F(CbeWorkflowTest, NegativeVerdictMustSayWhatNext) {
  ProjectDriver p(*def_);
  ToEtude(p);
  auto r = p.Fire("verdict_faisabilite", {{"verdict", "negatif"}});
  ASSERT_EQ(CodeOf(r), RefusalCode::kGuardFailed);
  EXPECT_EQ(AsRefusal(r)->details["values"]["event.suite"], nullptr);
  EXPECT_EQ(p.state().phase, "etude");
}

TEST_F(CbeWorkflowTest, NoMontageWithoutPorteur) {
  ProjectDriver p(*def_);
  ToEtude(p);
  // A positive verdict without a porteur is recorded but does not open montage.
  auto verdict = p.Fire("verdict_faisabilite", {{"verdict", "positif"}});
  ASSERT_TRUE(AsDecision(verdict)) << Describe(verdict);
  EXPECT_EQ(p.state().phase, "etude");
  auto refused = p.Fire("montage_demarre");
  ASSERT_EQ(CodeOf(refused), RefusalCode::kGuardFailed);
  const Refusal& why = *AsRefusal(refused);
  EXPECT_EQ(why.message, "la recherche d'un porteur est un préalable au montage");
  EXPECT_EQ(why.details["guard"], "exists(state.porteur)");
  EXPECT_EQ(why.details["values"], Json({{"state.porteur", nullptr}}));
  // Where the rule is: the workflow and the line of its guard, never the file's path.
  const Json& at = why.details["at"];
  EXPECT_EQ(at["workflow"], "cbe_action");
  EXPECT_EQ(at.size(), 3u) << at;
  std::istringstream lines(testing::ReadFile(testing::SourcePath("workflows/cbe.yaml")));
  std::string line;
  for (int n = 0; n < at["line"].get<int>(); ++n) std::getline(lines, line);
  EXPECT_NE(line.find("exists(state.porteur)"), std::string::npos) << "line " << at["line"] << ": " << line;
  // The 1-based column of the opening quote is the 0-based index of the text after it.
  EXPECT_EQ(at["column"].get<size_t>(), line.find("exists(state.porteur)")) << line;
  ASSERT_EQ(why.details["unmet"].size(), 1u);
  EXPECT_EQ(why.details["unmet"][0]["messages"]["fr"], "la recherche d'un porteur est un préalable au montage");
  EXPECT_EQ(why.ToJson()["code"], "guard_failed");
  EXPECT_ACCEPTED(p.Fire("porteur_identifie", kPorteur));
  EXPECT_ACCEPTED(p.Fire("montage_demarre"));
  EXPECT_EQ(p.state().phase, "montage");
  p.ExpectReplayMatches();
}

TEST_F(CbeWorkflowTest, SuspendAndResumeFreezeDecisions) {
  ProjectDriver p(*def_);
  ToEtude(p);
  EXPECT_ACCEPTED(p.Fire("suspendre", {{"motif", "élections municipales"}}, {"elu"}));
  EXPECT_TRUE(p.state().suspended);
  EXPECT_EQ(p.state().fields["motif_suspension"], "élections municipales");
  auto frozen = p.Fire("verdict_faisabilite", {{"verdict", "positif"}});
  EXPECT_EQ(CodeOf(frozen), RefusalCode::kSuspended);
  EXPECT_EQ(CodeOf(p.Fire("suspendre", {{"motif", "encore"}})), RefusalCode::kAlreadySuspended);
  // Life goes on for what is not a decision.
  EXPECT_ACCEPTED(p.Fire("partenaire_rejoint", {{"partenaire", "AFPA"}}));
  EXPECT_ACCEPTED(p.Fire("indicateur_enregistre", {{"indicateur", "autre"}, {"valeur", 1}}));
  EXPECT_ACCEPTED(p.Fire("reprendre", {}, {"coordinator"}));
  EXPECT_FALSE(p.state().suspended);
  EXPECT_FALSE(p.state().fields.contains("motif_suspension"));
  EXPECT_EQ(CodeOf(p.Fire("reprendre")), RefusalCode::kNotSuspended);
  EXPECT_ACCEPTED(p.Fire("verdict_faisabilite", {{"verdict", "negatif"}, {"suite", "abandon"}}));
  p.ExpectReplayMatches();
}

TEST_F(CbeWorkflowTest, AbandonFromAnyOpenPhaseEvenSuspended) {
  for (const std::string phase : {"mobilisation", "etude", "montage", "portage", "en_continu"}) {
    ProjectDriver p(*def_);
    EXPECT_ACCEPTED(p.Create(phase, {{"porteur", kPorteur}}));
    EXPECT_ACCEPTED(p.Fire("suspendre", {{"motif", "élections"}}));
    auto r = p.Fire("abandonner", {{"motif", "le besoin a disparu"}}, {"elu"});
    ASSERT_TRUE(AsDecision(r)) << phase << ": " << Describe(r);
    EXPECT_EQ(p.state().phase, "abandonnee");
    EXPECT_EQ(CodeOf(p.Fire("reprendre")), RefusalCode::kNotAllowedInPhase);
    p.ExpectReplayMatches();
  }
}

TEST_F(CbeWorkflowTest, SkippedPhasesAndActionsAlreadyUnderWay) {
  // The plan skips mobilisation and étude: created straight in montage, porteur known.
  ProjectDriver p(*def_);
  EXPECT_ACCEPTED(p.Create("montage", {{"porteur", kPorteur}, {"partenaires", {"Semmaris"}}}));
  EXPECT_EQ(p.state().phase, "montage");
  EXPECT_EQ(p.state().fields["partenaires"][0], "Semmaris");
  EXPECT_ACCEPTED(p.Fire("convention_signee", {{"intitule", "Convention Semmaris"}}));
  EXPECT_ACCEPTED(p.Fire("activite_demarree", {{"date", "2003-06-01"}}));
  EXPECT_EQ(p.state().phase, "portage");
  // An action "en cours" in portage when the plan starts: the follow-up timer is armed at creation.
  ProjectDriver q(*def_);
  auto r = q.Create("portage", {{"porteur", kPorteur}});
  ASSERT_TRUE(AsDecision(r));
  EXPECT_EQ(AsDecision(r)->arm.size(), 2u);
  // Not every phase is a valid start.
  ProjectDriver bad(*def_);
  EXPECT_EQ(CodeOf(bad.Create("transmise")), RefusalCode::kUnknownPhase);
  EXPECT_EQ(CodeOf(bad.Create("etude", {{"porteur", "juste un nom"}})), RefusalCode::kInvalidData);
  EXPECT_EQ(CodeOf(bad.Create("", {}, {"partner"})), RefusalCode::kRoleNotAllowed);
  EXPECT_EQ(CodeOf(bad.Fire("etude_lancee")), RefusalCode::kNotCreated);
}

TEST_F(CbeWorkflowTest, ContinuousActionsHaveNoPhases) {
  ProjectDriver p(*def_);
  EXPECT_ACCEPTED(p.Create("en_continu"));
  EXPECT_ACCEPTED(p.Fire("action_realisee", {{"description", "Forum des métiers de services, Thiais"}}, {"referent"}));
  EXPECT_EQ(p.state().fields["realisations"].size(), 1u);
  auto r = p.Fire("etude_lancee");
  ASSERT_EQ(CodeOf(r), RefusalCode::kNotAllowedInPhase);
  EXPECT_EQ(AsRefusal(r)->details["allowed_phases"], Json::array({"mobilisation"}));
  EXPECT_EQ(p.state().phase, "en_continu");
}

TEST_F(CbeWorkflowTest, PartnersAndRolesComeAndGo) {
  ProjectDriver p(*def_);
  EXPECT_ACCEPTED(p.Create());
  EXPECT_ACCEPTED(p.Fire("partenaire_rejoint", {{"partenaire", "CCAS"}}));
  EXPECT_ACCEPTED(p.Fire("partenaire_rejoint", {{"partenaire", "AI"}}));
  EXPECT_ACCEPTED(p.Fire("partenaire_parti", {{"partenaire", "CCAS"}}));
  EXPECT_EQ(p.state().fields["partenaires"], Json::array({"AI"}));
  EXPECT_ACCEPTED(
      p.Fire("role_attribue", {{"role", "referent_technique"}, {"personne", "Dominique Petit"}}, {"admin"}));
  EXPECT_EQ(p.state().fields["referent_technique"], "Dominique Petit");
  EXPECT_ACCEPTED(p.Fire("role_vacant", {{"role", "referent_technique"}}));
  EXPECT_FALSE(p.state().fields.contains("referent_technique"));
  p.ExpectReplayMatches();
}

TEST_F(CbeWorkflowTest, RefusalsArePrecise) {
  ProjectDriver p(*def_);
  EXPECT_ACCEPTED(p.Create());
  auto unknown = p.Fire("verdict_faisabilit");
  ASSERT_EQ(CodeOf(unknown), RefusalCode::kUnknownEventType);
  auto role = p.Fire("etude_lancee", {}, {"observer", "partner"});
  ASSERT_EQ(CodeOf(role), RefusalCode::kRoleNotAllowed);
  EXPECT_EQ(AsRefusal(role)->details["allowed_roles"], Json::array({"coordinator"}));
  auto phase = p.Fire("verdict_faisabilite", {{"verdict", "positif"}});
  ASSERT_EQ(CodeOf(phase), RefusalCode::kNotAllowedInPhase);
  EXPECT_EQ(AsRefusal(phase)->details["phase"], "mobilisation");
  EXPECT_EQ(AsRefusal(phase)->details["allowed_phases"], Json::array({"etude"}));
  auto data = p.Fire("mobilisation_avancee", {{"volet", "publics"}, {"etape", "fini"}, {"x", 1}});
  ASSERT_EQ(CodeOf(data), RefusalCode::kInvalidData);
  EXPECT_EQ(AsRefusal(data)->details["violations"][0]["path"], "$.etape");
  EXPECT_EQ(AsRefusal(data)->details["violations"][1]["path"], "$.x");
  EXPECT_EQ(AsRefusal(data)->message.rfind("invalid data at $.etape", 0), 0u);
  EXPECT_EQ(p.history().size(), 1u);  // refusals append nothing
}

}  // namespace
}  // namespace relais::workflow
