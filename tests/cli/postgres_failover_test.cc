// Failover, for real: a PostgreSQL 15 primary and a synchronous streaming
// standby on loopback (tests/testing/postgres_pair.sh), two `relais serve`
// nodes on them through a multi-host connection string with
// target_session_attrs=read-write, a signed-webhook receiver
// (tests/webhooks/receiver.js), and four clients sending commands while
// projects' follow-up timers fall due.
//
//   1. Five times: the primary is SIGKILLed mid-load, the standby promoted
//      (pg_ctl promote, what Patroni does), then a new standby seeded from
//      it. The nodes are never restarted.
//   2. Then the node holding the background lease is SIGKILLed mid-load;
//      the other must take the lease over within its bounded time.
//
// Clients retry each command with its Idempotency-Key until it is
// acknowledged. Then: every acknowledged command is in its project's
// history exactly once (and no command twice); versions are gapless per
// stream and positions in the log; every follow-up timer fired exactly once
// and none is pending; every event was delivered to the partner's endpoint,
// with one webhook-id per event across retries. The time from each kill to
// the first command acknowledged after it is printed (docs/deploy.md).
#include <signal.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include <boost/algorithm/string/predicate.hpp>
#include <boost/beast/http.hpp>

#include "engine/api/authenticator.h"
#include "engine/store/pg_connection.h"
#include "tests/testing/loopback_client.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace relais {
namespace {

namespace http = boost::beast::http;
using namespace std::chrono_literals;
using Client = relais::testing::LoopbackClient;
using Child = relais::testing::PortedChild;
using Steady = std::chrono::steady_clock;

constexpr char kToken[] = "failover-coordinator-token";
constexpr char kPartnerToken[] = "failover-partner-token";
constexpr char kSecret[] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr char kListening[] = "relais listening on http://127.0.0.1:";
constexpr int kPortA = 15471, kPortB = 15472;  // this test's own pair
constexpr int kKills = 5;
constexpr int kWriters = 4;
constexpr int kProjectsPerRound = 6;
constexpr auto kLeaseTtl = 3000ms, kLeaseRenew = 500ms;
constexpr auto kCommandDeadline = 60s;  // a command not acknowledged by then fails the test

struct Ack {
  std::string project;
  int n = 0;
  Steady::time_point sent;  // the start of the attempt that was acknowledged
  Steady::time_point at;
  bool replayed = false;  // answered as a replay (recorded by an earlier attempt)
};

bool Replayed(const Client::Result& r) {
  for (const auto& [name, value] : r.headers)
    if (boost::iequals(name, "Idempotent-Replayed") && value == "true") return true;
  return false;
}

class PostgresFailoverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Outside the test's private directory: PostgreSQL runs as `postgres` when the test runs as root.
    pair_dir_ = "/tmp/relais-test-failover-" + std::to_string(kPortA);
    auto started = Pair("start");
    ASSERT_EQ(started.exit_code, 0) << started.out << started.err;
    std::filesystem::create_directories(dir_.Sub("workflows"));
    std::filesystem::copy_file(std::string(RELAIS_SOURCE_DIR) + "/tests/cli/testdata/relance-failover.yaml",
                               dir_.Sub("workflows/relance-failover.yaml"));
    conninfo_ = "host=127.0.0.1,127.0.0.1 port=" + std::to_string(kPortA) + "," + std::to_string(kPortB) +
                " user=relais dbname=postgres target_session_attrs=read-write connect_timeout=3";
    receiver_ = std::make_unique<Child>(
        std::vector<std::string>{"node", RECEIVER_JS, "--port", "0", "--secrets", kSecret}, "receiver listening ");
    ASSERT_NE(receiver_->port(), 0) << "the node receiver did not start (./scripts/test installs it)";
    for (const char* node : {"a", "b"}) {
      const std::string config = dir_.Sub(std::string("relais-") + node + ".yaml");
      std::string schedule = "[0, 200, 500";
      for (int i = 0; i < 60; ++i) schedule += ", 1000";
      schedule += "]";
      std::ofstream(config) << "server:\n  listen_address: 127.0.0.1\n  port: 0\n  drain_timeout_ms: 1000\n"
                            << "data_dir: " << dir_.Sub(std::string("data-") + node) << "\n"
                            << "store:\n  engine: postgres\n  postgres:\n    conninfo: \"" << conninfo_
                            << "\"\n    catch_up_interval_ms: 500\n"
                            << "workflows_dir: " << dir_.Sub("workflows") << "\n"
                            << "runtime:\n  lease_ttl_ms: " << kLeaseTtl.count()
                            << "\n  lease_renew_interval_ms: " << kLeaseRenew.count() << "\n  timer_max_sleep_ms: 500\n"
                            << "api:\n  rate_limit_per_second: 1000000\n  rate_limit_burst: 1000000\n"
                            << "webhooks:\n  retry_schedule_ms: " << schedule << "\n  retry_jitter_percent: 0\n"
                            << "  connect_timeout_ms: 1000\n  total_timeout_ms: 2000\n"
                            << "  allowed_ranges: [127.0.0.1/32]\n  max_sleep_ms: 50\n"
                            << "tokens:\n  - sha256: " << api::Authenticator::Sha256Hex(kToken)
                            << "\n    subject: person:claire.dumas\n    roles: [coordinator]\n"
                            << "  - sha256: " << api::Authenticator::Sha256Hex(kPartnerToken)
                            << "\n    subject: partner:ccas-fresnes\n    roles: [partner]\n    partner: ccas-fresnes\n";
      configs_.push_back(config);
    }
  }
  void TearDown() override {
    stop_ = true;
    for (auto& t : writers_)
      if (t.joinable()) t.join();
    for (auto& node : nodes_)
      if (node) node->Kill(SIGTERM);
    (void)Pair("stop");
  }

  relais::testing::ProcessResult Pair(const std::string& action) {
    return relais::testing::RunProcess({std::string(RELAIS_SOURCE_DIR) + "/tests/testing/postgres_pair.sh", action,
                                        pair_dir_, std::to_string(kPortA), std::to_string(kPortB)});
  }
  std::unique_ptr<Child> StartNode(int node) {
    auto child = std::make_unique<Child>(std::vector<std::string>{RELAIS_BINARY, "serve", "--config", configs_[node]},
                                         kListening);
    EXPECT_NE(child->port(), 0) << child->output();
    return child;
  }
  uint16_t PortOf(int node) {
    std::lock_guard lock(nodes_mu_);
    return nodes_[node] ? nodes_[node]->port() : 0;
  }
  bool HoldsLease(int node) {
    const uint16_t port = PortOf(node);
    if (port == 0) return false;
    Client c(port);
    auto r = c.Call(http::verb::get, "/metrics", "");
    return r.status == 200 && r.raw.find("\nrelais_background_lease_held 1") != std::string::npos;
  }

  // Sends one request until it is acknowledged (2xx), alternating nodes on
  // failures, each time with the same Idempotency-Key. The answer, or the
  // last failure once kCommandDeadline has passed.
  Client::Result Send(int first_node, const std::string& target, const Json& body, const std::string& key,
                      const std::string& token = kToken, Steady::time_point* sent = nullptr) {
    Client::Result last;
    int node = first_node;
    for (auto until = Steady::now() + kCommandDeadline; Steady::now() < until;) {
      const uint16_t port = PortOf(node);
      if (sent) *sent = Steady::now();
      if (port != 0) {
        Client c(port);
        last = c.Call(http::verb::post, target, token, body, {{"Idempotency-Key", key}});
        if (last.status >= 200 && last.status < 300) return last;
        if (last.status == 400 || last.status == 422) return last;  // refused for good: a bug of the test
      }
      node = 1 - node;
      std::this_thread::sleep_for(50ms);
    }
    return last;
  }

  void CreateProjects(int count) {
    for (int i = 0; i < count; ++i) {
      const std::string id = "relance-" + std::to_string(projects_made_++);
      auto r =
          Send(i % 2, "/v1/projects",
               {{"id", id}, {"workflow", "relance_test"}, {"title", "Relance " + id}, {"partners", {"ccas-fresnes"}}},
               "create-" + id);
      ASSERT_TRUE(r.status == 201 || r.status == 200) << id << ": " << r.raw;
      std::lock_guard lock(mu_);
      projects_.push_back(id);
    }
  }

  void StartWriters() {
    for (int w = 0; w < kWriters; ++w)
      writers_.emplace_back([this, w] {
        for (int i = 0; !stop_; ++i) {
          std::string project;
          {
            std::lock_guard lock(mu_);
            project = projects_[(w * 7 + i) % projects_.size()];
          }
          const int n = w * 1'000'000 + i;
          Steady::time_point sent;
          auto r = Send(w % 2, "/v1/projects/" + project + "/events", {{"type", "note"}, {"data", {{"n", n}}}},
                        "note-" + std::to_string(n), kToken, &sent);
          std::lock_guard lock(mu_);
          if (r.status == 201 || r.status == 200) {
            acks_.push_back({project, n, sent, Steady::now(), Replayed(r)});
          } else {
            failures_.push_back(project + " note " + std::to_string(n) + ": " + std::to_string(r.status) + " " + r.raw);
            return;
          }
          if (i % 4 == 3) std::this_thread::sleep_for(10ms);
        }
      });
  }
  // How long after t the first command sent after t was recorded (not a
  // replay of one recorded before), waited for (bounded).
  std::optional<Steady::duration> FirstAckAfter(Steady::time_point t) {
    for (auto until = Steady::now() + kCommandDeadline; Steady::now() < until;) {
      {
        std::lock_guard lock(mu_);
        std::optional<Steady::time_point> first;
        for (const Ack& a : acks_)
          if (a.sent > t && !a.replayed && (!first || a.at < *first)) first = a.at;
        if (first) return *first - t;
        if (!failures_.empty()) return std::nullopt;
      }
      std::this_thread::sleep_for(20ms);
    }
    return std::nullopt;
  }
  size_t AckCount() {
    std::lock_guard lock(mu_);
    return acks_.size();
  }
  void WaitForMoreAcks(size_t more) {
    const size_t target = AckCount() + more;
    for (auto until = Steady::now() + 30s; Steady::now() < until && AckCount() < target;)
      std::this_thread::sleep_for(10ms);
  }

  // Every event of a project, through node's API.
  std::vector<Json> History(const std::string& project) {
    std::vector<Json> out;
    Client c(PortOf(0) ? PortOf(0) : PortOf(1));
    for (uint64_t from = 1;;) {
      auto page = c.Call(http::verb::get,
                         "/v1/projects/" + project + "/events?from=" + std::to_string(from) + "&limit=500", kToken);
      EXPECT_EQ(page.status, 200) << page.raw;
      if (page.status != 200) return out;
      for (const Json& e : page.body.at("events")) out.push_back(e);
      if (!page.body.at("has_more").get<bool>()) return out;
      from = page.body.at("next_from").get<uint64_t>();
    }
  }

  relais::testing::TempDir dir_;
  std::string pair_dir_, conninfo_;
  std::vector<std::string> configs_;
  std::unique_ptr<Child> receiver_;
  std::mutex nodes_mu_;
  std::unique_ptr<Child> nodes_[2];
  std::atomic<bool> stop_{false};
  std::vector<std::thread> writers_;
  std::mutex mu_;  // what follows
  std::vector<std::string> projects_;
  std::vector<Ack> acks_;
  std::vector<std::string> failures_;
  int projects_made_ = 0;
};

