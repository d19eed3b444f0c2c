// docs/openapi.yaml and the router list the same routes, and the server
// serves the document it was built with.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include <yaml-cpp/yaml.h>

#include "engine/api/openapi_document.h"
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
  for (const auto& r : served) EXPECT_TRUE(documented.count(r)) << "not in docs/openapi.yaml: " << r.first << " " << r.second;
  for (const auto& r : documented) EXPECT_TRUE(served.count(r)) << "documented but not served: " << r.first << " " << r.second;
  EXPECT_GE(served.size(), 15u);
}

TEST(OpenApiRoutesTest, TheEmbeddedDocumentIsTheFileInTheTree) {
  EXPECT_EQ(std::string(OpenApiDocument()), ReadFile(std::string(RELAIS_SOURCE_DIR) + "/docs/openapi.yaml"));
  EXPECT_THAT(std::string(OpenApiDocument()), ::testing::StartsWith("openapi: 3.1.0"));
}

}  // namespace
}  // namespace relais::api
