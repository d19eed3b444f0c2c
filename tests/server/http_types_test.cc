#include "engine/server/http_types.h"

#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace relais::server {
namespace {

using relais::testing::IsOk;
using relais::testing::StatusIs;

TEST(HttpHeadersTest, LookupIgnoresCase) {
  HttpHeaders h;
  h.Add("Content-Type", "application/json");
  h.Add("X-Tag", "a");
  h.Add("x-tag", "b");
  EXPECT_EQ(h.Get("content-type"), "application/json");
  EXPECT_EQ(h.GetAll("X-TAG").size(), 2u);
  h.Set("X-Tag", "c");
  EXPECT_EQ(h.GetAll("x-tag"), std::vector<std::string_view>{"c"});
  h.Remove("CONTENT-TYPE");
  EXPECT_FALSE(h.Has("Content-Type"));
}

TEST(ParseRequestTargetTest, SplitsPathAndDecodesQuery) {
  HttpRequest req;
  ASSERT_THAT(ParseRequestTarget("/v1/projects?limit=10&q=caf%C3%A9+cr%C3%A8me&flag", req), IsOk());
  EXPECT_EQ(req.path, "/v1/projects");
  EXPECT_EQ(req.Query("limit"), "10");
  EXPECT_EQ(req.Query("q"), "café crème");
  EXPECT_EQ(req.Query("flag"), "");
  EXPECT_FALSE(req.Query("missing").has_value());
}

TEST(ParseRequestTargetTest, RejectsBadTargets) {
  HttpRequest req;
  EXPECT_THAT(ParseRequestTarget("v1/projects", req), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseRequestTarget("/a%2", req), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseRequestTarget("/a?x=%zz", req), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseRequestTarget("/a?x=%", req), StatusIs(StatusCode::kInvalidArgument));
}

TEST(HttpTypesTest, JsonMediaTypes) {
  EXPECT_TRUE(IsJsonMediaType("application/json"));
  EXPECT_TRUE(IsJsonMediaType("Application/JSON; charset=utf-8"));
  EXPECT_TRUE(IsJsonMediaType("application/merge-patch+json"));
  EXPECT_FALSE(IsJsonMediaType("text/plain"));
  EXPECT_FALSE(IsJsonMediaType("text/x+json"));
}

TEST(HttpTypesTest, JsonResponseSetsContentType) {
  HttpResponse res = JsonResponse(201, Json{{"id", "p1"}});
  EXPECT_EQ(res.status, 201);
  EXPECT_EQ(res.content_type, "application/json");
  EXPECT_EQ(res.body, R"({"id":"p1"})");
}

}  // namespace
}  // namespace relais::server
