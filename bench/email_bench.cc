// E-mail delivery benchmark: the e-mail outbox on RocksDB, the dispatcher
// and the SmtpChannel (libcurl) handing messages to a real SMTP server on
// loopback: tests/testing/smtp_sink.py (aiosmtpd, Python, one process) in
// --count-only mode. Each of --runs runs (fresh store each):
//   0. the sink alone: the SmtpChannel driven directly (no store, no
//      dispatcher) as fast as the sink takes messages: the ceiling this
//      machine's sink allows;
//   1. throughput: N messages queued (durable batches of 100) while the
//      dispatcher is stopped, then drained: messages accepted per second;
//   2. latency: 100 messages/s queued one per durable batch with the
//      dispatcher running: time from the batch's acknowledgement to the
//      relay's 250 reply reaching Relais (p50, p99).
// Usage: relais_bench_email [--dir DIR] [--results DIR] [--sink PATH] [--python PATH] [--messages N]
//                           [--rate R] [--seconds S] [--concurrency C] [--runs K]
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "bench/bench_report.h"
#include "engine/email/email_service.h"
#include "engine/store/rocksdb_event_store.h"
#include "engine/util/uuid.h"
#include "plugins/email/message_builder.h"
#include "plugins/email/smtp_channel.h"

namespace fs = std::filesystem;
using Steady = std::chrono::steady_clock;
using namespace relais;

namespace {

struct Args {
  std::string dir = "var/bench/email";
  std::string results = "bench/results";
  std::string sink = "tests/testing/smtp_sink.py";
  std::string python = fs::exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
  size_t messages = 10'000;
  double rate = 100;
  double seconds = 10;
  size_t concurrency = 8;
  size_t runs = 3;
};

Args ParseArgs(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--dir") {
      a.dir = v;
    } else if (k == "--results") {
      a.results = v;
    } else if (k == "--sink") {
      a.sink = v;
    } else if (k == "--python") {
      a.python = v;
    } else if (k == "--messages") {
      a.messages = std::stoul(v);
    } else if (k == "--rate") {
      a.rate = std::stod(v);
    } else if (k == "--seconds") {
      a.seconds = std::stod(v);
    } else if (k == "--concurrency") {
      a.concurrency = std::stoul(v);
    } else if (k == "--runs") {
      a.runs = std::stoul(v);
    } else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      std::exit(2);
    }
  }
  return a;
}

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "email bench: %s\n", what.c_str());
  std::exit(1);
}

// The SMTP sink as a child process; its port from its first line.
class Sink {
 public:
  Sink(const Args& a, const std::string& dir) {
    int out[2];
    if (pipe(out) != 0) Die("pipe");
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      close(out[0]);
      execl(a.python.c_str(), a.python.c_str(), a.sink.c_str(), "--dir", dir.c_str(), "--count-only",
            static_cast<char*>(nullptr));
      _exit(127);
    }
    close(out[1]);
    FILE* f = fdopen(out[0], "r");
    char line[256];
    if (!f || !std::fgets(line, sizeof(line), f)) Die("the SMTP sink did not start (" + a.sink + ")");
    if (std::sscanf(line, "smtp sink listening on port %hu", &port_) != 1) Die(std::string("sink said: ") + line);
    out_ = f;
  }
  ~Sink() {
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    if (out_) std::fclose(out_);
  }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }

 private:
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  FILE* out_ = nullptr;
};

std::string Message(size_t i) {
  plugins::email::MessageParts p;
  p.from = {"Relais", "relais@bench.example.org"};
  p.to = {{"Personne " + std::to_string(i), "p" + std::to_string(i % 1000) + "@example.org"}};
  p.subject = "Étude de faisabilité lancée – action n° " + std::to_string(i);
  p.date = SystemClock::Instance().Now();
  p.message_id = NameUuid("bench/" + std::to_string(i)) + "@bench.example.org";
  p.text = "Bonjour,\n\nL'action n° " + std::to_string(i) + " passe en phase Étude.\n";
  p.html = "<p>Bonjour,</p><p>L'action n° " + std::to_string(i) + " passe en phase <b>Étude</b>.</p>";
  p.unsubscribe_url = "https://relais.example.org/v1/unsubscribe?t=x";
  return *plugins::email::BuildMessage(p);
}

