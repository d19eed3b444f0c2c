// Query parameters outside what docs/openapi.yaml allows are refused with a
// 400 that names the parameter and what it accepts, never read as a default.
#include <gtest/gtest.h>

#include "tests/api/api_fixture.h"

namespace relais::api {
namespace {

using testing::Harness;

void ExpectBadQuery(Harness& h, const std::string& target, const std::string& parameter) {
  auto r = h.Call("GET", target, testing::kAdmin);
  EXPECT_EQ(r.status, 400) << target << ": " << r.body;
  EXPECT_NE(Harness::Body(r).value("detail", "").find("'" + parameter + "'"), std::string::npos) << r.body;
}

TEST(QueryParametersTest, ValuesTheDocumentForbidsAreRefused) {
  Harness h;
  h.CreateOwnAndOther();
  auto def = programme::ProgrammeDefinition::FromJson(
      {{"id", testing::kOwnProgramme}, {"axes", {{{"id", "1"}}}}, {"actions", {{{"id", "aide"}, {"axis", "1"}}}}});
  ASSERT_TRUE(def.ok());
  ASSERT_TRUE(h.programmes.Define(*def, "person:alice.admin").ok());
  const std::string programme = "/v1/programmes/" + testing::kOwnProgramme;
  ExpectBadQuery(h, "/v1/projects/own/events?from=0", "from");
  ExpectBadQuery(h, programme + "/milestones?kind=bogus", "kind");
  ExpectBadQuery(h, programme + "/milestones?lang=de", "lang");
  ExpectBadQuery(h, programme + "/calendar?lang=de", "lang");
  // The values it allows still answer.
  EXPECT_EQ(h.Call("GET", "/v1/projects/own/events?from=1", testing::kAdmin).status, 200);
  EXPECT_EQ(h.Call("GET", programme + "/milestones?kind=review&lang=en", testing::kAdmin).status, 200);
  EXPECT_EQ(h.Call("GET", programme + "/calendar?lang=fr", testing::kAdmin).status, 200);
}

}  // namespace
}  // namespace relais::api
