// The shipped methods of other bodies, end to end: a real `relais serve` on
// workflows/ (RocksDB in a temp directory), real HTTP clients with role and
// partner tokens, and the node receiver verifying every webhook with the
// `standardwebhooks` package.
//   - workflows/insertion-recrutement.yaml + parcours-personne.yaml: partners
//     who join, people followed one by one as child projects (created by a
//     referring partner, seen by the parent's partners, counted by the
//     parent's guards), conditions on who acts, a timer on a date of the
//     event, the children route, and the copy spawned elsewhere, exactly once.
//   - workflows/tour-de-table-financeurs.yaml: funders who join when asked and
//     answer only for themselves, a conditional schema (if/then/else), keyed
//     tracks, the repeating review paused by an election period across a
//     restart, topics on endpoints.
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <set>
#include <thread>

#include <boost/beast/http.hpp>

#include "engine/api/authenticator.h"
#include "engine/util/json.h"
#include "tests/testing/loopback_client.h"
#include "tests/testing/temp_dir.h"

namespace relais {
namespace {

namespace http = boost::beast::http;
using namespace std::chrono_literals;
using ::testing::HasSubstr;
using Client = relais::testing::LoopbackClient;
using Child = relais::testing::PortedChild;
using SteadyClock = std::chrono::steady_clock;

constexpr char kCoordinator[] = "me-coordinator-token";
constexpr char kMissionLocale[] = "me-mission-locale-token";  // partner ml-orly, a referring partner
constexpr char kEmployeur[] = "me-employeur-token";           // partner services-plus, an employer
constexpr char kCcas[] = "me-ccas-token";                     // partner ccas-fresnes, never part of these projects
constexpr char kRegion[] = "me-region-token";                 // partner region-idf, a funder
constexpr char kEtat[] = "me-etat-token";                     // partner etat, a funder
constexpr char kSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

class MethodsEndToEndTest : public ::testing::Test {
 protected:
  void SetUp() override {
    config_ = dir_.Sub("relais.yaml");
    auto token = [](const char* secret, const std::string& subject, const std::string& role,
                    const std::string& partner) {
      std::string t = "  - sha256: " + api::Authenticator::Sha256Hex(secret) + "\n    subject: " + subject +
                      "\n    roles: [" + role + "]\n";
      if (!partner.empty()) t += "    partner: " + partner + "\n";
      return t;
    };
    std::ofstream(config_) << "server:\n  listen_address: 127.0.0.1\n  port: 0\n  drain_timeout_ms: 1000\n"
                           << "data_dir: " << dir_.Sub("data") << "\n"
                           << "workflows_dir: " << RELAIS_SOURCE_DIR << "/workflows\n"
                           << "api:\n  worker_threads: 4\n"
                           << "webhooks:\n  retry_schedule_ms: [0, 100, 200, 500]\n  retry_jitter_percent: 0\n"
                           << "  allowed_ranges: [127.0.0.1/32]\n  max_sleep_ms: 50\n"
                           << "tokens:\n"
                           << token(kCoordinator, "person:claire.dumas", "coordinator", "")
                           << token(kMissionLocale, "partner:ml-orly", "partner", "ml-orly")
                           << token(kEmployeur, "partner:services-plus", "partner", "services-plus")
                           << token(kCcas, "partner:ccas-fresnes", "partner", "ccas-fresnes")
                           << token(kRegion, "partner:region-idf", "partner", "region-idf")
                           << token(kEtat, "partner:etat", "partner", "etat");
    StartServer();
    receiver_ = std::make_unique<Child>(
        std::vector<std::string>{"node", RECEIVER_JS, "--port", "0", "--secrets", kSecret}, "receiver listening ");
    ASSERT_NE(receiver_->port(), 0) << "the node receiver did not start (run ./scripts/test, which installs it)";
  }
  void TearDown() override {
    if (server_) {
      EXPECT_EQ(server_->Kill(SIGTERM), 0);
    }
  }

