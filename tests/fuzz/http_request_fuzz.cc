// libFuzzer target for the HTTP surface: raw request bytes go through Beast's
// request parser (with the server's limits) and, when they form a request,
// through the router into the /v1 API over an in-memory runtime (the
// repository's workflows deployed, an admin token known). Whatever the bytes,
// nothing may crash, hang or leak, and no response may be a 500 (bad input
// always gets a 4xx; 503 only means busy).
//
// Memory: the in-memory store keeps every accepted write (about 1 KB per
// event, with the project index), so a long run's RSS grows with what it
// managed to write, not with runs; the harness is rebuilt once its store
// holds kMaxEventsPerHarness events, which bounds it. See tests/fuzz/README.md.
//
// Build: cmake -DRELAIS_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++ ...; run:
//   http_request_fuzz tests/fuzz/corpus/http_request -max_len=16384
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <future>
#include <memory>
#include <string_view>

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "engine/api/api.h"
#include "engine/server/operational_routes.h"
#include "engine/store/memory_event_store.h"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using namespace relais;

// The token seeds use: "Authorization: Bearer fuzz-admin".
constexpr char kAdminToken[] = "fuzz-admin";
constexpr size_t kBodyLimit = 64 * 1024;
constexpr uint32_t kHeaderLimit = 8 * 1024;
// About 70 MB of stored events and projects; a fresh harness (the workflows
// deployed again) costs milliseconds, once per some 100,000 runs.
constexpr uint64_t kMaxEventsPerHarness = 50'000;

struct Harness {
  Harness() : store(clock), registry(store), projects(store, registry, clock), index(store, projects.definitions()) {
    if (!registry.DeployDirectory(std::string(RELAIS_SOURCE_DIR) + "/workflows").ok()) std::abort();
    if (!index.Open().ok()) std::abort();
    api::ApiOptions config;
    config.worker_threads = 1;
    config.rate_limit_per_second = 100'000'000;
    config.rate_limit_burst = 100'000'000;
    config.max_streams = 1'000'000;
    api::TokenConfig admin{api::Authenticator::Sha256Hex(kAdminToken), "person:fuzz", {"admin", "coordinator"}, "", {}};
    api = std::make_unique<api::Api>(api::ApiServices{store, registry, projects, index, clock}, config,
                                     std::vector<api::TokenConfig>{admin}, &metrics);
    server::RegisterOperationalRoutes(router, metrics, nullptr);
    api->RegisterRoutes(router);
  }
  SystemClock clock;
  MemoryEventStore store;
  runtime::WorkflowRegistry registry;
  runtime::ProjectService projects;
  runtime::ProjectIndex index;
  server::Metrics metrics;
  server::Router router;
  std::unique_ptr<api::Api> api;
};

Harness& TheHarness() {
  // Never destroyed at exit (libFuzzer exits without unwinding); replaced
  // when its store is full enough.
  static auto* harness = new std::unique_ptr<Harness>();
  if (*harness && (*harness)->store.LastPosition() >= kMaxEventsPerHarness) harness->reset();
  if (!*harness) *harness = std::make_unique<Harness>();
  return **harness;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Harness& h = TheHarness();
  http::request_parser<http::string_body> parser;
  parser.body_limit(kBodyLimit);
  parser.header_limit(kHeaderLimit);
  parser.eager(true);
  beast::error_code ec;
  size_t used = parser.put(boost::asio::buffer(data, size), ec);
  (void)used;
  if (!ec && !parser.is_done()) parser.put_eof(ec);
  if (ec || !parser.is_done()) return 0;  // the session answers these with 400/413/431 or waits for more
  http::request<http::string_body> req = parser.release();

  server::HttpRequest request;
  request.method = std::string(req.method_string());
  for (const auto& field : req) request.headers.Add(std::string(field.name_string()), std::string(field.value()));
  request.body = std::move(req.body());
  if (!server::ParseRequestTarget(std::string_view(req.target().data(), req.target().size()), request).ok()) return 0;

  auto promise = std::make_shared<std::promise<server::HttpResponse>>();
  auto future = promise->get_future();
  h.router.Dispatch(std::move(request), [promise](server::HttpResponse r) { promise->set_value(std::move(r)); });
  server::HttpResponse response = future.get();
  if (response.stream) response.stream->Stop();
  if (response.status == 500 || response.status < 100 || response.status > 599) __builtin_trap();
  return 0;
}
