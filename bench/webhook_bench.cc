// Webhook delivery benchmark: a RocksDB store, the outbox written with each
// append, the dispatcher and its Beast client delivering to a keep-alive
// receiver in this process (plain Beast, one thread per connection).
//   1. throughput: N deliveries queued while the dispatcher is stopped, then
//      drained: deliveries/s.
//   2. latency: appends at a steady rate with the dispatcher running: time
//      from the append's acknowledgement to the receiver's receipt (p50, p99).
// Usage: relais_bench_webhooks [--dir DIR] [--results DIR] [--deliveries N] [--rate R] [--seconds S]
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "bench/bench_report.h"
#include "engine/notify/webhook_service.h"
#include "engine/store/rocksdb_event_store.h"
#include "engine/util/uuid.h"

namespace fs = std::filesystem;
namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Steady = std::chrono::steady_clock;
using namespace relais;

namespace {

struct Args {
  std::string dir = "var/bench/webhooks";
  std::string results = "bench/results";
  size_t deliveries = 50'000;
  size_t projects = 1'000;
  double rate = 2'000;  // appends per second in the latency phase
  double seconds = 10;
};

Args ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--dir")
      a.dir = v;
    else if (k == "--results")
      a.results = v;
    else if (k == "--deliveries")
      a.deliveries = std::stoul(v);
    else if (k == "--rate")
      a.rate = std::stod(v);
    else if (k == "--seconds")
      a.seconds = std::stod(v);
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      std::exit(2);
    }
  }
  return a;
}

// Receipt times by webhook-id.
struct Receipts {
  std::mutex mu;
  std::unordered_map<std::string, Steady::time_point> at;
  std::atomic<size_t> count{0};
  void Add(std::string id) {
    auto now = Steady::now();
    std::lock_guard lock(mu);
    if (at.emplace(std::move(id), now).second) ++count;
  }
};

// A keep-alive receiver: one thread per connection, answers 200 to everything.
class Receiver {
 public:
  explicit Receiver(Receipts& receipts) : receipts_(receipts), acceptor_(io_, {net::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { Accept(); });
  }
  ~Receiver() {
    stop_ = true;
    beast::error_code ec;
    acceptor_.close(ec);
    thread_.detach();  // a blocking accept is not interrupted by close on every platform
    for (auto& t : sessions_) t.detach();
  }
  uint16_t port() const { return port_; }

 private:
  void Accept() {
    while (!stop_) {
      beast::error_code ec;
      tcp::socket socket(io_);
      acceptor_.accept(socket, ec);
      if (ec) return;
      sessions_.emplace_back([this, s = std::move(socket)]() mutable { Serve(std::move(s)); });
    }
  }
  void Serve(tcp::socket socket) {
    beast::flat_buffer buffer;
    socket.set_option(tcp::no_delay(true));
    while (true) {
      http::request<http::string_body> req;
      beast::error_code ec;
      http::read(socket, buffer, req, ec);
      if (ec) return;
      receipts_.Add(std::string(req["webhook-id"]));
      http::response<http::string_body> res{http::status::ok, req.version()};
      res.keep_alive(req.keep_alive());
      res.body() = "ok";
      res.prepare_payload();
      http::write(socket, res, ec);
      if (ec || !req.keep_alive()) return;
    }
  }
  Receipts& receipts_;
  net::io_context io_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::vector<std::thread> sessions_;
};

struct Bench {
  std::unique_ptr<RocksDbEventStore> store;
  std::unique_ptr<notify::WebhookService> webhooks;
  std::string endpoint;
  std::vector<uint64_t> versions;
};

// Appends one event to project p with its outbox writes; returns the webhook-id.
std::string AppendOne(Bench& b, size_t p) {
  runtime::ProjectInfo info;
  info.id = "bench-" + std::to_string(p);
  info.axis = "1";
  info.partners = {"ccas"};
  NewEvent e;
  e.event_id = NewUuid();
  e.type = "indicateur_enregistre";
  e.data = {{"indicateur", "personnes_placees"}, {"valeur", 3}};
  e.metadata.actor = "bench";
  KvWrites writes;
  const uint64_t version = ++b.versions[p];
  b.webhooks->outbox().Add(info, info.partners, version, {e}, writes);
  std::vector<std::string> suffixes;
  for (const auto& op : writes.ops)
    if (op.key.rfind("webhook/q/", 0) == 0) suffixes.push_back(op.key.substr(10));
  b.webhooks->dispatcher().Expect(std::move(suffixes));
  AppendRequest request;
  request.stream_id = runtime::ProjectStream(info.id);
  request.expected = ExpectedVersion::Exact(version - 1 == 0 ? 0 : version - 1);
  if (version == 1) request.expected = ExpectedVersion::NoStream();
  request.events.push_back(e);
  request.side_writes = std::move(writes);
  auto r = b.store->Append(std::move(request));
  if (!r.ok()) {
    std::fprintf(stderr, "append: %s\n", r.status().ToString().c_str());
    std::exit(1);
  }
  return notify::WebhookId(e.event_id, b.endpoint);
}

}  // namespace

