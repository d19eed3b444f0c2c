// docs/openapi.yaml and the router list the same routes, the server serves
// the document it was built with, and it refuses (400) every query value the
// document forbids. (tests/openapi checks the responses' bodies and headers.)
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "engine/api/openapi_document.h"
#include "engine/util/json.h"
#include "tests/api/api_fixture.h"

namespace relais::api {
namespace {

using Routes = std::set<std::pair<std::string, std::string>>;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Routes DocumentedRoutes(const std::string& text) {
  Routes routes;
  YAML::Node doc = YAML::Load(text);
  for (auto path = doc["paths"].begin(); path != doc["paths"].end(); ++path) {
    const std::string pattern = path->first.as<std::string>();
    const YAML::Node operations = path->second;
    for (auto op = operations.begin(); op != operations.end(); ++op) {
      std::string method = op->first.as<std::string>();
      if (method == "parameters" || method == "summary" || method == "description") continue;
      for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      routes.insert({method, pattern});
    }
  }
  return routes;
}

TEST(OpenApiRoutesTest, DocumentAndRouterListTheSameRoutes) {
  testing::Harness h;
  Routes served;
  for (const server::RouteInfo& r : h.router.ListRoutes()) served.insert({r.method, r.pattern});
  const std::string text = ReadFile(std::string(RELAIS_SOURCE_DIR) + "/docs/openapi.yaml");
  Routes documented = DocumentedRoutes(text);
  for (const auto& r : served)
    EXPECT_TRUE(documented.count(r)) << "not in docs/openapi.yaml: " << r.first << " " << r.second;
  for (const auto& r : documented)
    EXPECT_TRUE(served.count(r)) << "documented but not served: " << r.first << " " << r.second;
  EXPECT_GE(served.size(), 15u);
}

TEST(OpenApiRoutesTest, TheEmbeddedDocumentIsTheFileInTheTree) {
  EXPECT_EQ(std::string(OpenApiDocument()), ReadFile(std::string(RELAIS_SOURCE_DIR) + "/docs/openapi.yaml"));
  EXPECT_THAT(std::string(OpenApiDocument()), ::testing::StartsWith("openapi: 3.1.0"));
}

// The HTTP session answers some requests before any route (docs/api.md,
// Transport): every operation may get them, so every operation documents them.
TEST(OpenApiRoutesTest, EveryOperationDocumentsTheTransportsOwnAnswers) {
  const YAML::Node doc = YAML::Load(ReadFile(std::string(RELAIS_SOURCE_DIR) + "/docs/openapi.yaml"));
  size_t operations = 0;
  for (const auto& path : doc["paths"]) {
    for (const auto& op : path.second) {
      if (!op.second.IsMap() || !op.second["operationId"]) continue;
      ++operations;
      const std::string id = op.second["operationId"].as<std::string>();
      for (const char* status : {"400", "405", "431", "501"})
        EXPECT_TRUE(op.second["responses"][status].IsDefined()) << id << " does not document " << status;
    }
  }
  EXPECT_EQ(operations, 91u);
}

// A parameter or schema object, its $ref (#/components/KIND/NAME) followed.
YAML::Node Resolve(const YAML::Node& doc, YAML::Node node) {
  if (!node["$ref"]) return node;
  const std::string ref = node["$ref"].as<std::string>();
  for (const std::string kind : {"parameters", "schemas"}) {
    const std::string prefix = "#/components/" + kind + "/";
    if (ref.rfind(prefix, 0) == 0) return doc["components"][kind][ref.substr(prefix.size())];
  }
  ADD_FAILURE() << "unexpected reference " << ref;
  return node;
}

struct Violation {
  std::string value;
  std::string why;  // what the document says
};

// Values outside what a query parameter's schema allows.
std::vector<Violation> ViolationsOf(const YAML::Node& schema) {
  std::vector<Violation> out;
  const std::string type = schema["type"] ? schema["type"].as<std::string>() : "";
  if (schema["enum"]) {
    std::string values;
    for (const auto& v : schema["enum"]) values += (values.empty() ? "" : ", ") + v.as<std::string>();
    out.push_back({"bogus", "enum [" + values + "]"});
  }
  if (type == "integer") {
    out.push_back({"abc", "type integer"});
    if (schema["minimum"]) {
      const long long min = schema["minimum"].as<long long>();
      out.push_back({std::to_string(min - 1), "minimum " + std::to_string(min)});
    }
    if (schema["maximum"]) {
      const long long max = schema["maximum"].as<long long>();
      out.push_back({std::to_string(max + 1), "maximum " + std::to_string(max)});
    }
  }
  if (type == "boolean") out.push_back({"maybe", "type boolean"});
  if (schema["pattern"]) {
    const std::string pattern = schema["pattern"].as<std::string>();
    if (!std::regex_search("!", std::regex(pattern))) out.push_back({"!", "pattern " + pattern});
  }
  return out;
}

// tests/openapi/known_server_deviations.json: "operation/parameter/value" of
// the constraints the server is known not to enforce yet.
std::set<std::string> KnownUnenforced() {
  const std::string path = std::string(RELAIS_SOURCE_DIR) + "/tests/openapi/known_server_deviations.json";
  Json known = Json::parse(ReadFile(path), nullptr, false);
  EXPECT_TRUE(known.is_object()) << path << " is not a JSON object";
  std::set<std::string> out;
  if (!known.is_object()) return out;
  for (const Json& k : known.value("unenforced_query_constraints", Json::array()))
    out.insert(k.value("operation", "") + "/" + k.value("parameter", "") + "/" + k.value("value", ""));
  return out;
}

// The path with its parameters replaced by resources the admin sees.
std::string Fill(std::string path, const std::map<std::string, std::string>& values) {
  for (const auto& [name, value] : values) {
    const std::string placeholder = "{" + name + "}";
    for (size_t at = path.find(placeholder); at != std::string::npos; at = path.find(placeholder))
      path.replace(at, placeholder.size(), value);
  }
  return path;
}

TEST(OpenApiRoutesTest, QueryValuesTheDocumentForbidsAre400) {
  testing::Harness h;
  h.CreateOwnAndOther();
  const std::string& admin = testing::kAdmin;
  Json programme = {{"id", testing::kOwnProgramme}, {"title", "Sud"}, {"axes", {{{"id", "2A"}, {"title", "Axe"}}}}};
  ASSERT_EQ(h.Call("POST", "/v1/programmes", admin, programme.dump()).status, 201);
  ASSERT_EQ(h.Call("POST", "/v1/partners", admin, Json{{"id", "ccas-fresnes"}, {"name", "CCAS"}}.dump()).status, 201);
  auto endpoint = h.Call("POST", "/v1/webhooks/endpoints", admin,
                         Json{{"partner", "ccas-fresnes"}, {"url", "https://hooks.example.org/relais"}}.dump());
  ASSERT_EQ(endpoint.status, 201) << endpoint.body;
  auto feed = h.Call("POST", "/v1/programmes/" + testing::kOwnProgramme + "/feed-tokens", admin);
  ASSERT_EQ(feed.status, 201) << feed.body;
  // Path parameters by path prefix: the first prefix that matches wins.
  const std::vector<std::pair<std::string, std::map<std::string, std::string>>> resources = {
      {"/v1/projects/", {{"id", "own"}}},
      {"/v1/programmes/", {{"id", testing::kOwnProgramme}}},
      {"/v1/webhooks/endpoints/", {{"id", testing::Harness::Body(endpoint)["id"].get<std::string>()}}},
      {"/v1/feeds/", {{"token", testing::Harness::Body(feed)["token"].get<std::string>()}}},
      {"/v1/workflows/", {{"name", "cbe_action"}}},
  };

  const YAML::Node doc = YAML::Load(ReadFile(std::string(RELAIS_SOURCE_DIR) + "/docs/openapi.yaml"));
  const std::set<std::string> known = KnownUnenforced();
  std::set<std::string> now_enforced;
  int probes = 0;
  for (auto path = doc["paths"].begin(); path != doc["paths"].end(); ++path) {
    const std::string pattern = path->first.as<std::string>();
    std::map<std::string, std::string> values;
    for (const auto& [prefix, v] : resources)
      if (pattern.rfind(prefix, 0) == 0) {
        values = v;
        break;
      }
    for (auto op = path->second.begin(); op != path->second.end(); ++op) {
      std::string method = op->first.as<std::string>();
      if (method == "parameters" || method == "summary" || method == "description") continue;
      for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      const std::string operation = op->second["operationId"].as<std::string>();
      std::vector<YAML::Node> parameters;
      for (const auto& p : path->second["parameters"]) parameters.push_back(Resolve(doc, p));
      for (const auto& p : op->second["parameters"]) parameters.push_back(Resolve(doc, p));
      for (const YAML::Node& p : parameters) {
        if (p["in"].as<std::string>() != "query") continue;
        const std::string name = p["name"].as<std::string>();
        for (const Violation& v : ViolationsOf(Resolve(doc, p["schema"]))) {
          const std::string target = Fill(pattern, values) + "?" + name + "=" + v.value;
          const std::string key = operation + "/" + name + "/" + v.value;
          auto r = h.Call(method, target, admin);
          ++probes;
          if (known.count(key)) {
            if (r.status == 400) now_enforced.insert(key + " (now enforced: remove it from the list)");
            continue;
          }
          EXPECT_EQ(r.status, 400) << operation << ": " << method << " " << target << " answered " << r.status
                                   << "; the document allows only " << v.why << " for '" << name << "'";
        }
      }
    }
  }
  EXPECT_GE(probes, 20);
  EXPECT_THAT(now_enforced, ::testing::IsEmpty()) << "tests/openapi/known_server_deviations.json";
}

std::vector<std::string> Segments(const std::string& path) {
  std::vector<std::string> out;
  for (size_t at = 1; at <= path.size();) {
    size_t slash = path.find('/', at);
    if (slash == std::string::npos) slash = path.size();
    if (slash > at || slash < path.size()) out.push_back(path.substr(at, slash - at));
    at = slash + 1;
  }
  return out;
}

// Whether a concrete path matches a documented template ({x} matches any
// non-empty segment), as the router matches.
bool Matches(const std::string& pattern, const std::string& path) {
  auto want = Segments(pattern), got = Segments(path);
  if (want.size() != got.size()) return false;
  for (size_t i = 0; i < want.size(); ++i)
    if (want[i].front() == '{' ? got[i].empty() : want[i] != got[i]) return false;
  return true;
}

// A method a path does not serve is 405, and Allow lists the methods the
// document gives every template the path matches (with HEAD beside GET).
TEST(OpenApiRoutesTest, EveryPathAnswers405WithItsDocumentedMethodsInAllow) {
  testing::Harness h;
  const Routes documented = DocumentedRoutes(ReadFile(std::string(RELAIS_SOURCE_DIR) + "/docs/openapi.yaml"));
  std::set<std::string> paths;
  for (const auto& route : documented) paths.insert(route.second);
  for (const std::string& path : paths) {
    std::string target = path;
    for (size_t open = target.find('{'); open != std::string::npos; open = target.find('{'))
      target.replace(open, target.find('}', open) - open + 1, "x");
    std::set<std::string> methods;
    for (const auto& [method, pattern] : documented)
      if (Matches(pattern, target)) methods.insert(method);
    if (methods.count("GET")) methods.insert("HEAD");
    std::string allow;
    for (const std::string& m : methods) allow += (allow.empty() ? "" : ", ") + m;
    std::string other;
    for (std::string m : {"PATCH", "PUT", "DELETE", "POST"})
      if (!methods.count(m)) {
        other = m;
        break;
      }
    ASSERT_FALSE(other.empty()) << path;
    auto r = h.Call(other, target, testing::kAdmin, "{}");
    EXPECT_EQ(r.status, 405) << other << " " << target;
    EXPECT_EQ(r.headers.Get("Allow").value_or(""), allow) << other << " " << target;
  }
}

// The operations no other recording test answers with success, so that
// tests/openapi validates their responses too (the harness records them).
TEST(OpenApiRoutesTest, OperationalDashboardAndMilestoneRoutesAnswer) {
  testing::Harness h;
  EXPECT_EQ(h.Call("GET", "/healthz", "").status, 200);
  EXPECT_EQ(h.Call("GET", "/readyz", "").status, 200);
  EXPECT_EQ(h.Call("GET", "/", "").status, 302);
  auto page = h.Call("GET", "/ui/index.html", "");
  ASSERT_EQ(page.status, 200);
  auto etag = page.headers.Get("ETag");
  ASSERT_TRUE(etag.has_value());
  EXPECT_EQ(h.Call("GET", "/ui/index.html", "", "", {{"If-None-Match", std::string(*etag)}}).status, 304);
  EXPECT_EQ(h.Call("GET", "/ui/lib/api.js", "").status, 200);
  EXPECT_EQ(h.Call("GET", "/ui/no-such-file.js", "").status, 404);

  const std::string programme = "/v1/programmes/" + testing::kOwnProgramme;
  Json definition = {
      {"id", testing::kOwnProgramme}, {"axes", {{{"id", "2A"}, {"title", "Axe"}}}}, {"reviews", {{"per_year", 3}}}};
  ASSERT_EQ(h.Call("POST", "/v1/programmes", testing::kAdmin, definition.dump()).status, 201);
  Json assign = {{"person", "person:marc.lefort"},
                 {"role", "elu_referent"},
                 {"axis", "2A"},
                 {"start", "2004-01-01"},
                 {"end", "2005-12-31"}};
  ASSERT_EQ(h.Call("POST", programme + "/assignments", testing::kAdmin, assign.dump()).status, 201);
  auto listed = h.Call("GET", programme + "/milestones?kind=review&status=scheduled", testing::kAdmin);
  ASSERT_EQ(listed.status, 200) << listed.body;
  Json milestones = testing::Harness::Body(listed)["milestones"];
  ASSERT_FALSE(milestones.empty());
  const std::string id = milestones[0]["id"].get<std::string>();
  auto moved =
      h.Call("POST", programme + "/milestones/" + id + "/move", testing::kAdmin, Json{{"date", "2004-12-20"}}.dump());
  EXPECT_EQ(moved.status, 200) << moved.body;
  auto held = h.Call("POST", programme + "/milestones/" + id + "/held", testing::kAdmin,
                     Json{{"notes", "Revue tenue"}, {"decisions", {"poursuivre"}}}.dump());
  EXPECT_EQ(held.status, 200) << held.body;
}

}  // namespace
}  // namespace relais::api