  void StartServer() {
    server_ = std::make_unique<Child>(std::vector<std::string>{RELAIS_BINARY, "serve", "--config", config_},
                                      "relais listening on http://127.0.0.1:");
    ASSERT_NE(server_->port(), 0) << "relais serve did not start: " << server_->output();
  }
  void RestartServer() {
    ASSERT_EQ(server_->Kill(SIGTERM), 0);
    server_.reset();
    StartServer();
  }

  Client::Result Call(http::verb verb, const std::string& target, const std::string& token, const Json& body = nullptr,
                      const Client::Headers& headers = {}) {
    Client c(server_->port());
    return c.Call(verb, target, token, body, headers);
  }
  Client::Result Create(const char* token, const Json& body) {
    return Call(http::verb::post, "/v1/projects", token, body);
  }
  Client::Result Fire(const char* token, const std::string& project, const std::string& type,
                      const Json& data = Json::object(), const Client::Headers& headers = {}) {
    return Call(http::verb::post, "/v1/projects/" + project + "/events", token, {{"type", type}, {"data", data}},
                headers);
  }
  Json Get(const std::string& project, const char* token = kCoordinator) {
    auto r = Call(http::verb::get, "/v1/projects/" + project, token);
    EXPECT_EQ(r.status, 200) << project << ": " << r.raw;
    return r.body;
  }
  // Waits until pred holds for the project as the coordinator sees it.
  Json WaitFor(const std::string& project, const std::function<bool(const Json&)>& pred, std::chrono::seconds t = 20s) {
    Json last;
    for (auto deadline = SteadyClock::now() + t; SteadyClock::now() < deadline; std::this_thread::sleep_for(50ms)) {
      auto r = Call(http::verb::get, "/v1/projects/" + project, kCoordinator);
      last = r.body;
      if (r.status == 200 && pred(last)) return last;
    }
    ADD_FAILURE() << "waited in vain on " << project << ": " << last;
    return last;
  }
  // A partner's endpoint, registered with its own token, receiving at /ok?<name>.
  void Endpoint(const char* token, const std::string& name, Json extra = Json::object()) {
    Json body = {{"url", "http://127.0.0.1:" + std::to_string(receiver_->port()) + "/ok?" + name}, {"secret", kSecret}};
    body.update(extra);
    auto r = Call(http::verb::post, "/v1/webhooks/endpoints", token, body);
    ASSERT_EQ(r.status, 201) << r.raw;
  }
  Json Received() {
    Client c(receiver_->port());
    return c.Call(http::verb::get, "/received", "").body;
  }
  // The deliveries received at /ok?<name>, once at least n distinct ones
  // (by webhook-id: a delivery may arrive twice) arrived, or the timeout.
  Json ReceivedAt(const std::string& name, size_t n, std::chrono::seconds t = 20s) {
    Json at = Json::array();
    for (auto deadline = SteadyClock::now() + t; SteadyClock::now() < deadline; std::this_thread::sleep_for(50ms)) {
      at = Json::array();
      const Json all = Received();  // kept: the loop reads into it
      for (const Json& d : all["received"])
        if (d["path"] == "/ok?" + name) at.push_back(d);
      if (Field(at, "id").size() >= n) break;
    }
    return at;
  }
  static std::set<std::string> Field(const Json& deliveries, const std::string& key) {
    std::set<std::string> out;
    for (const Json& d : deliveries) out.insert(d[key].is_string() ? d[key].get<std::string>() : d[key].dump());
    return out;
  }