// 0. The channel alone, `concurrency` attempts in flight.
double SinkAlone(const Args& a, const std::string& url, size_t n) {
  boost::asio::io_context io;
  plugins::email::SmtpChannelOptions o;
  o.envelope_from = "relais@bench.example.org";
  o.tls = plugins::email::TlsMode::kNone;
  o.concurrency = a.concurrency;
  auto channel = plugins::email::SmtpChannel::Create(io, o);
  if (!channel.ok()) Die(channel.status().ToString());
  const std::string body = Message(0);
  size_t started = 0, done = 0, failed = 0;
  std::function<void()> start_one = [&] {
    plugins::Delivery d;
    d.url = url;
    d.recipients = {"p0@example.org"};
    d.body = body;
    ++started;
    (*channel)->Deliver(d, [&](plugins::DeliveryOutcome out) {
      ++done;
      if (out.kind != plugins::OutcomeKind::kDelivered) ++failed;
      if (started < n) start_one();
    });
  };
  auto work = boost::asio::make_work_guard(io);
  const auto t0 = Steady::now();
  for (size_t i = 0; i < a.concurrency && i < n; ++i) start_one();
  while (done < n) io.run_one();
  const double s = std::chrono::duration<double>(Steady::now() - t0).count();
  if (failed) std::fprintf(stderr, "sink alone: %zu attempts failed\n", failed);
  return static_cast<double>(n) / s;
}

// Records when the relay accepted each message (the 250 reaching Relais).
struct Accepted {
  std::mutex mu;
  std::unordered_map<std::string, Steady::time_point> at;
  std::atomic<size_t> count{0};
};

class TimedChannel final : public plugins::NotificationChannel {
 public:
  TimedChannel(std::unique_ptr<plugins::NotificationChannel> inner, Accepted& accepted)
      : inner_(std::move(inner)), accepted_(accepted) {}
  void Deliver(const plugins::Delivery& d, Done done) override {
    inner_->Deliver(d, [this, id = d.id, done = std::move(done)](plugins::DeliveryOutcome out) {
      if (out.kind == plugins::OutcomeKind::kDelivered) {
        const auto now = Steady::now();
        std::lock_guard lock(accepted_.mu);
        if (accepted_.at.emplace(id, now).second) ++accepted_.count;
      }
      done(std::move(out));
    });
  }
  void Stop() override { inner_->Stop(); }

 private:
  std::unique_ptr<plugins::NotificationChannel> inner_;
  Accepted& accepted_;
};

email::OutgoingEmail Outgoing(const std::string& id, size_t i) {
  email::OutgoingEmail e;
  e.id = id;
  e.to = {"Personne " + std::to_string(i), "p" + std::to_string(i % 1000) + "@example.org"};
  e.subject = "Étude de faisabilité lancée – action n° " + std::to_string(i);
  e.text = "Bonjour,\n\nL'action n° " + std::to_string(i) + " passe en phase Étude.\n";
  e.html = "<p>Bonjour,</p><p>L'action n° " + std::to_string(i) + " passe en phase <b>Étude</b>.</p>";
  e.unsubscribe_url = "https://relais.example.org/v1/unsubscribe?t=x";
  e.kind = "bench";
  return e;
}

struct RunResult {
  double sink_alone = 0, drain_per_s = 0, p50 = 0, p99 = 0;
  size_t missing = 0, samples = 0;
};

