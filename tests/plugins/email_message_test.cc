// MessageBuilder: the message text itself (line lengths, encodings,
// refusals), then the same messages sent through the SmtpChannel to a real
// aiosmtpd server and read back by Python's `email` package.
#include "plugins/email/message_builder.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "plugins/email/smtp_channel.h"
#include "tests/testing/smtp_sink.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace relais::plugins::email {
namespace {

using relais::testing::IsOk;
using relais::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

MessageParts Sample() {
  MessageParts p;
  p.from = {"Relais – Sud Val-de-Marnais", "relais@example.org"};
  p.to = {{"Nadia Benali", "nadia.benali@example.org"}};
  p.subject = "Étude de faisabilité : « Garage solidaire » est passée en phase montage (élu référent)";
  p.date = FromMicros(1'796'000'000'000'000);
  p.message_id = "0f8c2a3e-1111-4222-8333-944455556666@relais.example.org";
  p.text = "Bonjour Nadia,\n\nL'action « Garage solidaire » est passée en phase Montage.\n" + std::string(120, 'x') +
           "\n.point en début de ligne\nfin \n";
  p.html = "<p>Bonjour Nadia,</p><p>L'action « Garage solidaire » est passée en phase <b>Montage</b>.</p>";
  p.unsubscribe_url = "https://relais.example.org/v1/unsubscribe?t=abc";
  p.unsubscribe_mailto = "mailto:relais@example.org?subject=unsubscribe";
  return p;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t i; (i = text.find("\r\n", start)) != std::string::npos; start = i + 2)
    lines.push_back(text.substr(start, i - start));
  return lines;
}

TEST(EmailMessageTest, EveryLineEndsInCrlfAndFitsIn78Characters) {
  auto m = BuildMessage(Sample());
  ASSERT_THAT(m, IsOk());
  EXPECT_EQ(m->find('\n'), m->find("\r\n") + 1);
  size_t lf = 0, crlf = 0;
  for (size_t i = 0; i < m->size(); ++i)
    if ((*m)[i] == '\n') (++lf, crlf += (i > 0 && (*m)[i - 1] == '\r'));
  EXPECT_EQ(lf, crlf);
  for (const std::string& line : Lines(*m)) EXPECT_LE(line.size(), 78u) << line;
  EXPECT_THAT(*m, HasSubstr("Subject: =?UTF-8?B?"));
  EXPECT_THAT(*m, HasSubstr("Message-ID: <0f8c2a3e-1111-4222-8333-944455556666@relais.example.org>\r\n"));
  EXPECT_THAT(*m, HasSubstr("List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
  EXPECT_THAT(*m, HasSubstr("Date: Mon, 30 Nov 2026 00:53:20 +0000\r\n"));
}

TEST(EmailMessageTest, AnAsciiSubjectStaysReadableAndAPlainMessageHasOnePart) {
  MessageParts p = Sample();
  p.subject = "Weekly digest";
  p.html.clear();
  p.unsubscribe_url.clear();
  auto m = BuildMessage(p);
  ASSERT_THAT(m, IsOk());
  EXPECT_THAT(*m, HasSubstr("Subject: Weekly digest\r\n"));
  EXPECT_THAT(*m, HasSubstr("Content-Type: text/plain; charset=UTF-8\r\n"));
  EXPECT_THAT(*m, Not(HasSubstr("multipart")));
  EXPECT_THAT(*m, Not(HasSubstr("List-Unsubscribe")));
}

TEST(EmailMessageTest, EncodedWordsSplitBetweenCharactersAndStayWithinTheLimit) {
  const std::string subject = std::string(40, 'e') + "éèêë€😀" + std::string(60, 'a') + "ü";
  const std::string encoded = EncodeHeaderText(subject, 9);
  for (const std::string& word : Lines(encoded + "\r\n")) {
    std::string w = word[0] == ' ' ? word.substr(1) : word;
    EXPECT_LE(w.size(), 75u) << w;
    EXPECT_EQ(w.rfind("=?UTF-8?B?", 0), 0u) << w;
  }
}

TEST(EmailMessageTest, QuotedPrintableEncodesTrailingSpacesEqualsAndLeadingDots) {
  EXPECT_EQ(QuotedPrintable("a=b \n.x"), "a=3Db=20\r\n=2Ex\r\n");
  const std::string long_line = QuotedPrintable(std::string(200, 'y'));
  for (const std::string& line : Lines(long_line)) EXPECT_LE(line.size(), 76u);
}

TEST(EmailMessageTest, HeaderInjectionAndMalformedAddressesAreRefusedWithTheField) {
  MessageParts p = Sample();
  p.subject = "Bonjour\r\nBcc: victim@example.org";
  EXPECT_THAT(BuildMessage(p), StatusIs(StatusCode::kInvalidArgument, HasSubstr("Subject")));
  p = Sample();
  p.to[0].address = "nadia@example.org>, <other@example.org";
  EXPECT_THAT(BuildMessage(p), StatusIs(StatusCode::kInvalidArgument, HasSubstr("To[0]")));
  p = Sample();
  p.to.clear();
  EXPECT_THAT(BuildMessage(p), StatusIs(StatusCode::kInvalidArgument, HasSubstr("no recipient")));
  p = Sample();
  p.message_id = "no-host";
  EXPECT_THAT(BuildMessage(p), StatusIs(StatusCode::kInvalidArgument, HasSubstr("Message-ID")));
  p = Sample();
  p.from.address = "relais example.org";
  EXPECT_THAT(BuildMessage(p), StatusIs(StatusCode::kInvalidArgument, HasSubstr("From")));
}

// Sends each message through a real SmtpChannel to a real aiosmtpd server.
class EmailOverSmtpTest : public ::testing::Test {
 protected:
  DeliveryOutcome Send(const std::string& url, const std::string& body, std::vector<std::string> recipients,
                       SmtpChannelOptions options = {}) {
    boost::asio::io_context io;
    if (options.envelope_from.empty()) options.envelope_from = "relais@example.org";
    options.tls = TlsMode::kNone;
    options.connect_timeout = std::chrono::seconds(5);
    options.total_timeout = std::chrono::seconds(20);
    auto channel = SmtpChannel::Create(io, options);
    EXPECT_THAT(channel, IsOk());
    Delivery d;
    d.id = "d1";
    d.endpoint_id = "smtp";
    d.url = url;
    d.recipients = std::move(recipients);
    d.body = body;
    DeliveryOutcome result;
    int calls = 0;
    auto work = boost::asio::make_work_guard(io);  // the outcome is posted from a worker thread
    (*channel)->Deliver(d, [&](DeliveryOutcome o) {
      result = std::move(o);
      ++calls;
      work.reset();
    });
    io.run_for(std::chrono::seconds(30));
    EXPECT_EQ(calls, 1);
    return result;
  }

  relais::testing::TempDir tmp_;
};

TEST_F(EmailOverSmtpTest, PythonsEmailPackageReadsBackEveryHeaderAndPart) {
  relais::testing::SmtpSink sink(tmp_.Sub("mail"));
  ASSERT_NE(sink.port(), 0);
  MessageParts p = Sample();
  p.to.push_back({"Jean-Noël Dupré", "jn.dupre@example.org"});
  p.calendar = CalendarPart{"REQUEST", "BEGIN:VCALENDAR\nMETHOD:REQUEST\nEND:VCALENDAR\n"};
  auto text = BuildMessage(p);
  ASSERT_THAT(text, IsOk());
  DeliveryOutcome o = Send(sink.url(), *text, {"nadia.benali@example.org", "jn.dupre@example.org"});
  EXPECT_EQ(o.kind, OutcomeKind::kDelivered) << o.excerpt;
  EXPECT_EQ(o.status, 250);
  ASSERT_TRUE(sink.WaitForCount(1, std::chrono::seconds(10)));
  Json all = sink.Messages();
  ASSERT_TRUE(all.is_array()) << all.dump();
  ASSERT_EQ(all.size(), 1u);
  const Json& m = all[0];
  EXPECT_EQ(m["defects"], Json::array());
  EXPECT_EQ(m["bare_lf"], 0);
  EXPECT_EQ(m["long_lines"], 0);
  EXPECT_EQ(m["subject"], p.subject);
  EXPECT_EQ(m["from_name"], "Relais – Sud Val-de-Marnais");
  EXPECT_EQ(m["from_address"], "relais@example.org");
  EXPECT_EQ(m["to"], Json::array({"nadia.benali@example.org", "jn.dupre@example.org"}));
  EXPECT_EQ(m["to_names"], Json::array({"Nadia Benali", "Jean-Noël Dupré"}));
  EXPECT_EQ(m["envelope_from"], "relais@example.org");
  EXPECT_EQ(m["envelope_to"], Json::array({"nadia.benali@example.org", "jn.dupre@example.org"}));
  EXPECT_EQ(m["message_id"], "<" + p.message_id + ">");
  EXPECT_TRUE(m["date_ok"].get<bool>());
  EXPECT_EQ(m["list_unsubscribe"],
            "<https://relais.example.org/v1/unsubscribe?t=abc>, <mailto:relais@example.org?subject=unsubscribe>");
  EXPECT_EQ(m["list_unsubscribe_post"], "List-Unsubscribe=One-Click");
  EXPECT_EQ(m["content_type"], "multipart/alternative");
  ASSERT_EQ(m["parts"].size(), 3u);
  EXPECT_EQ(m["parts"][0]["type"], "text/plain");
  EXPECT_EQ(m["parts"][0]["charset"], "utf-8");
  // The words, accents, trailing space and the leading dot intact (the
  // last line break belongs to the MIME boundary's delimiter).
  std::string plain = m["parts"][0]["text"].get<std::string>();
  std::erase(plain, '\r');
  EXPECT_EQ(plain + "\n", p.text);
  EXPECT_EQ(m["parts"][1]["type"], "text/html");
  std::string html = m["parts"][1]["text"].get<std::string>();
  std::erase(html, '\r');
  EXPECT_EQ(html, p.html);
  EXPECT_EQ(m["parts"][2]["type"], "text/calendar");
  EXPECT_EQ(m["parts"][2]["method"], "REQUEST");
  EXPECT_THAT(m["parts"][2]["text"].get<std::string>(), HasSubstr("METHOD:REQUEST"));
}

TEST_F(EmailOverSmtpTest, ARefusedRecipientIsRefusedAndATemporaryFailureIsRetried) {
  relais::testing::SmtpSink sink(tmp_.Sub("mail"), {"--reject", "gone@example.org", "--tempfail", "1"});
  ASSERT_NE(sink.port(), 0);
  auto text = BuildMessage(Sample());
  ASSERT_THAT(text, IsOk());
  DeliveryOutcome refused = Send(sink.url(), *text, {"gone@example.org"});
  EXPECT_EQ(refused.kind, OutcomeKind::kRefused) << refused.excerpt;
  EXPECT_EQ(refused.status, 550);
  DeliveryOutcome later = Send(sink.url(), *text, {"nadia.benali@example.org"});
  EXPECT_EQ(later.kind, OutcomeKind::kRetry) << later.excerpt;
  EXPECT_EQ(later.status, 451);
  DeliveryOutcome now = Send(sink.url(), *text, {"nadia.benali@example.org"});
  EXPECT_EQ(now.kind, OutcomeKind::kDelivered) << now.excerpt;
  EXPECT_TRUE(sink.WaitForCount(1, std::chrono::seconds(10)));
}

TEST_F(EmailOverSmtpTest, NoServerIsARetryAndStartTlsRequiredWhereNoneIsOfferedIsNotDelivered) {
  relais::testing::SmtpSink sink(tmp_.Sub("mail"));
  ASSERT_NE(sink.port(), 0);
  auto text = BuildMessage(Sample());
  ASSERT_THAT(text, IsOk());
  // A port nothing listens on (the sink's, once the sink is gone, is not reliable: use 9, discard).
  DeliveryOutcome none = Send("smtp://127.0.0.1:9", *text, {"nadia.benali@example.org"});
  EXPECT_EQ(none.kind, OutcomeKind::kRetry) << none.excerpt;
  EXPECT_EQ(none.status, 0);
  // STARTTLS required: the sink offers none, so nothing is sent in clear.
  boost::asio::io_context io;
  SmtpChannelOptions o;
  o.envelope_from = "relais@example.org";
  o.tls = TlsMode::kStartTls;
  auto channel = SmtpChannel::Create(io, o);
  ASSERT_THAT(channel, IsOk());
  Delivery d;
  d.url = sink.url();
  d.recipients = {"nadia.benali@example.org"};
  d.body = *text;
  DeliveryOutcome tls;
  auto work = boost::asio::make_work_guard(io);
  (*channel)->Deliver(d, [&](DeliveryOutcome r) {
    tls = std::move(r);
    work.reset();
  });
  io.run_for(std::chrono::seconds(30));
  EXPECT_NE(tls.kind, OutcomeKind::kDelivered) << tls.excerpt;
  EXPECT_EQ(sink.Count(), 0u);
}

}  // namespace
}  // namespace relais::plugins::email
