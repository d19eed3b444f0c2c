// The dashboard's static-file routes: types, validators, caching, and every
// way out of the folder refused.
#include "engine/api/dashboard_route.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>

#include "tests/testing/temp_dir.h"

namespace relais::api {
namespace {

using ::testing::HasSubstr;

class DashboardRouteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(www_.path() / "www" / "views");
    Write("www/index.html", "<!doctype html><title>Relais</title>");
    Write("www/app.js", "export const x = 1;\n");
    Write("www/app.css", "body{}\n");
    Write("www/views/programme.js", "export function show() {}\n");
    Write("www/notes.txt", "not a served type\n");
    Write("www/.hidden.js", "secret\n");
    Write("secret.js", "outside the folder\n");
    std::filesystem::create_symlink(www_.path() / "secret.js", www_.path() / "www" / "link.js");
    config_.directory = www_.Sub("www");
    RegisterDashboardRoutes(router_, config_);
  }

  void Write(const std::string& relative, const std::string& text) { std::ofstream(www_.path() / relative) << text; }

  server::HttpResponse Get(const std::string& target, std::vector<std::pair<std::string, std::string>> headers = {}) {
    server::HttpRequest request = server::MakeRequest("GET", target);
    for (auto& [name, value] : headers) request.headers.Set(name, value);
    std::promise<server::HttpResponse> answered;
    router_.Dispatch(std::move(request), [&answered](server::HttpResponse r) { answered.set_value(std::move(r)); });
    return answered.get_future().get();
  }

  relais::testing::TempDir www_;
  api::DashboardOptions config_;
  server::Router router_;
};

TEST_F(DashboardRouteTest, RootRedirectsToTheIndex) {
  auto r = Get("/");
  EXPECT_EQ(r.status, 302);
  EXPECT_EQ(r.headers.Get("Location"), "/ui/index.html");
}

TEST_F(DashboardRouteTest, ServesFilesWithTheirTypeAndValidators) {
  auto html = Get("/ui/index.html");
  ASSERT_EQ(html.status, 200);
  EXPECT_EQ(html.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(html.body, "<!doctype html><title>Relais</title>");
  EXPECT_EQ(html.headers.Get("Cache-Control"), "no-cache");
  EXPECT_THAT(std::string(html.headers.Get("Content-Security-Policy").value_or("")), HasSubstr("default-src 'self'"));
  EXPECT_EQ(html.headers.Get("X-Content-Type-Options"), "nosniff");

  auto js = Get("/ui/views/programme.js");
  ASSERT_EQ(js.status, 200);
  EXPECT_EQ(js.content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(js.body, "export function show() {}\n");
  EXPECT_EQ(Get("/ui/app.css").content_type, "text/css; charset=utf-8");
}

TEST_F(DashboardRouteTest, AMatchingIfNoneMatchAnswers304AndAnEditChangesTheEtag) {
  auto first = Get("/ui/app.js");
  ASSERT_EQ(first.status, 200);
  const std::string etag(first.headers.Get("ETag").value_or(""));
  ASSERT_FALSE(etag.empty());
  auto again = Get("/ui/app.js", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(again.headers.Get("ETag"), etag);
  EXPECT_EQ(Get("/ui/app.js", {{"If-None-Match", "\"other\", W/" + etag}}).status, 304);

  Write("www/app.js", "export const x = 2;\n");
  auto edited = Get("/ui/app.js", {{"If-None-Match", etag}});
  EXPECT_EQ(edited.status, 200);
  EXPECT_NE(edited.headers.Get("ETag"), etag);
  EXPECT_EQ(edited.body, "export const x = 2;\n");
}

TEST_F(DashboardRouteTest, PathTraversalAndUnservedFilesAre404) {
  for (const char* target :
       {"/ui/../secret.js", "/ui/%2e%2e/secret.js", "/ui/..%2fsecret.js", "/ui/views/..%2f..%2fsecret.js",
        "/ui/%2e%2e%2fsecret.js", "/ui/views/%2e%2e", "/ui/..%5csecret.js", "/ui/.hidden.js", "/ui/link.js",
        "/ui/notes.txt", "/ui/missing.js", "/ui/views", "/ui/app.js%00.css", "/ui/views/../../secret.js"}) {
    auto r = Get(target);
    EXPECT_EQ(r.status, 404) << target;
    EXPECT_THAT(r.body, ::testing::Not(HasSubstr("outside the folder"))) << target;
  }
}

TEST_F(DashboardRouteTest, FilesOverTheLimitAreNotServed) {
  api::DashboardOptions small = config_;
  small.max_file_bytes = 8;
  server::Router router;
  RegisterDashboardRoutes(router, small);
  std::promise<server::HttpResponse> answered;
  router.Dispatch(server::MakeRequest("GET", "/ui/index.html"),
                  [&answered](server::HttpResponse r) { answered.set_value(std::move(r)); });
  EXPECT_EQ(answered.get_future().get().status, 404);
}

TEST_F(DashboardRouteTest, CacheMaxAgeIsConfigurable) {
  api::DashboardOptions cached = config_;
  cached.cache_max_age_seconds = 600;
  server::Router router;
  RegisterDashboardRoutes(router, cached);
  std::promise<server::HttpResponse> answered;
  router.Dispatch(server::MakeRequest("GET", "/ui/app.css"),
                  [&answered](server::HttpResponse r) { answered.set_value(std::move(r)); });
  EXPECT_EQ(answered.get_future().get().headers.Get("Cache-Control"), "public, max-age=600");
}

TEST(DashboardRouteDisabledTest, NothingIsRoutedWhenDisabled) {
  api::DashboardOptions off;
  off.enabled = false;
  server::Router router;
  RegisterDashboardRoutes(router, off);
  EXPECT_TRUE(router.ListRoutes().empty());
}

TEST(DashboardContentTypeTest, KnownExtensionsOnly) {
  EXPECT_EQ(DashboardContentType("a.svg"), "image/svg+xml");
  EXPECT_EQ(DashboardContentType("a.js"), "text/javascript; charset=utf-8");
  EXPECT_FALSE(DashboardContentType("a.sh").has_value());
  EXPECT_FALSE(DashboardContentType(".js").has_value());
}

}  // namespace
}  // namespace relais::api