TEST_F(PostgresFailoverTest, NothingAcknowledgedIsLostAndNothingRunsTwiceAcrossFailovers) {
  for (int node : {0, 1}) {
    auto child = StartNode(node);
    ASSERT_NE(child->port(), 0);
    std::lock_guard lock(nodes_mu_);
    nodes_[node] = std::move(child);
  }
  {
    Client c(PortOf(1));
    auto endpoint =
        c.Call(http::verb::post, "/v1/webhooks/endpoints", kPartnerToken,
               {{"url", "http://127.0.0.1:" + std::to_string(receiver_->port()) + "/ok"}, {"secret", kSecret}});
    ASSERT_EQ(endpoint.status, 201) << endpoint.raw;
    // Made on node 1, it reaches node 0's outbox within the catch-up interval.
    bool seen = false;
    for (auto until = Steady::now() + 10s; !seen && Steady::now() < until; std::this_thread::sleep_for(50ms)) {
      Client on_a(PortOf(0));
      auto listed = on_a.Call(http::verb::get, "/v1/webhooks/endpoints", kPartnerToken);
      seen = listed.status == 200 && listed.raw.find(endpoint.body.value("id", "?")) != std::string::npos;
    }
    ASSERT_TRUE(seen) << "node 0 never saw the endpoint made on node 1";
  }
  CreateProjects(kProjectsPerRound);
  if (HasFatalFailure()) return;
  StartWriters();

  // 1. The primary, killed and replaced five times.
  std::vector<double> kill_to_ack_ms;
  for (int round = 0; round < kKills; ++round) {
    CreateProjects(kProjectsPerRound);  // their follow-ups fall due around the next failover
    if (HasFatalFailure()) return;
    WaitForMoreAcks(200);
    auto kill = Pair("kill-primary");
    const auto killed = Steady::now();  // once the signal is sent, not when the script starts
    ASSERT_EQ(kill.exit_code, 0) << kill.out << kill.err;
    std::this_thread::sleep_for(300ms);  // the failure is seen before the promotion, as in production
    auto promoted = Pair("promote");
    ASSERT_EQ(promoted.exit_code, 0) << promoted.out << promoted.err;
    auto first = FirstAckAfter(killed);
    ASSERT_TRUE(first.has_value()) << "no command acknowledged after kill " << round + 1;
    kill_to_ack_ms.push_back(std::chrono::duration<double, std::milli>(*first).count());
    auto reseeded = Pair("reseed");
    ASSERT_EQ(reseeded.exit_code, 0) << reseeded.out << reseeded.err;
  }
  for (size_t i = 0; i < kill_to_ack_ms.size(); ++i)
    std::printf("failover %zu: primary killed -> first command acknowledged on the promoted standby: %.0f ms\n", i + 1,
                kill_to_ack_ms[i]);
  // Both nodes write again, never restarted.
  for (int node : {0, 1}) {
    Client c(PortOf(node));
    auto r = c.Call(http::verb::post, "/v1/projects/relance-0/events", kToken,
                    {{"type", "note"}, {"data", {{"n", 900'000'000 + node}}}});
    EXPECT_EQ(r.status, 201) << "node " << node << " after the failovers: " << r.raw;
    if (r.status == 201) {
      std::lock_guard lock(mu_);
      acks_.push_back({"relance-0", 900'000'000 + node, Steady::now(), Steady::now()});
    }
  }

  // 2. The node holding the background lease, killed.
  int holder = -1;
  for (auto until = Steady::now() + 10s; holder < 0 && Steady::now() < until; std::this_thread::sleep_for(50ms))
    for (int node : {0, 1})
      if (HoldsLease(node)) holder = node;
  ASSERT_GE(holder, 0) << "no node holds the background lease";
  EXPECT_FALSE(HoldsLease(1 - holder)) << "both nodes hold the lease";
  CreateProjects(kProjectsPerRound);
  if (HasFatalFailure()) return;
  WaitForMoreAcks(200);
  const auto node_killed = Steady::now();
  {
    std::unique_ptr<Child> dead;
    {
      std::lock_guard lock(nodes_mu_);
      dead = std::move(nodes_[holder]);
    }
    dead->Kill(SIGKILL);
  }
  std::optional<Steady::duration> takeover;
  for (auto until = Steady::now() + kLeaseTtl + kLeaseRenew + 10s; !takeover && Steady::now() < until;
       std::this_thread::sleep_for(20ms))
    if (HoldsLease(1 - holder)) takeover = Steady::now() - node_killed;
  ASSERT_TRUE(takeover.has_value()) << "the lease never moved to the surviving node";
  const double takeover_ms = std::chrono::duration<double, std::milli>(*takeover).count();
  std::printf("node holding the lease killed -> the other holds it: %.0f ms (lease %lld ms, renewed every %lld ms)\n",
              takeover_ms, static_cast<long long>(kLeaseTtl.count()), static_cast<long long>(kLeaseRenew.count()));
  EXPECT_LE(*takeover, kLeaseTtl + kLeaseRenew + 2s) << "the bound the lease promises (docs/deploy.md)";
  WaitForMoreAcks(200);
  {
    auto back = StartNode(holder);  // the killed node comes back, and does not take the lease back
    ASSERT_NE(back->port(), 0);
    std::lock_guard lock(nodes_mu_);
    nodes_[holder] = std::move(back);
  }
  WaitForMoreAcks(200);
  EXPECT_TRUE(HoldsLease(1 - holder));
  EXPECT_FALSE(HoldsLease(holder)) << "a node coming back waits for the lease";

  stop_ = true;
  for (auto& t : writers_) t.join();
  writers_.clear();
  {
    std::lock_guard lock(mu_);
    for (const std::string& f : failures_) ADD_FAILURE() << "a command was never acknowledged: " << f;
  }

  // Every follow-up fired: each project's timer fell due 5 s after it was made.
  std::vector<std::string> projects;
  {
    std::lock_guard lock(mu_);
    projects = projects_;
  }
  std::map<std::string, std::vector<Json>> histories;
  auto follow_ups = [](const std::vector<Json>& events) {
    return std::count_if(events.begin(), events.end(), [](const Json& e) { return e.at("type") == "relance_due"; });
  };
  for (auto until = Steady::now() + 60s;;) {
    bool all = true;
    for (const std::string& p : projects) {
      histories[p] = History(p);
      all = all && follow_ups(histories[p]) >= 1;
    }
    if (all || Steady::now() > until) break;
    std::this_thread::sleep_for(500ms);
  }

  // The histories: versions gapless, each command once, each follow-up once.
  std::map<std::pair<std::string, int>, int> notes;  // (project, n) -> times recorded
  size_t events = 0;
  for (const std::string& p : projects) {
    const std::vector<Json>& history = histories[p];
    events += history.size();
    for (size_t i = 0; i < history.size(); ++i)
      ASSERT_EQ(history[i].at("version").get<uint64_t>(), i + 1) << p << ": versions not gapless";
    EXPECT_EQ(follow_ups(history), 1) << p << ": the follow-up timer fired " << follow_ups(history) << " times";
    for (const Json& e : history)
      if (e.at("type") == "note") ++notes[{p, e.at("data").at("data").at("n").get<int>()}];  // the command's data
  }
  size_t acknowledged = 0;
  {
    std::lock_guard lock(mu_);
    acknowledged = acks_.size();
    for (const Ack& a : acks_) {
      const int times = notes[std::make_pair(a.project, a.n)];
      EXPECT_EQ(times, 1) << a.project << " note " << a.n << " acknowledged, recorded " << times << " times";
    }
  }
  for (const auto& [note, times] : notes) EXPECT_EQ(times, 1) << note.first << " note " << note.second;
  std::printf("%zu commands acknowledged, %zu projects, %zu events\n", acknowledged, projects.size(), events);
  // How the nodes' commit groups went since they last started: most in one
  // round trip on the versions they knew (relais_store_commit_groups_by_path).
  double known_groups = 0;
  for (int node : {0, 1}) {
    Client c(PortOf(node));
    auto metrics = c.Call(http::verb::get, "/metrics", "");
    std::string line = "node " + std::to_string(node) + ":";
    for (const char* path : {"known", "read", "missed"}) {
      const std::string key = std::string("\nrelais_store_commit_groups_by_path{path=\"") + path + "\"} ";
      const size_t at = metrics.raw.find(key);
      const double value = at == std::string::npos ? -1 : std::atof(metrics.raw.c_str() + at + key.size());
      line += std::string(" ") + path + " " + std::to_string(static_cast<long long>(value));
      if (std::string(path) == "known" && value > 0) known_groups += value;
    }
    std::printf("commit groups since the node started, %s\n", line.c_str());
  }
  EXPECT_GT(known_groups, 0) << "no commit group went in one round trip";

  // The log: positions gapless, no follow-up timer left.
  {
    auto pg = PgConnection::Connect(conninfo_);
    ASSERT_TRUE(pg.ok()) << pg.status().ToString();
    auto log = (*pg)->Exec("SELECT count(*)::bigint, coalesce(max(position), 0)::bigint FROM relais_events");
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    EXPECT_EQ(log->U64(0, 0), log->U64(0, 1)) << "global positions are not gapless";
    auto pending = (*pg)->Exec("SELECT count(*)::bigint FROM relais_kv WHERE substring(key from 1 for 10) = $1",
                               {PgParam::Bytes("timer/due/")});
    ASSERT_TRUE(pending.ok()) << pending.status().ToString();
    EXPECT_EQ(pending->U64(0, 0), 0u) << "timers still pending";
  }

  // Webhooks: every event delivered, one webhook-id per event across retries.
  std::map<std::pair<std::string, uint64_t>, std::set<std::string>> ids;
  size_t unlabelled = 0;  // deliveries without a project, version or webhook-id
  for (auto until = Steady::now() + 90s;;) {
    Client c(receiver_->port());
    auto received = c.Call(http::verb::get, "/received", "");
    ids.clear();
    unlabelled = 0;
    if (received.status == 200)
      for (const Json& r : received.body.at("received")) {
        if (!r.contains("project") || !r.contains("version") || !r.contains("id")) {
          ++unlabelled;
          continue;
        }
        ids[{r.at("project").get<std::string>(), r.at("version").get<uint64_t>()}].insert(
            r.at("id").get<std::string>());
      }
    if (ids.size() >= events || Steady::now() > until) break;
    std::this_thread::sleep_for(500ms);
  }
  size_t missing = 0;
  for (const std::string& p : projects)
    for (const Json& e : histories[p])
      if (!ids.count({p, e.at("version").get<uint64_t>()}) && ++missing <= 20)
        ADD_FAILURE() << "never delivered: " << p << " v" << e.at("version") << " " << e.value("type", "?") << " at "
                      << e.value("recorded_at", "?");
  EXPECT_EQ(missing, 0u) << "events never delivered to the partner's endpoint";
  if (missing > 0) {  // what the nodes and the queue say, to tell a slow queue from a stuck one
    for (int node : {0, 1}) {
      Client c(PortOf(node));
      auto metrics = c.Call(http::verb::get, "/metrics", "");
      for (size_t at = metrics.raw.find("\nrelais_webhook"); at != std::string::npos;
           at = metrics.raw.find("\nrelais_webhook", at + 1))
        std::printf("node %d: %s\n", node, metrics.raw.substr(at + 1, metrics.raw.find('\n', at + 1) - at - 1).c_str());
    }
    auto pg = PgConnection::Connect(conninfo_);
    if (pg.ok()) {
      auto queued = (*pg)->Exec("SELECT count(*)::bigint FROM relais_kv WHERE substring(key from 1 for 10) = $1",
                                {PgParam::Bytes("webhook/q/")});
      if (queued.ok()) std::printf("queued webhook deliveries left: %llu\n", (unsigned long long)queued->U64(0, 0));
      auto dead = (*pg)->Exec(
          "SELECT convert_from(value, 'UTF8') FROM relais_kv WHERE substring(key from 1 for 13) = $1 LIMIT 5",
          {PgParam::Bytes("webhook/dead/")});
      if (dead.ok())
        for (int i = 0; i < dead->rows(); ++i)
          std::printf("dead letter: %s\n", std::string(dead->Bytes(i, 0)).substr(0, 600).c_str());
    }
    {
      Client c(receiver_->port());
      auto received = c.Call(http::verb::get, "/received", "");
      std::printf("receiver rejected (bad signature): %d\n", received.body.value("rejected", -1));
    }
    std::lock_guard lock(nodes_mu_);
    for (int node : {0, 1}) {  // the nodes' errors about webhooks
      std::istringstream lines(nodes_[node]->output());
      for (std::string line; std::getline(lines, line);)
        if (line.find("\"level\":\"error\"") != std::string::npos && line.find("webhook") != std::string::npos)
          std::printf("node %d: %s\n", node, line.substr(0, 400).c_str());
    }
  }
  EXPECT_EQ(unlabelled, 0u) << "deliveries without a project, a version or a webhook-id";
  for (const auto& [event, webhook_ids] : ids)
    EXPECT_EQ(webhook_ids.size(), 1u) << event.first << " v" << event.second << " delivered under "
                                      << webhook_ids.size() << " webhook-ids";
}

}  // namespace
}  // namespace relais
