#include "engine/server/router.h"

#include <gtest/gtest.h>

#include <future>
#include <optional>
#include <stdexcept>
#include <thread>

#include "engine/server/problem.h"

namespace relais::server {
namespace {

// Dispatches and returns the response, which these handlers give at once.
HttpResponse Call(const Router& router, std::string method, std::string_view target) {
  std::optional<HttpResponse> out;
  router.Dispatch(MakeRequest(std::move(method), target), [&](HttpResponse r) { out = std::move(r); });
  EXPECT_TRUE(out.has_value());
  return out.value_or(HttpResponse{});
}

HttpResponse Echo(std::string tag, const RouteParams& params) {
  Json j = {{"route", tag}};
  for (std::string name : {"id", "seq"}) {
    if (auto v = params.Find(name)) j[name] = std::string(*v);
  }
  return JsonResponse(200, j);
}

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    router_.AddSyncRoute("GET", "/v1/projects", [](auto&, auto& p) { return Echo("list", p); });
    router_.AddSyncRoute("POST", "/v1/projects", [](auto&, auto& p) { return Echo("create", p); });
    router_.AddSyncRoute("GET", "/v1/projects/{id}", [](auto&, auto& p) { return Echo("get", p); });
    router_.AddSyncRoute("GET", "/v1/projects/search", [](auto&, auto& p) { return Echo("search", p); });
    router_.AddSyncRoute("GET", "/v1/projects/{id}/events", [](auto&, auto& p) { return Echo("events", p); });
    router_.AddSyncRoute("GET", "/v1/projects/{id}/events/{seq}", [](auto&, auto& p) { return Echo("event", p); });
    router_.AddSyncRoute("GET", "/", [](auto&, auto& p) { return Echo("root", p); });
  }
  Json Body(std::string method, std::string_view target) {
    return Json::parse(Call(router_, std::move(method), target).body);
  }
  Router router_;
};

TEST_F(RouterTest, MatchesLiteralAndParameterRoutes) {
  EXPECT_EQ(Body("GET", "/v1/projects")["route"], "list");
  EXPECT_EQ(Body("POST", "/v1/projects")["route"], "create");
  EXPECT_EQ(Body("GET", "/")["route"], "root");
  Json j = Body("GET", "/v1/projects/p-42/events/7?after=3");
  EXPECT_EQ(j["route"], "event");
  EXPECT_EQ(j["id"], "p-42");
  EXPECT_EQ(j["seq"], "7");
}

TEST_F(RouterTest, LiteralSegmentBeatsParameter) {
  EXPECT_EQ(Body("GET", "/v1/projects/search")["route"], "search");
  EXPECT_EQ(Body("GET", "/v1/projects/searching")["route"], "get");
}

TEST_F(RouterTest, ParametersArePercentDecoded) {
  Json j = Body("GET", "/v1/projects/a%2Fb%20c");
  EXPECT_EQ(j["route"], "get");
  EXPECT_EQ(j["id"], "a/b c");
}

TEST_F(RouterTest, UnknownPathIs404Problem) {
  for (std::string_view target :
       {"/v2/projects", "/v1/projects/p1/events/7/more", "/v1/projects//events", "/v1/projects/"}) {
    HttpResponse res = Call(router_, "GET", target);
    EXPECT_EQ(res.status, 404) << target;
    EXPECT_EQ(res.content_type, kProblemContentType);
    Json b = Json::parse(res.body);
    EXPECT_EQ(b["type"], ProblemTypeUri(ProblemKind::kNotFound));
    EXPECT_EQ(b["instance"], std::string(target.substr(0, target.find('?'))));
  }
}

TEST_F(RouterTest, KnownPathWithOtherMethodIs405WithAllow) {
  HttpResponse res = Call(router_, "DELETE", "/v1/projects");
  EXPECT_EQ(res.status, 405);
  EXPECT_EQ(res.headers.Get("Allow"), "GET, HEAD, POST");
  EXPECT_EQ(Json::parse(res.body)["type"], ProblemTypeUri(ProblemKind::kMethodNotAllowed));
  EXPECT_EQ(Call(router_, "POST", "/v1/projects/p1").headers.Get("Allow"), "GET, HEAD");
}