  relais::testing::TempDir dir_;
  std::string config_;
  std::unique_ptr<Child> server_;
  std::unique_ptr<Child> receiver_;
};

Json Person(const std::string& id, const std::string& parent, const std::string& reference) {
  return {{"id", id},
          {"workflow", "parcours_personne"},
          {"title", "Personne " + reference},
          {"parent", {{"project", parent}, {"children", "personnes"}}},
          {"fields", {{"reference", reference}, {"prescripteur", "ml-orly"}}}};
}

TEST_F(MethodsEndToEndTest, AnInsertionProjectFollowsPeopleOneByOneAndIsCopiedElsewhereOnce) {
  Endpoint(kMissionLocale, "ml");
  Endpoint(kEmployeur, "employeur");
  Endpoint(kCcas, "ccas");
  auto created = Create(kCoordinator, {{"id", "insertion-orly"},
                                       {"workflow", "insertion_recrutement"},
                                       {"title", "Recrutements accompagnés à Orly"},
                                       {"programme", "sud-val-de-marnais"},
                                       {"axis", "2"},
                                       {"fields", {{"territoire", "Orly"}, {"objectif_recrutements", 2}}}});
  ASSERT_EQ(created.status, 201) << created.raw;
  // Not a partner yet: the mission locale does not see the project.
  EXPECT_EQ(Call(http::verb::get, "/v1/projects/insertion-orly", kMissionLocale).status, 404);

  // Partners join by events of the method.
  ASSERT_EQ(
      Fire(kCoordinator, "insertion-orly", "employeur_engage", {{"employeur", "services-plus"}, {"postes", 2}}).status,
      201);
  auto early = Fire(kCoordinator, "insertion-orly", "recrutement_ouvert");
  EXPECT_EQ(early.status, 422);
  EXPECT_EQ(early.body.value("code", ""), "guard_failed") << early.raw;
  ASSERT_EQ(Fire(kCoordinator, "insertion-orly", "prescripteur_associe", {{"prescripteur", "ml-orly"}}).status, 201);
  Json parent = Get("insertion-orly", kMissionLocale);
  EXPECT_EQ(parent["info"]["partners"], Json::array({"services-plus", "ml-orly"})) << parent;
  EXPECT_EQ(parent["state"]["fields"]["postes_offerts"], 2);
  ASSERT_EQ(Fire(kCoordinator, "insertion-orly", "recrutement_ouvert").status, 201);

  // The mission locale adds the people it refers; a partner outside the project may not.
  ASSERT_EQ(Create(kMissionLocale, Person("personne-ml-0001", "insertion-orly", "ML-0001")).status, 201);
  ASSERT_EQ(Create(kMissionLocale, Person("personne-ml-0002", "insertion-orly", "ML-0002")).status, 201);
  EXPECT_EQ(Create(kCcas, Person("personne-ccas", "insertion-orly", "CC-0001")).status, 404);
  // The employer, a partner of the parent, sees them (visibility: parent); the CCAS does not.
  EXPECT_EQ(Call(http::verb::get, "/v1/projects/personne-ml-0001", kEmployeur).status, 200);
  EXPECT_EQ(Call(http::verb::get, "/v1/projects/personne-ml-0001", kCcas).status, 404);

  // Nobody recruited yet, and two people waiting: both unmet conditions are said.
  auto closing = Fire(kCoordinator, "insertion-orly", "recrutement_clos");
  ASSERT_EQ(closing.status, 422);
  EXPECT_EQ(closing.body["details"]["unmet"].size(), 2u) << closing.raw;
  EXPECT_THAT(closing.body["messages"]["fr"].get<std::string>(), HasSubstr("au moins une personne"));

  // Who acts: the employer may not match the mission locale's people with an offer.
  auto usurped = Fire(kEmployeur, "personne-ml-0001", "positionnement",
                      {{"employeur", "services-plus"}, {"poste", "Agent d'entretien"}});
  EXPECT_EQ(usurped.status, 422);
  EXPECT_EQ(usurped.body.value("code", ""), "guard_failed") << usurped.raw;
  ASSERT_EQ(Fire(kMissionLocale, "personne-ml-0001", "positionnement",
                 {{"employeur", "services-plus"}, {"poste", "Agent d'entretien"}})
                .status,
            201);
  ASSERT_EQ(Fire(kEmployeur, "personne-ml-0001", "preselection").status, 201);
  // The start date is past: the timer on the event's date fires at once and
  // the person is in work (role system).
  ASSERT_EQ(Fire(kEmployeur, "personne-ml-0001", "recrutement", {{"date_prise_de_poste", "2026-01-05"}}).status, 201);
  Json in_work = WaitFor("personne-ml-0001", [](const Json& p) { return p["state"]["phase"] == "en_poste"; });
  bool follow_up = false;
  for (const Json& t : in_work["timers"]) follow_up |= t.value("id", "") == "point_de_suivi" && t["due"].is_string();
  EXPECT_TRUE(follow_up) << in_work["timers"];
  ASSERT_EQ(Fire(kEmployeur, "personne-ml-0002", "non_retenue", {{"motif", "Horaires incompatibles"}}).status, 201);
  ASSERT_EQ(Fire(kCoordinator, "insertion-orly", "recrutement_clos").status, 201);

  // The children route: counts per phase and the milestones the parent's history shows.
  auto children = Call(http::verb::get, "/v1/projects/insertion-orly/children", kEmployeur);
  ASSERT_EQ(children.status, 200) << children.raw;
  const Json& counts = children.body["counts"]["personnes"];
  EXPECT_EQ(counts["total"], 2) << children.raw;
  EXPECT_EQ(counts["open"], 1);
  EXPECT_EQ(counts["phases"]["en_poste"], 1);
  EXPECT_EQ(counts["phases"]["non_retenue"], 1);
  EXPECT_EQ(counts["phases"]["identifiee"], 0);
  EXPECT_GE(children.body["milestones"].size(), 7u) << "2 creations and 5 changes of phase";

  // The assessment waits for every path to be closed.
  ASSERT_EQ(Fire(kCoordinator, "insertion-orly", "bilan_du").status, 201);
  auto assess = [&] {
    return Fire(kCoordinator, "insertion-orly", "bilan_etabli", {{"recrutes", 1}, {"en_emploi_a_six_mois", 1}});
  };
  EXPECT_EQ(assess().status, 422);
  ASSERT_EQ(Fire(kMissionLocale, "personne-ml-0001", "sortie", {{"issue", "emploi_durable"}}).status, 201);
  ASSERT_EQ(assess().status, 201);

  // Copied to another territory: re-sent with the same key, still one copy.
  const Json copy = {{"titre", "Recrutements accompagnés à Villeneuve-le-Roi"},
                     {"territoire", "Villeneuve-le-Roi"},
                     {"objectif_recrutements", 3}};
  const Client::Headers key = {{"Idempotency-Key", "essaimage-vlr"}};
  auto spawned = Fire(kCoordinator, "insertion-orly", "essaimage", copy, key);
  ASSERT_EQ(spawned.status, 201) << spawned.raw;
  auto again = Fire(kCoordinator, "insertion-orly", "essaimage", copy, key);
  EXPECT_EQ(again.raw, spawned.raw);
  Json origin = Get("insertion-orly");
  ASSERT_EQ(origin["state"]["spawned"].size(), 1u) << origin;
  const std::string copy_id = origin["state"]["spawned"][0]["project"];
  Json made = WaitFor(copy_id, [](const Json& p) { return p.contains("info"); });
  EXPECT_EQ(made["info"]["workflow"], "insertion_recrutement");
  EXPECT_EQ(made["info"]["origin"]["project"], "insertion-orly") << made;
  EXPECT_EQ(made["info"]["origin"]["link"], "essaimage");
  EXPECT_EQ(made["info"]["partners"], Json::array({"services-plus", "ml-orly"})) << "the origin's partners";
  EXPECT_EQ(made["state"]["phase"], "mobilisation");
  EXPECT_EQ(made["state"]["fields"]["territoire"], "Villeneuve-le-Roi");
  // The list is the read model, which follows the store: wait for the copy there.
  Client::Result listed;
  for (int tries = 0; tries < 200; ++tries, std::this_thread::sleep_for(50ms)) {
    listed = Call(http::verb::get, "/v1/projects?workflow=insertion_recrutement&limit=100", kCoordinator);
    if (listed.status == 200 && listed.body["projects"].size() >= 2) break;
  }
  ASSERT_EQ(listed.status, 200) << listed.raw;
  EXPECT_EQ(listed.body["projects"].size(), 2u) << listed.raw;
  // The same territory twice is refused.
  EXPECT_EQ(Fire(kCoordinator, "insertion-orly", "essaimage", copy).status, 422);

  // Webhooks, verified by the receiver: the employer heard of the project
  // from the event after it joined, and of the people's path (the parent's
  // partners hear of its sub-items); the CCAS heard nothing.
  Json employer = ReceivedAt("employeur", 14);
  const std::set<std::string> projects = Field(employer, "project");
  EXPECT_TRUE(projects.count("insertion-orly")) << employer;
  EXPECT_TRUE(projects.count("personne-ml-0001")) << employer;
  EXPECT_TRUE(projects.count("personne-ml-0002")) << employer;
  const std::set<std::string> types = Field(employer, "type");
  EXPECT_TRUE(types.count("recrutement")) << employer;
  EXPECT_TRUE(types.count("prise_de_poste")) << "the timer's event too";
  EXPECT_FALSE(types.count("employeur_engage")) << "the joining event goes to the partners it had";
  Json ml = ReceivedAt("ml", 10);
  EXPECT_TRUE(Field(ml, "project").count("personne-ml-0002")) << ml;
  const Json all = Received();
  for (const Json& d : all["received"]) {
    EXPECT_NE(d["path"], "/ok?ccas") << d;
    EXPECT_FALSE(d["verified_with"].empty()) << d;
  }
  EXPECT_EQ(Received()["rejected"], 0);
}

TEST_F(MethodsEndToEndTest, FundersAnswerForThemselvesAndAnElectionPausesTheReviewAcrossARestart) {
  Endpoint(kEtat, "etat-reponses", {{"topics", {"financement.reponse"}}});
  Endpoint(kRegion, "region");
  auto created = Create(kCoordinator, {{"id", "tour-mobilite"},
                                       {"workflow", "tour_de_table_financeurs"},
                                       {"title", "Financement de la plate-forme mobilité"},
                                       {"programme", "sud-val-de-marnais"},
                                       {"axis", "3"},
                                       {"fields", {{"budget", 100000}}}});
  ASSERT_EQ(created.status, 201) << created.raw;
  Json round = Get("tour-mobilite");
  ASSERT_EQ(round["timers"].size(), 1u) << round["timers"];
  EXPECT_EQ(round["timers"][0]["id"], "revue");
  EXPECT_TRUE(round["timers"][0]["due"].is_string()) << round["timers"];

  // Three support letters make the file complete; two do not.
  for (const char* who : {"Maire de Fresnes", "Directrice de la mission locale"})
    ASSERT_EQ(Fire(kCoordinator, "tour-mobilite", "lettre_de_soutien", {{"signataire", who}}).status, 201);
  auto incomplete = Fire(kCoordinator, "tour-mobilite", "dossier_complet", Json::object(), {{"Accept-Language", "en"}});
  ASSERT_EQ(incomplete.status, 422);
  EXPECT_THAT(incomplete.body.value("reason", ""), HasSubstr("at least three support letters")) << incomplete.raw;
  ASSERT_EQ(Fire(kCoordinator, "tour-mobilite", "lettre_de_soutien", {{"signataire", "Président du CBE"}}).status, 201);
  ASSERT_EQ(Fire(kCoordinator, "tour-mobilite", "dossier_complet").status, 201);

  // Funders join when asked: from then on they see the round.
  EXPECT_EQ(Call(http::verb::get, "/v1/projects/tour-mobilite", kEtat).status, 404);
  ASSERT_EQ(
      Fire(kCoordinator, "tour-mobilite", "financeur_sollicite", {{"financeur", "region-idf"}, {"montant", 60000}})
          .status,
      201);
  ASSERT_EQ(
      Fire(kCoordinator, "tour-mobilite", "financeur_sollicite", {{"financeur", "etat"}, {"montant", 50000}}).status,
      201);
  EXPECT_EQ(Call(http::verb::get, "/v1/projects/tour-mobilite", kEtat).status, 200);
  ASSERT_EQ(Fire(kCoordinator, "tour-mobilite", "instruction_ouverte").status, 201);

  // Each funder answers for itself; a grant says how much (if/then in the schema).
  auto usurped = Fire(kRegion, "tour-mobilite", "reponse_financeur", {{"financeur", "etat"}, {"reponse", "refuse"}});
  EXPECT_EQ(usurped.status, 422);
  EXPECT_THAT(usurped.body["messages"]["fr"].get<std::string>(), HasSubstr("ne répond que pour lui-même"))
      << usurped.raw;
  auto no_amount =
      Fire(kRegion, "tour-mobilite", "reponse_financeur", {{"financeur", "region-idf"}, {"reponse", "accorde"}});
  EXPECT_EQ(no_amount.status, 422);
  EXPECT_EQ(no_amount.body.value("code", ""), "invalid_data") << no_amount.raw;
  ASSERT_EQ(Fire(kRegion, "tour-mobilite", "reponse_financeur",
                 {{"financeur", "region-idf"}, {"reponse", "accorde"}, {"montant", 60000}})
                .status,
            201);

  // An election period: decisions frozen, the review paused, across a restart.
  ASSERT_EQ(Fire(kCoordinator, "tour-mobilite", "reserve_electorale", {{"scrutin", "Municipales"}}).status, 201);
  auto frozen = Fire(kEtat, "tour-mobilite", "reponse_financeur",
                     {{"financeur", "etat"}, {"reponse", "accorde"}, {"montant", 50000}});
  EXPECT_EQ(frozen.status, 422);
  EXPECT_EQ(frozen.body.value("code", ""), "suspended") << frozen.raw;
  RestartServer();
  Json paused = Get("tour-mobilite");
  EXPECT_TRUE(paused["state"]["suspended"].get<bool>());
  ASSERT_EQ(paused["timers"].size(), 1u) << paused["timers"];
  EXPECT_TRUE(paused["timers"][0]["due"].is_null()) << paused["timers"];
  EXPECT_THAT(paused["timers"][0].value("paused_remaining", ""), ::testing::StartsWith("P")) << "an ISO 8601 duration";
  ASSERT_EQ(Fire(kCoordinator, "tour-mobilite", "reprise").status, 201);
  Json resumed = Get("tour-mobilite");
  EXPECT_TRUE(resumed["timers"][0]["due"].is_string()) << resumed["timers"];
  EXPECT_FALSE(resumed["timers"][0].contains("paused_remaining")) << resumed["timers"];

  ASSERT_EQ(Fire(kEtat, "tour-mobilite", "reponse_financeur",
                 {{"financeur", "etat"}, {"reponse", "accorde"}, {"montant", 50000}})
                .status,
            201);
  ASSERT_EQ(Fire(kCoordinator, "tour-mobilite", "instruction_close").status, 201);
  ASSERT_EQ(Fire(kCoordinator, "tour-mobilite", "plan_boucle").status, 201);
  Json funded = Get("tour-mobilite");
  EXPECT_EQ(funded["state"]["phase"], "finance");
  EXPECT_EQ(funded["state"]["tracks"]["financeurs"],
            Json::array({{{"key", "etat"}, {"step", "accorde"}}, {{"key", "region-idf"}, {"step", "accorde"}}}))
      << "kept after the phase (keep: true)";
  EXPECT_TRUE(funded["timers"].empty()) << "a terminal phase cancels the review";

  // The State's endpoint declared one topic: it got exactly the answers given
  // after it joined (once each after dedup by webhook-id: a delivery under
  // way when the server stops is sent again after the restart); the
  // region's endpoint gets every event after its joining.
  Json etat = ReceivedAt("etat-reponses", 2);
  EXPECT_EQ(Field(etat, "id").size(), 2u) << etat;
  for (const Json& d : etat) {
    EXPECT_EQ(d["type"], "reponse_financeur");
    EXPECT_EQ(d["topics"], Json::array({"financement.reponse"}));
  }
  Json region = ReceivedAt("region", 8);
  EXPECT_TRUE(Field(region, "type").count("reserve_electorale")) << region;
  EXPECT_TRUE(Field(region, "type").count("plan_boucle")) << region;
  EXPECT_EQ(Received()["rejected"], 0);
}

}  // namespace
}  // namespace relais
