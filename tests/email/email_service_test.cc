// EmailService over the real SMTP channel and a real SMTP server (aiosmtpd):
// queued messages are handed over once each with their Message-ID, a 4xx is
// retried, a 5xx is dead-lettered and can be replayed, e-mail that is off
// queues nothing.
#include "engine/email/email_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "engine/store/memory_event_store.h"
#include "engine/util/uuid.h"
#include "tests/testing/smtp_sink.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace relais::email {
namespace {

using namespace std::chrono_literals;
using relais::testing::IsOk;
using relais::testing::StatusIs;
using ::testing::HasSubstr;

EmailOptions Options(const std::string& url) {
  EmailOptions o;
  o.smtp_url = url;
  o.tls = "none";
  o.from_address = "relais@cbe-sud.example.org";
  o.from_name = "Relais CBE Sud";
  o.dispatcher.retry_schedule = {0ms, 100ms};
  o.dispatcher.jitter_percent = 0;
  o.dispatcher.max_sleep = 20ms;
  return o;
}

OutgoingEmail Message(const std::string& id, const std::string& address = "nadia.benali@example.org") {
  OutgoingEmail e;
  e.id = id;
  e.to = {"Nadia Benali", address};
  e.subject = "Invitation à rejoindre Relais";
  e.text = "Bonjour,\nvoici votre lien.\n";
  e.html = "<p>Bonjour,</p><p>voici votre lien.</p>";
  e.kind = "invitation";
  return e;
}

bool WaitUntil(const std::function<bool()>& pred, std::chrono::milliseconds timeout = 20s) {
  for (auto end = std::chrono::steady_clock::now() + timeout; std::chrono::steady_clock::now() < end;) {
    if (pred()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return pred();
}

class EmailServiceTest : public ::testing::Test {
 protected:
  std::unique_ptr<EmailService> Open(const EmailOptions& options) {
    auto service = EmailService::Create(store_, SystemClock::Instance(), options);
    EXPECT_THAT(service, IsOk());
    EXPECT_THAT((*service)->Start(), IsOk());
    return std::move(*service);
  }

  MemoryEventStore store_;
  relais::testing::TempDir tmp_;
};

TEST_F(EmailServiceTest, QueuedMessagesAreHandedOverOnceEachWithTheirMessageId) {
  relais::testing::SmtpSink sink(tmp_.Sub("mail"));
  ASSERT_NE(sink.port(), 0);
  auto service = Open(Options(sink.url()));
  std::set<std::string> expected;
  for (int i = 0; i < 20; ++i) {
    const std::string id = NameUuid("email/test/" + std::to_string(i));
    ASSERT_THAT(service->SendMessage(Message(id, "p" + std::to_string(i) + "@example.org")), IsOk());
    expected.insert("<" + id + "@cbe-sud.example.org>");
  }
  ASSERT_TRUE(sink.WaitForCount(20, 20s));
  ASSERT_TRUE(WaitUntil([&] { return service->dispatcher().stats().delivered == 20; }));
  Json all = sink.Messages();
  ASSERT_TRUE(all.is_array()) << all.dump();
  std::set<std::string> got;
  for (const Json& m : all) {
    got.insert(m["message_id"].get<std::string>());
    EXPECT_EQ(m["from_name"], "Relais CBE Sud");
    EXPECT_EQ(m["envelope_from"], "relais@cbe-sud.example.org");
    EXPECT_EQ(m["envelope_to"].size(), 1u);
    EXPECT_EQ(m["subject"], "Invitation à rejoindre Relais");
    EXPECT_EQ(m["list_unsubscribe"], "") << "a transactional message has no unsubscribe link";
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(all.size(), 20u);
  auto pending = service->admin().Pending("smtp", "", 100);
  ASSERT_THAT(pending, IsOk());
  EXPECT_TRUE(pending->items.empty());
}

TEST_F(EmailServiceTest, ATemporaryFailureIsRetriedAndARefusalIsDeadLetteredThenReplayed) {
  relais::testing::SmtpSink sink(tmp_.Sub("mail"), {"--tempfail", "1", "--reject", "parti@example.org"});
  ASSERT_NE(sink.port(), 0);
  auto service = Open(Options(sink.url()));
  ASSERT_THAT(service->SendMessage(Message("retried")), IsOk());
  ASSERT_TRUE(sink.WaitForCount(1, 20s));
  ASSERT_TRUE(WaitUntil([&] { return service->dispatcher().stats().delivered == 1; }));
  auto attempts = service->admin().Attempts("retried");
  ASSERT_THAT(attempts, IsOk());
  ASSERT_EQ(attempts->size(), 2u);
  EXPECT_EQ((*attempts)[0]["outcome"], "failed");
  EXPECT_EQ((*attempts)[0]["status"], 451);
  EXPECT_EQ((*attempts)[1]["outcome"], "delivered");
  EXPECT_EQ((*attempts)[1]["status"], 250);

  ASSERT_THAT(service->SendMessage(Message("refused", "parti@example.org")), IsOk());
  ASSERT_TRUE(WaitUntil([&] { return service->dispatcher().stats().dead == 1; }));
  auto dead = service->admin().DeadLetter("refused");
  ASSERT_THAT(dead, IsOk());
  EXPECT_EQ((*dead)["last_status"], 550);
  EXPECT_EQ((*dead)["type"], "invitation");
  // A replay queues the same message again (still refused by this relay).
  ASSERT_THAT(service->admin().Replay("refused"), IsOk());
  ASSERT_TRUE(WaitUntil([&] { return service->dispatcher().stats().dead == 2; }));
  EXPECT_EQ(sink.Count(), 1u);
}

TEST_F(EmailServiceTest, OffQueuesNothingAndBadInputIsRefusedWithTheField) {
  EmailOptions off = Options("");
  auto service = Open(off);
  KvWrites writes;
  EXPECT_THAT(service->EnqueueMessage(Message("x"), writes),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("email.smtp_url")));
  EXPECT_TRUE(writes.empty());
  auto on = Open(Options("smtp://127.0.0.1:9"));
  OutgoingEmail bad = Message("y");
  bad.to.address = "nadia@example.org\r\nBcc: all@example.org";
  EXPECT_THAT(on->EnqueueMessage(bad, writes), StatusIs(StatusCode::kInvalidArgument, HasSubstr("To[0]")));
  EXPECT_THAT(on->EnqueueMessage(Message("a/b"), writes), StatusIs(StatusCode::kInvalidArgument, HasSubstr("id")));
  EXPECT_TRUE(writes.empty());
  EmailOptions bad_tls = Options("smtp://127.0.0.1:9");
  bad_tls.tls = "ssl";
  EXPECT_THAT(EmailService::Create(store_, SystemClock::Instance(), bad_tls),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("email.tls")));
}

}  // namespace
}  // namespace relais::email
