// E-mail is at least once across SIGKILL: a process queues 400 messages
// (RocksDB on disk) and delivers them to a real SMTP server (aiosmtpd); it
// is killed with SIGKILL while a third have arrived and the rest are
// queued or in flight. A second process then delivers what is left. Every
// message arrives; one that arrives twice is the same message, byte for
// byte, with the same Message-ID (docs/email.md, "Guarantees").
#include <signal.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "engine/util/uuid.h"
#include "tests/testing/child_process.h"
#include "tests/testing/smtp_sink.h"
#include "tests/testing/temp_dir.h"

namespace relais {
namespace {

using namespace std::chrono_literals;
constexpr int kMessages = 400;

std::string Read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(EmailCrashTest, SigkillLosesNoMessageAndARepeatIsTheSameMessage) {
  relais::testing::TempDir dir;
  relais::testing::SmtpSink sink(dir.Sub("mail"));
  ASSERT_NE(sink.port(), 0);
  const std::string store = dir.Sub("data");
  {
    relais::testing::ChildProcess child({EMAIL_CRASH_CHILD, store, sink.url(), "enqueue", std::to_string(kMessages)});
    ASSERT_TRUE(child.started());
    ASSERT_TRUE(child.WaitFor(std::regex("queued"), 60s)) << child.output();
    ASSERT_TRUE(sink.WaitForCount(kMessages / 3, 60s));
    EXPECT_EQ(child.Kill(SIGKILL), -1) << "ended by the signal";
  }
  const size_t before_restart = sink.Count();
  EXPECT_LT(before_restart, static_cast<size_t>(kMessages)) << "the kill came after everything was sent";
  {
    relais::testing::ChildProcess child({EMAIL_CRASH_CHILD, store, sink.url(), "drain"});
    ASSERT_TRUE(child.started());
    auto drained = child.WaitFor(std::regex("drained, (\\d+) dead"), 120s);
    ASSERT_TRUE(drained) << child.output();
    EXPECT_EQ(*drained, "0");
    child.WaitFor(std::regex("(?!)"), 30s);  // until its output ends: it exits
    EXPECT_EQ(child.Kill(SIGTERM), 0) << "exited by itself, with 0";
  }
  // Each message by its Message-ID; copies must be byte-identical.
  std::map<std::string, std::string> by_id;
  size_t copies = 0;
  Json all = sink.Messages();
  ASSERT_TRUE(all.is_array()) << all.dump();
  for (const Json& m : all) {
    const std::string id = m["message_id"];
    const std::string body = Read(std::filesystem::path(sink.dir()) / m["file"].get<std::string>());
    const std::string message = body.substr(body.find("\r\n", body.find("X-Sink-Rcpt-To")) + 2);
    auto [it, fresh] = by_id.emplace(id, message);
    if (!fresh) {
      ++copies;
      EXPECT_EQ(it->second, message) << "a repeat of " << id << " differs";
    }
  }
  for (int i = 0; i < kMessages; ++i) {
    const std::string id = "<" + NameUuid("email/crash/" + std::to_string(i)) + "@crash.example.org>";
    EXPECT_EQ(by_id.count(id), 1u) << "message " << i << " was lost";
  }
  EXPECT_EQ(by_id.size(), static_cast<size_t>(kMessages));
  std::cout << "arrived before the kill: " << before_restart << ", repeated after the restart: " << copies << "\n";
  RecordProperty("repeated", static_cast<int>(copies));
}

}  // namespace
}  // namespace relais