RunResult OneRun(const Args& a, size_t run) {
  RunResult r;
  const std::string dir = a.dir + "/run-" + std::to_string(run);
  fs::remove_all(dir);
  fs::create_directories(dir);
  Sink sink(a, dir + "/sink");
  r.sink_alone = SinkAlone(a, sink.url(), std::min<size_t>(a.messages, 5'000));

  RocksDbStoreOptions so;
  so.path = dir + "/store";
  auto store = RocksDbEventStore::Open(so);
  if (!store.ok()) Die(store.status().ToString());
  email::EmailOptions eo;
  eo.smtp_url = sink.url();
  eo.tls = "none";
  eo.from_address = "relais@bench.example.org";
  eo.dispatcher.max_concurrency_per_endpoint = a.concurrency;
  eo.dispatcher.max_sleep = std::chrono::milliseconds(100);
  Accepted accepted;
  plugins::email::SmtpChannelOptions co;
  co.envelope_from = eo.from_address;
  co.tls = plugins::email::TlsMode::kNone;
  co.concurrency = a.concurrency;
  auto service = email::EmailService::Create(
      **store, SystemClock::Instance(), eo,
      [&](boost::asio::io_context& io) -> StatusOr<std::unique_ptr<plugins::NotificationChannel>> {
        RELAIS_ASSIGN_OR_RETURN(auto c, plugins::email::SmtpChannel::Create(io, co));
        return std::unique_ptr<plugins::NotificationChannel>(std::make_unique<TimedChannel>(std::move(c), accepted));
      });
  if (!service.ok()) Die(service.status().ToString());
  // 1. Throughput.
  for (size_t first = 0; first < a.messages; first += 100) {
    KvWrites writes;
    for (size_t i = first; i < std::min(a.messages, first + 100); ++i)
      if (auto id = (*service)->EnqueueMessage(Outgoing("b" + std::to_string(i), i), writes); !id.ok())
        Die(id.status().ToString());
    if (Status s = (*store)->KvWrite(writes); !s.ok()) Die(s.ToString());
  }
  const auto drain_start = Steady::now();
  if (Status s = (*service)->Start(); !s.ok()) Die(s.ToString());
  while (accepted.count < a.messages && Steady::now() - drain_start < std::chrono::minutes(10))
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  r.drain_per_s =
      static_cast<double>(accepted.count.load()) / std::chrono::duration<double>(Steady::now() - drain_start).count();
  // 2. Latency at a steady rate, one durable batch per message.
  std::vector<std::pair<std::string, Steady::time_point>> acked;
  const auto start = Steady::now();
  const auto interval = std::chrono::duration<double>(1.0 / a.rate);
  for (size_t n = 0;; ++n) {
    const auto due = start + std::chrono::duration_cast<Steady::duration>(interval * static_cast<double>(n));
    if (due - start > std::chrono::duration<double>(a.seconds)) break;
    std::this_thread::sleep_until(due);
    const std::string id = "l" + std::to_string(n);
    if (auto sent = (*service)->SendMessage(Outgoing(id, n)); !sent.ok()) Die(sent.status().ToString());
    acked.emplace_back(id, Steady::now());
  }
  const size_t expected = a.messages + acked.size();
  for (auto deadline = Steady::now() + std::chrono::seconds(60); accepted.count < expected && Steady::now() < deadline;)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  bench::LatencyRecorder latency;
  {
    std::lock_guard lock(accepted.mu);
    for (const auto& [id, ack] : acked) {
      auto it = accepted.at.find(id);
      if (it == accepted.at.end()) {
        ++r.missing;
        continue;
      }
      latency.Add(std::max(Steady::duration::zero(), it->second - ack));
    }
  }
  if (r.missing) {
    auto pending = (*service)->admin().Pending("smtp", "", 100'000);
    std::printf("still queued: %zu\n", pending.ok() ? pending->items.size() : size_t{0});
  }
  (*service)->Stop();
  r.samples = latency.count();
  r.p50 = latency.PercentileMs(0.5);
  r.p99 = latency.PercentileMs(0.99);
  std::printf("run %zu: sink alone %.0f/s, drain %.0f/s, p50 %.1f ms, p99 %.1f ms (%zu samples, %zu missing)\n",
              run + 1, r.sink_alone, r.drain_per_s, r.p50, r.p99, r.samples, r.missing);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  const Args args = ParseArgs(argc, argv);
  std::vector<RunResult> runs;
  for (size_t i = 0; i < args.runs; ++i) runs.push_back(OneRun(args, i));
  auto range = [&](double RunResult::*field) {
    double lo = runs.front().*field, hi = lo;
    for (const auto& r : runs) lo = std::min(lo, r.*field), hi = std::max(hi, r.*field);
    return std::pair{lo, hi};
  };
  const auto [sink_lo, sink_hi] = range(&RunResult::sink_alone);
  const auto [drain_lo, drain_hi] = range(&RunResult::drain_per_s);
  const auto [p50_lo, p50_hi] = range(&RunResult::p50);
  const auto [p99_lo, p99_hi] = range(&RunResult::p99);
  size_t missing = 0;
  for (const auto& r : runs) missing += r.missing;
  std::vector<bench::Figure> figures = {
      {"sink_alone_per_s (SmtpChannel straight to the aiosmtpd sink, min of runs)", sink_lo, "messages/s", "", true},
      {"emails_per_s (drain of a queued backlog, min of runs)", drain_lo, "messages/s", ">= 1000", drain_lo >= 1000},
      {"emails_per_s (max of runs)", drain_hi, "messages/s", "", true},
      {"enqueue_to_accepted_p50 (max of runs)", p50_hi, "ms", "", true},
      {"enqueue_to_accepted_p99 (max of runs)", p99_hi, "ms", "<= 1000", p99_hi <= 1000 && missing == 0},
  };
  Json per_run = Json::array();
  for (const auto& r : runs)
    per_run.push_back({{"sink_alone_per_s", r.sink_alone},
                       {"emails_per_s", r.drain_per_s},
                       {"p50_ms", r.p50},
                       {"p99_ms", r.p99},
                       {"samples", r.samples},
                       {"missing", r.missing}});
  Json extra = {{"runs", per_run},
                {"ranges",
                 {{"sink_alone_per_s", {sink_lo, sink_hi}},
                  {"emails_per_s", {drain_lo, drain_hi}},
                  {"p50_ms", {p50_lo, p50_hi}},
                  {"p99_ms", {p99_lo, p99_hi}}}},
                {"backlog_messages", args.messages},
                {"latency_rate_per_s", args.rate},
                {"latency_seconds", args.seconds},
                {"concurrency", args.concurrency},
                {"sink", "tests/testing/smtp_sink.py (aiosmtpd 1.4, one Python process, --count-only)"},
                {"accepted_means", "the relay's 250 reply after DATA reached Relais"}};
  bench::Report("email", figures, extra, args.results);
  return 0;
}
