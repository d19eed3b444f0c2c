#include "engine/server/problem.h"

#include <gtest/gtest.h>

#include "engine/server/request_id.h"

namespace relais::server {
namespace {

Json Body(const HttpResponse& res) { return Json::parse(res.body); }

TEST(ProblemTest, HasTheRfc9457Members) {
  HttpResponse res = MakeProblem(ProblemKind::kNotFound, "no project p1", Json{{"project", "p1"}}, "/v1/projects/p1");
  EXPECT_EQ(res.status, 404);
  EXPECT_EQ(res.content_type, "application/problem+json");
  Json b = Body(res);
  EXPECT_EQ(b["type"], "https://relais.dev/problems/not-found");
  EXPECT_EQ(b["title"], "Not found");
  EXPECT_EQ(b["status"], 404);
  EXPECT_EQ(b["detail"], "no project p1");
  EXPECT_EQ(b["instance"], "/v1/projects/p1");
  EXPECT_EQ(b["project"], "p1");
}

TEST(ProblemTest, ExtensionsCannotOverrideStandardMembers) {
  Json b = Body(MakeProblem(ProblemKind::kBadRequest, "x", Json{{"status", 200}, {"type", "evil"}}));
  EXPECT_EQ(b["status"], 400);
  EXPECT_EQ(b["type"], ProblemTypeUri(ProblemKind::kBadRequest));
}

TEST(ProblemTest, EveryKindHasAStableUriUnderTheBase) {
  for (ProblemKind k : {ProblemKind::kBadRequest, ProblemKind::kBadJson, ProblemKind::kUnauthorized,
                        ProblemKind::kForbidden, ProblemKind::kNotFound, ProblemKind::kMethodNotAllowed,
                        ProblemKind::kVersionConflict, ProblemKind::kAlreadyExists, ProblemKind::kStateConflict,
                        ProblemKind::kPayloadTooLarge, ProblemKind::kUnsupportedMediaType,
                        ProblemKind::kValidationFailed, ProblemKind::kTooManyRequests, ProblemKind::kHeadersTooLarge,
                        ProblemKind::kInternal, ProblemKind::kNotImplemented, ProblemKind::kUnavailable}) {
    EXPECT_TRUE(ProblemTypeUri(k).starts_with(kProblemTypeBase)) << ProblemTypeUri(k);
    EXPECT_EQ(Body(MakeProblem(k, "d"))["status"], ProblemStatus(k));
  }
  EXPECT_EQ(ProblemTypeUri(ProblemKind::kVersionConflict), "https://relais.dev/problems/version-conflict");
}

TEST(ProblemTest, BadJsonCarriesTheByteOffset) {
  StatusOr<Json> parsed = ParseJson(R"({"a":)");
  ASSERT_FALSE(parsed.ok());
  HttpResponse res = BadJsonProblem(parsed.status());
  EXPECT_EQ(res.status, 400);
  EXPECT_EQ(Body(res)["offset"], 5);
  EXPECT_EQ(Body(res)["type"], "https://relais.dev/problems/bad-json");
}

TEST(ProblemTest, VersionConflictCarriesTheCurrentVersion) {
  HttpResponse res = ProblemFromStatus(VersionConflict("stream p1 is at 7", 7));
  EXPECT_EQ(res.status, 409);
  EXPECT_EQ(Body(res)["current_version"], 7);
  EXPECT_EQ(Body(VersionConflictProblem("x", 7, 5))["expected_version"], 5);
}

TEST(ProblemTest, StatusMapping) {
  EXPECT_EQ(ProblemFromStatus(InvalidArgument("x")).status, 400);
  EXPECT_EQ(ProblemFromStatus(NotFound("x")).status, 404);
  EXPECT_EQ(ProblemFromStatus(AlreadyExists("x")).status, 409);
  EXPECT_EQ(ProblemFromStatus(FailedPrecondition("x")).status, 409);
  EXPECT_EQ(ProblemFromStatus(PermissionDenied("x")).status, 403);
  EXPECT_EQ(ProblemFromStatus(ResourceExhausted("x")).status, 429);
  EXPECT_EQ(ProblemFromStatus(Unavailable("x")).status, 503);
  HttpResponse internal = ProblemFromStatus(Corruption("sst 42 checksum mismatch"));
  EXPECT_EQ(internal.status, 500);
  EXPECT_EQ(internal.body.find("sst 42"), std::string::npos) << "internal details must not leak";
}

TEST(ProblemTest, HeaderCarryingKinds) {
  EXPECT_EQ(UnauthorizedProblem("token missing").headers.Get("WWW-Authenticate"), "Bearer realm=\"relais\"");
  EXPECT_EQ(TooManyRequestsProblem("slow down", 3).headers.Get("Retry-After"), "3");
  EXPECT_EQ(UnavailableProblem("draining", 1).headers.Get("Retry-After"), "1");
  HttpResponse m = MethodNotAllowedProblem({"GET", "POST"});
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(m.headers.Get("Allow"), "GET, POST");
  EXPECT_EQ(PayloadTooLargeProblem(1024).status, 413);
  EXPECT_EQ(Body(PayloadTooLargeProblem(1024))["limit_bytes"], 1024);
  EXPECT_EQ(HeadersTooLargeProblem(16384).status, 431);
  EXPECT_EQ(ValidationProblem("bad", Json::array({"x"})).status, 422);
}

TEST(ReadJsonBodyTest, ChecksMediaTypeThenSyntax) {
  Json out;
  HttpRequest req = MakeRequest("POST", "/x", R"({"a":1})");
  auto problem = ReadJsonBody(req, &out);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->status, 415);

  req.headers.Set("Content-Type", "application/json; charset=utf-8");
  EXPECT_FALSE(ReadJsonBody(req, &out).has_value());
  EXPECT_EQ(out["a"], 1);

  req.body = "{\"a\": tru}";
  problem = ReadJsonBody(req, &out);
  ASSERT_TRUE(problem.has_value());
  EXPECT_EQ(problem->status, 400);
  EXPECT_TRUE(Body(*problem).contains("offset"));
}

TEST(ProblemTest, StampProblemInstanceNamesTheRequest) {
  HttpResponse problem = MakeProblem(ProblemKind::kNotFound, "no resource", nullptr, "/v1/x");
  StampProblemInstance(problem, "req-1");
  EXPECT_EQ(Body(problem)["instance"], "urn:relais:request:req-1");
  EXPECT_EQ(Body(problem)["detail"], "no resource");

  HttpResponse plain = TextResponse(200, "hello");
  StampProblemInstance(plain, "req-1");
  EXPECT_EQ(plain.body, "hello");
  HttpResponse not_json = MakeProblem(ProblemKind::kInternal, "x");
  not_json.body = "oops";
  StampProblemInstance(not_json, "req-1");
  EXPECT_EQ(not_json.body, "oops");
}

TEST(ProblemTest, InternalStatusesKeepTheirCauseForTheLogOnly) {
  HttpResponse res = ProblemFromStatus(Internal("rocksdb: IO error: No space left on device"));
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(res.body.find("No space"), std::string::npos);
  EXPECT_NE(res.log_cause.find("No space left on device"), std::string::npos);
  EXPECT_TRUE(ProblemFromStatus(NotFound("x")).log_cause.empty());
}

TEST(ProblemTest, NotImplementedIs501) {
  EXPECT_EQ(ProblemStatus(ProblemKind::kNotImplemented), 501);
  EXPECT_EQ(ProblemTypeUri(ProblemKind::kNotImplemented), "https://relais.dev/problems/not-implemented");
}

}  // namespace
}  // namespace relais::server
