// Partners who join and leave a running project: through a workflow event
// (cbe.yaml's partenaire_associe / partenaire_retire, `partners: {join, leave}`)
// and through PUT /v1/projects/{id}/partners. From the next event on, the
// partner sees the project, lists find it under the partner, and its webhook
// endpoints get the project's deliveries; after leaving, none of that.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/api/api_fixture.h"

namespace relais::api {
namespace {

using testing::Harness;
using ::testing::HasSubstr;
using testing::kCoordinator;
using testing::kPartner;  // partner:ccas-fresnes, acting for ccas-fresnes

class PartnersJoinTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(
        h.Call("POST", "/v1/partners", kCoordinator, R"({"id": "ccas-fresnes", "name": "CCAS de Fresnes"})").status,
        201);
    Json endpoint = {{"partner", "ccas-fresnes"}, {"url", "http://hooks.ccas-fresnes.example/relais"}};
    auto created = h.Call("POST", "/v1/webhooks/endpoints", kCoordinator, endpoint.dump());
    ASSERT_EQ(created.status, 201) << created.body;
    endpoint_ = Harness::Body(created)["id"];
    h.CreateProject("atelier", testing::kOtherProgramme, {"afpa"});
  }

  int Fire(const std::string& type, const Json& data) {
    auto r = h.Call("POST", "/v1/projects/atelier/events", kCoordinator, Json{{"type", type}, {"data", data}}.dump());
    last_ = Harness::Body(r);
    return r.status;
  }
  // The types of the deliveries queued for the partner's endpoint.
  std::vector<std::string> Queued() {
    auto r = h.Call("GET", "/v1/webhooks/endpoints/" + endpoint_ + "/deliveries", kCoordinator);
    EXPECT_EQ(r.status, 200) << r.body;
    const Json body = Harness::Body(r);
    std::vector<std::string> types;
    for (const Json& d : body["deliveries"]) types.push_back(d.value("type", ""));
    return types;
  }
  std::vector<std::string> Partners() {
    auto r = h.Call("GET", "/v1/projects/atelier", kCoordinator);
    return Harness::Body(r)["info"]["partners"].get<std::vector<std::string>>();
  }
  size_t ListedUnderPartner() {
    EXPECT_TRUE(h.index.CatchUp().ok());
    auto r = h.Call("GET", "/v1/projects?partner=ccas-fresnes", kCoordinator);
    return Harness::Body(r)["projects"].size();
  }

  Harness h;
  std::string endpoint_;
  Json last_;
};

TEST_F(PartnersJoinTest, AJoiningPartnerSeesTheProjectAndGetsItsWebhooksFromTheNextEventOn) {
  EXPECT_EQ(h.Call("GET", "/v1/projects/atelier", kPartner).status, 404);
  EXPECT_EQ(ListedUnderPartner(), 0u);

  ASSERT_EQ(Fire("partenaire_associe", {{"partenaire", "ccas-fresnes"}}), 201) << last_;
  EXPECT_EQ(last_["events"][0]["type"], "partenaire_associe");
  EXPECT_EQ(Partners(), (std::vector<std::string>{"afpa", "ccas-fresnes"}));
  EXPECT_EQ(h.Call("GET", "/v1/projects/atelier", kPartner).status, 200);
  EXPECT_EQ(ListedUnderPartner(), 1u);
  // The joining event itself went to the partners of before; the next one reaches ccas-fresnes.
  EXPECT_TRUE(Queued().empty());
  ASSERT_EQ(Fire("indicateur_enregistre", {{"indicateur", "autre"}, {"valeur", 1}}), 201) << last_;
  EXPECT_EQ(Queued(), std::vector<std::string>{"indicateur_enregistre"});

  // Joining twice changes nothing; the history and a fold from it agree with the cache.
  ASSERT_EQ(Fire("partenaire_associe", {{"partenaire", "ccas-fresnes"}}), 201) << last_;
  EXPECT_EQ(Partners(), (std::vector<std::string>{"afpa", "ccas-fresnes"}));
  auto folded = h.projects.LoadFromHistory("atelier");
  ASSERT_TRUE(folded.ok());
  EXPECT_EQ(folded->info.partners, (std::vector<std::string>{"afpa", "ccas-fresnes"}));

  ASSERT_EQ(Fire("partenaire_retire", {{"partenaire", "ccas-fresnes"}, {"motif", "fin du partenariat"}}), 201) << last_;
  EXPECT_EQ(Partners(), (std::vector<std::string>{"afpa"}));
  EXPECT_EQ(h.Call("GET", "/v1/projects/atelier", kPartner).status, 404);
  EXPECT_EQ(ListedUnderPartner(), 0u);
  const size_t queued = Queued().size();
  ASSERT_EQ(Fire("indicateur_enregistre", {{"indicateur", "autre"}, {"valeur", 2}}), 201) << last_;
  EXPECT_EQ(Queued().size(), queued) << "a partner that left gets nothing more";
}

TEST_F(PartnersJoinTest, AJoiningValueThatIsNotAPartnerIdIsRefusedAndNothingChanges) {
  EXPECT_EQ(Fire("partenaire_associe", {{"partenaire", "ccas de fresnes"}}), 422) << last_;
  EXPECT_EQ(last_["code"], "invalid_data");
  EXPECT_THAT(last_.value("detail", last_.value("reason", "")), HasSubstr("partners.join"));
  EXPECT_EQ(Partners(), (std::vector<std::string>{"afpa"}));
}

TEST_F(PartnersJoinTest, CoordinatorsReplaceThePartnersThroughTheRoute) {
  Json body = {{"partners", {"afpa", "ccas-fresnes"}}};
  const std::string etag(h.Call("GET", "/v1/projects/atelier", kCoordinator).headers.Get("ETag").value_or(""));
  auto changed = h.Call("PUT", "/v1/projects/atelier/partners", kCoordinator, body.dump(), {{"If-Match", etag}});
  ASSERT_EQ(changed.status, 201) << changed.body;
  EXPECT_EQ(Harness::Body(changed)["events"][0]["type"], "project_partners_changed");
  EXPECT_EQ(h.Call("GET", "/v1/projects/atelier", kPartner).status, 200);
  EXPECT_EQ(ListedUnderPartner(), 1u);
  // Stale version, bad bodies, a partner may not change the list.
  EXPECT_EQ(h.Call("PUT", "/v1/projects/atelier/partners", kCoordinator, body.dump(), {{"If-Match", etag}}).status,
            409);
  EXPECT_EQ(h.Call("PUT", "/v1/projects/atelier/partners", kCoordinator, R"({"partners": "afpa"})").status, 400);
  EXPECT_EQ(h.Call("PUT", "/v1/projects/atelier/partners", kCoordinator, R"({"partners": ["bad id"]})").status, 400);
  EXPECT_EQ(h.Call("PUT", "/v1/projects/atelier/partners", kCoordinator, R"({})").status, 400);
  EXPECT_EQ(h.Call("PUT", "/v1/projects/atelier/partners", kPartner, body.dump()).status, 403);
}

}  // namespace
}  // namespace relais::api