int main(int argc, char** argv) {
  Args args = ParseArgs(argc, argv);
  fs::remove_all(args.dir);
  RocksDbStoreOptions options;
  options.path = args.dir;
  auto store = RocksDbEventStore::Open(options);
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    return 1;
  }
  Receipts receipts;
  Receiver receiver(receipts);
  Bench b;
  b.store = std::move(*store);
  b.versions.assign(args.projects, 0);
  notify::WebhookOptions wo;
  wo.allowed_ranges = {"127.0.0.1/32"};
  wo.dispatcher.max_concurrency_per_endpoint = 64;
  wo.dispatcher.max_sleep = std::chrono::milliseconds(100);
  auto service = notify::WebhookService::Create(*b.store, SystemClock::Instance(), wo);
  if (!service.ok()) {
    std::fprintf(stderr, "webhooks: %s\n", service.status().ToString().c_str());
    return 1;
  }
  b.webhooks = std::move(*service);
  notify::EndpointFields fields;
  fields.url = "http://127.0.0.1:" + std::to_string(receiver.port()) + "/hook";
  b.endpoint = b.webhooks->endpoints().Create("ccas", fields)->id;

  // 1. Throughput: queue, then drain. Appenders in parallel (one project each at a time).
  std::printf("queueing %zu deliveries over %zu projects...\n", args.deliveries, args.projects);
  {
    std::vector<std::thread> appenders;
    const size_t threads = 16;
    for (size_t t = 0; t < threads; ++t) {
      appenders.emplace_back([&, t] {
        for (size_t i = t; i < args.deliveries; i += threads)
          AppendOne(b, (i / threads) % (args.projects / threads) * threads + t);
      });
    }
    for (auto& t : appenders) t.join();
  }
  std::printf("draining...\n");
  const auto drain_start = Steady::now();
  if (Status s = b.webhooks->Start(); !s.ok()) {
    std::fprintf(stderr, "start: %s\n", s.ToString().c_str());
    return 1;
  }
  while (receipts.count < args.deliveries) {
    if (Steady::now() - drain_start > std::chrono::minutes(10)) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const double drain_s = std::chrono::duration<double>(Steady::now() - drain_start).count();
  const double per_s = static_cast<double>(receipts.count.load()) / drain_s;
  std::printf("drained %zu in %.2f s: %.0f deliveries/s\n", receipts.count.load(), drain_s, per_s);

  // 2. Latency under a steady rate.
  std::printf("latency at %.0f appends/s for %.0f s...\n", args.rate, args.seconds);
  std::mutex acked_mu;
  std::vector<std::pair<std::string, Steady::time_point>> acked;
  {
    const size_t threads = 8;
    const auto start = Steady::now();
    const auto interval = std::chrono::duration<double>(threads / args.rate);
    std::vector<std::thread> appenders;
    for (size_t t = 0; t < threads; ++t) {
      appenders.emplace_back([&, t] {
        size_t n = 0;
        while (true) {
          auto due = start + std::chrono::duration_cast<Steady::duration>(interval * static_cast<double>(n));
          if (due - start > std::chrono::duration<double>(args.seconds)) return;
          std::this_thread::sleep_until(due);
          size_t p = (n * threads + t) % args.projects;
          p = p - p % threads + t;
          if (p >= args.projects) p = t;
          std::string id = AppendOne(b, p);
          auto ack = Steady::now();
          std::lock_guard lock(acked_mu);
          acked.emplace_back(std::move(id), ack);
          ++n;
        }
      });
    }
    for (auto& t : appenders) t.join();
  }
  const size_t expected = args.deliveries + acked.size();
  for (auto deadline = Steady::now() + std::chrono::seconds(60); receipts.count < expected && Steady::now() < deadline;)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  bench::LatencyRecorder latency;
  size_t missing = 0;
  {
    std::lock_guard lock(receipts.mu);
    for (const auto& [id, ack] : acked) {
      auto it = receipts.at.find(id);
      if (it == receipts.at.end()) {
        ++missing;
        continue;
      }
      // The dispatcher hears of a commit before the appender's acknowledgement:
      // a receipt can precede it (counted as 0).
      latency.Add(std::max(Steady::duration::zero(), it->second - ack));
    }
  }
  auto stats = b.webhooks->dispatcher().stats();
  b.webhooks->Stop();
  const double p50 = latency.PercentileMs(0.5), p99 = latency.PercentileMs(0.99);
  std::vector<bench::Figure> figures = {
      {"deliveries_per_s (drain of a queued backlog)", per_s, "deliveries/s", ">= 10000", per_s >= 10'000},
      {"ack_to_receipt_p50", p50, "ms", "", true},
      {"ack_to_receipt_p99", p99, "ms", "<= 50", p99 <= 50},
  };
  Json extra = {{"backlog_deliveries", args.deliveries},
                {"projects", args.projects},
                {"drain_seconds", drain_s},
                {"latency_rate_appends_per_s", args.rate},
                {"latency_samples", latency.count()},
                {"latency_missing", missing},
                {"attempts", stats.attempts},
                {"delivered", stats.delivered},
                {"receiver", "in-process Beast, keep-alive, one thread per connection"},
                {"max_concurrency_per_endpoint", 64}};
  bench::Report("webhooks", figures, extra, args.results);
  return 0;
}