TEST_F(RouterTest, HeadUsesGetHandler) {
  HttpResponse res = Call(router_, "HEAD", "/v1/projects/p1");
  EXPECT_EQ(res.status, 200);
}

TEST_F(RouterTest, ListsRoutesInRegistrationOrder) {
  std::vector<RouteInfo> routes = router_.ListRoutes();
  ASSERT_EQ(routes.size(), 7u);
  EXPECT_EQ(routes[0], (RouteInfo{"GET", "/v1/projects"}));
  EXPECT_EQ(routes[4], (RouteInfo{"GET", "/v1/projects/{id}/events"}));
}

TEST(RouterRegistrationTest, RejectsMalformedAndDuplicatePatterns) {
  Router r;
  auto h = [](const HttpRequest&, const RouteParams&) { return HttpResponse{}; };
  EXPECT_THROW(r.AddSyncRoute("GET", "v1/x", h), std::invalid_argument);
  EXPECT_THROW(r.AddSyncRoute("GET", "/v1/{}", h), std::invalid_argument);
  EXPECT_THROW(r.AddSyncRoute("GET", "/v1/{id}/{id}", h), std::invalid_argument);
  EXPECT_THROW(r.AddSyncRoute("GET", "/v1/x{id}", h), std::invalid_argument);
  r.AddSyncRoute("GET", "/v1/{id}", h);
  EXPECT_THROW(r.AddSyncRoute("GET", "/v1/{other}", h), std::invalid_argument);
  r.AddSyncRoute("PUT", "/v1/{other}", h);
}

TEST(RouterAsyncTest, HandlerMayRespondLaterFromAnotherThread) {
  Router r;
  std::thread worker;
  r.AddRoute("POST", "/v1/projects/{id}/commands", [&](HttpRequest req, RouteParams p, Respond respond) {
    worker = std::thread([respond, id = p.Get("id"), body = req.body] {
      respond(JsonResponse(202, Json{{"id", id}, {"body", body}}));
    });
  });
  std::promise<HttpResponse> done;
  r.Dispatch(MakeRequest("POST", "/v1/projects/p9/commands", "hello"),
             [&](HttpResponse res) { done.set_value(std::move(res)); });
  HttpResponse res = done.get_future().get();
  worker.join();
  EXPECT_EQ(res.status, 202);
  EXPECT_EQ(Json::parse(res.body)["id"], "p9");
  EXPECT_EQ(Json::parse(res.body)["body"], "hello");
}

TEST(RouterAsyncTest, RespondTwiceIsIgnoredAndThrowIsA500) {
  Router r;
  r.AddRoute("GET", "/twice", [](HttpRequest, RouteParams, Respond respond) {
    respond(TextResponse(200, "first"));
    respond(TextResponse(200, "second"));
  });
  r.AddRoute("GET", "/throws", [](HttpRequest, RouteParams, Respond) { throw std::runtime_error("bug"); });
  int calls = 0;
  r.Dispatch(MakeRequest("GET", "/twice"), [&](HttpResponse res) {
    ++calls;
    EXPECT_EQ(res.body, "first");
  });
  EXPECT_EQ(calls, 1);
  HttpResponse res = Call(r, "GET", "/throws");
  EXPECT_EQ(res.status, 500);
  EXPECT_EQ(res.body.find("bug"), std::string::npos);
}

TEST(RouterObserverTest, ReportsPatternNotRawPath) {
  Router r;
  r.AddSyncRoute("GET", "/v1/projects/{id}", [](auto&, auto&) { return TextResponse(200, "ok"); });
  std::vector<std::string> seen;
  r.SetObserver([&](const RequestRecord& rec) {
    seen.push_back(std::string(rec.method) + " " + std::string(rec.route) + " " + std::to_string(rec.status));
  });
  Call(r, "GET", "/v1/projects/p1");
  Call(r, "GET", "/nope");
  Call(r, "PUT", "/v1/projects/p1");
  EXPECT_EQ(seen, (std::vector<std::string>{"GET /v1/projects/{id} 200", "GET unmatched 404", "PUT unmatched 405"}));
}

}  // namespace
}  // namespace relais::server
