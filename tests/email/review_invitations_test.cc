// Élus' reviews reach the élu and the coordinators as iTIP invitations:
// real ProgrammeService over RocksDB on disk, the real SMTP channel to a
// real SMTP server (aiosmtpd); each message read back by Python's `email`
// package and its calendar part by ical.js (tests/programme/ics/check_itip.mjs).
#include "engine/email/review_invitations.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <thread>

#include "engine/email/email_service.h"
#include "tests/programme/programme_fixture.h"
#include "tests/testing/smtp_sink.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/subprocess.h"
#include "tests/testing/temp_dir.h"

namespace relais::email {
namespace {

using namespace std::chrono_literals;
using programme::Milestone;
using programme::MilestoneStatus;
using programme::testing::CbeDefinition;
using programme::testing::D;
using programme::testing::T;
using relais::testing::IsOk;
using ::testing::HasSubstr;

constexpr const char* kClaire = "claire.dumas@cbe-sud.example.org";       // coordinator
constexpr const char* kMarc = "marc.lefort@ville-orly.example.org";       // élu, axis 2A
constexpr const char* kNadia = "nadia.berrada@ville-thiais.example.org";  // élue who takes over
constexpr const char* kJohn = "john.smith@anpe-orly.example.org";         // coordinator, in English

// The directory of people as a table, with their names (Profile).
class TableDirectory final : public RecipientDirectory {
 public:
  void Add(people::Person p) { people_[p.id] = std::move(p); }
  StatusOr<std::vector<Recipient>> OfPartners(const std::vector<std::string>&) override {
    return std::vector<Recipient>{};
  }
  StatusOr<std::optional<Recipient>> Person(const std::string& id) override {
    auto it = people_.find(id);
    if (it == people_.end()) return std::optional<Recipient>();
    const people::Person& p = it->second;
    return std::optional<Recipient>(Recipient{p.id, p.email, people::DisplayName(p, p.language), p.language});
  }
  StatusOr<std::optional<people::Person>> Profile(const std::string& id) override {
    auto it = people_.find(id);
    return it == people_.end() ? std::optional<people::Person>() : std::optional<people::Person>(it->second);
  }

 private:
  std::map<std::string, people::Person> people_;
};

people::Person Named(const char* id, const char* civility, const char* first, const char* last,
                     const char* language = "fr") {
  people::Person p;
  p.id = p.email = id;
  p.civility = civility;
  p.first_name = first;
  p.last_name = last;
  p.language = language;
  return p;
}

class ReviewInvitationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sink_ = std::make_unique<relais::testing::SmtpSink>(dir_.Sub("mail"));
    ASSERT_NE(sink_->port(), 0);
    store_ = programme::testing::OpenRocks(dir_.Sub("store"), clock_);
    ASSERT_NE(store_, nullptr);
    h_ = std::make_unique<programme::testing::Harness>(*store_, clock_);
    people_.Add(Named(kClaire, "Mme", "Claire", "Dumas"));
    people_.Add(Named(kMarc, "M.", "Marc", "Lefort"));
    people_.Add(Named(kNadia, "Mme", "Nadia", "Berrada"));
    people_.Add(Named(kJohn, "M.", "John", "Smith", "en"));
    EmailOptions options;
    options.smtp_url = sink_->url();
    options.tls = "none";
    options.from_address = "relais@cbe-sud.example.org";
    options.from_name = "Relais CBE Sud";
    options.public_base_url = "https://relais.cbe-sud.example.org";
    options.dispatcher.max_sleep = 20ms;
    auto service = EmailService::Create(*store_, clock_, options);
    ASSERT_THAT(service, IsOk());
    email_ = std::move(*service);
    email_->Attach(h_->projects, h_->programmes, people_);
    ASSERT_THAT(email_->Start(), IsOk());
    ASSERT_NE(h_->Define(CbeDefinition({{"months", {3, 6, 11}}, {"day", 15}})), nullptr);
    h_->Assign(kClaire, "coordinator", "", "2026-12-01", "2029-12-31");
  }
  void TearDown() override {
    if (email_) email_->Stop();
  }

  // The messages received since `from` (arrival order), waiting for n of them.
  std::vector<Json> Next(size_t n) {
    EXPECT_TRUE(sink_->WaitForCount(seen_ + n, 30s)) << "expected " << n << " more after " << seen_;
    email_->dispatcher().Settle();
    Json all = sink_->Messages();
    std::vector<Json> out(all.begin() + static_cast<std::ptrdiff_t>(std::min(seen_, all.size())), all.end());
    seen_ = all.size();
    return out;
  }
  static std::vector<Json> To(const std::vector<Json>& mail, const std::string& address) {
    std::vector<Json> out;
    for (const Json& m : mail)
      if (m["to"][0] == address) out.push_back(m);
    return out;
  }
  static std::string Calendar(const Json& m, std::string* method = nullptr) {
    for (const Json& p : m["parts"])
      if (p["type"] == "text/calendar") {
        if (method) *method = p["method"].is_string() ? p["method"].get<std::string>() : "";
        return p["text"].get<std::string>();
      }
    return "";
  }

  // Has ical.js parse the message's calendar part and check it against the
  // review as the programme holds it.
  void CheckWithIcalJs(const Json& message, const Milestone& review, const std::string& method,
                       const std::string& summary, const Json& attendees) {
    std::string ics = Calendar(message);
    ASSERT_FALSE(ics.empty()) << message.dump();
    // Python's parser hands the text back with '\n' line ends; the message
    // itself had CRLF (bare_lf is checked on the raw message).
    std::string crlf;
    for (char c : ics) {
      if (c == '\r') continue;
      crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    }
    const auto seconds = [](TimePoint t) {
      return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
    };
    const int minutes = review.duration_minutes > 0 ? review.duration_minutes : 60;
    Json want = {{"method", method},
                 {"status", method == "CANCEL" ? "CANCELLED" : "CONFIRMED"},
                 {"uid", review.id + "@sud-val-de-marnais.relais"},
                 {"sequence", review.sequence},
                 {"tzid", "Europe/Paris"},
                 {"start_utc", seconds(review.due)},
                 {"end_utc", seconds(review.due) + minutes * 60},
                 {"dtstamp_utc", seconds(clock_.Now())},
                 {"summary", summary},
                 {"organizer", {{"cn", "Relais CBE Sud"}, {"email", "relais@cbe-sud.example.org"}}},
                 {"attendees", attendees}};
    const std::string base = dir_.Sub("ics-" + std::to_string(++checked_));
    std::ofstream(base + ".ics", std::ios::binary) << crlf;
    std::ofstream(base + ".json") << want.dump();
    auto run = relais::testing::RunProcess({"/usr/bin/env", "node",
                                            std::string(RELAIS_SOURCE_DIR) + "/tests/programme/ics/check_itip.mjs",
                                            base + ".ics", base + ".json"});
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err << crlf;
    EXPECT_THAT(run.out, HasSubstr(" 0 failed"));
  }
  static Json Attendee(const char* cn, const char* email, const char* role) {
    return {{"cn", cn}, {"email", email}, {"role", role}};
  }

  relais::testing::TempDir dir_;
  ManualClock clock_{T("2026-12-01T08:00:00Z")};
  std::unique_ptr<relais::testing::SmtpSink> sink_;
  std::unique_ptr<RocksDbEventStore> store_;
  std::unique_ptr<programme::testing::Harness> h_;
  TableDirectory people_;
  std::unique_ptr<EmailService> email_;
  size_t seen_ = 0;
  int checked_ = 0;
};

TEST_F(ReviewInvitationsTest, EachScheduledReviewReachesTheEluAndTheCoordinatorAsARequest) {
  h_->Assign(kMarc, "elu_referent", "2A", "2027-01-01", "2029-12-31");
  const std::vector<Milestone> reviews = h_->Reviews();
  ASSERT_EQ(reviews.size(), 9u);
  const std::vector<Json> mail = Next(18);
  ASSERT_EQ(To(mail, kMarc).size(), 9u);
  ASSERT_EQ(To(mail, kClaire).size(), 9u);
  std::set<std::string> uids;
  for (const Json& m : mail) {
    EXPECT_EQ(m["defects"], Json::array()) << m["file"];
    EXPECT_EQ(m["bare_lf"], 0);
    EXPECT_EQ(m["long_lines"], 0);
    std::string method;
    const std::string ics = Calendar(m, &method);
    EXPECT_EQ(method, "REQUEST");
    EXPECT_THAT(ics, HasSubstr("METHOD:REQUEST"));
    const size_t uid = ics.find("UID:");
    ASSERT_NE(uid, std::string::npos);
    uids.insert(ics.substr(uid, ics.find('\n', uid) - uid) + "/" + m["to"][0].get<std::string>());
    EXPECT_NE(m["list_unsubscribe"], "");
  }
  EXPECT_EQ(uids.size(), 18u) << "one invitation per review and person";
  const Json first = To(mail, kMarc)[0];
  EXPECT_EQ(first["subject"], "Invitation : Point avec M. Marc Lefort (élu référent, axe 2A)");
  EXPECT_EQ(first["to_names"][0], "M. Marc Lefort");
  EXPECT_EQ(first["from_name"], "Relais CBE Sud");
  const std::string text = first["parts"][0]["text"];
  EXPECT_THAT(text, HasSubstr("Bonjour M. Marc Lefort,"));
  EXPECT_THAT(text, HasSubstr("(Europe/Paris)"));
  EXPECT_THAT(text, HasSubstr("https://relais.cbe-sud.example.org/ui/index.html#/programme/sud-val-de-marnais"));
  // The first review, as ical.js reads it: Europe/Paris, the feed's UID, SEQUENCE 0.
  const Json attendees = Json::array(
      {Attendee("Mme Claire Dumas", kClaire, "CHAIR"), Attendee("M. Marc Lefort", kMarc, "REQ-PARTICIPANT")});
  const std::string summary = "Point avec M. Marc Lefort (élu référent, axe 2A)";
  for (const Json& m : To(mail, kMarc))
    if (Calendar(m).find("UID:" + reviews[0].id + "@") != std::string::npos)
      CheckWithIcalJs(m, reviews[0], "REQUEST", summary, attendees);
  EXPECT_EQ(checked_, 1);
}

TEST_F(ReviewInvitationsTest, AMovedReviewUpdatesTheSameEntryWithAHigherSequence) {
  h_->Assign(kMarc, "elu_referent", "2A", "2027-01-01", "2029-12-31");
  Next(18);
  const Milestone review = h_->Reviews()[0];
  clock_.Set(T("2026-12-10T09:00:00Z"));
  // The next working day a week on that keeps the placement rules.
  bool moved = false;
  for (int d = 7; d < 14 && !moved; ++d)
    moved = h_->programmes.Move("sud-val-de-marnais", review.id, {review.at.date.AddDays(d)}, kClaire).ok();
  ASSERT_TRUE(moved);
  const Milestone after = h_->State()->milestones.at(review.id);
  ASSERT_EQ(after.sequence, 1);
  const std::vector<Json> mail = Next(2);
  ASSERT_EQ(To(mail, kMarc).size(), 1u);
  ASSERT_EQ(To(mail, kClaire).size(), 1u);
  EXPECT_EQ(To(mail, kMarc)[0]["subject"], "Modifié : Point avec M. Marc Lefort (élu référent, axe 2A)");
  const Json attendees = Json::array(
      {Attendee("Mme Claire Dumas", kClaire, "CHAIR"), Attendee("M. Marc Lefort", kMarc, "REQ-PARTICIPANT")});
  CheckWithIcalJs(To(mail, kClaire)[0], after, "REQUEST", "Point avec M. Marc Lefort (élu référent, axe 2A)",
                  attendees);
}

TEST_F(ReviewInvitationsTest, EndingATermCancelsItsReviewsInEveryonesCalendar) {
  programme::Assignment term = h_->Assign(kMarc, "elu_referent", "2A", "2027-01-01", "2029-12-31");
  Next(18);
  clock_.Set(T("2027-04-01T08:00:00Z"));  // March 2027 is past (not cancelled), eight are to come
  ASSERT_THAT(h_->programmes.EndTerm("sud-val-de-marnais", term.id, kClaire), IsOk());
  std::vector<Milestone> cancelled;
  for (const Milestone& m : h_->Reviews())
    if (m.status == MilestoneStatus::kCancelled) cancelled.push_back(m);
  ASSERT_EQ(cancelled.size(), 8u);
  const std::vector<Json> mail = Next(16);
  ASSERT_EQ(To(mail, kMarc).size(), 8u);
  for (const Json& m : mail) {
    std::string method;
    Calendar(m, &method);
    EXPECT_EQ(method, "CANCEL");
  }
  EXPECT_EQ(To(mail, kMarc)[0]["subject"], "Annulé : Point avec M. Marc Lefort (élu référent, axe 2A)");
  const Json attendees = Json::array(
      {Attendee("Mme Claire Dumas", kClaire, "CHAIR"), Attendee("M. Marc Lefort", kMarc, "REQ-PARTICIPANT")});
  for (const Json& m : To(mail, kMarc))
    if (Calendar(m).find("UID:" + cancelled[0].id + "@") != std::string::npos)
      CheckWithIcalJs(m, cancelled[0], "CANCEL", "Point avec M. Marc Lefort (élu référent, axe 2A)", attendees);
  EXPECT_EQ(checked_, 1);
}

TEST_F(ReviewInvitationsTest, AReviewTakenOverLeavesThePreviousEluAndReachesTheNewOne) {
  h_->Assign(kMarc, "elu_referent", "2A", "2027-01-01", "2029-12-31");
  Next(18);
  h_->RunUntil(T("2027-07-01T08:00:00Z"));  // March and June 2027 are past
  // Their reminders and overdue notices (EmailNotifier) leave first.
  for (int i = 0; i < 2'000; ++i) {
    email_->dispatcher().Settle();
    auto pending = email_->admin().Pending("smtp", "", 1);
    ASSERT_THAT(pending, IsOk());
    if (pending->items.empty()) break;
    std::this_thread::sleep_for(10ms);
  }
  seen_ = sink_->Count();
  h_->Assign(kNadia, "elu_referent", "2A", "2027-07-01", "2030-06-30");
  // 7 reviews taken over: Nadia's invitation, Claire's update, Marc's cancellation;
  // 2 new ones (2030): Nadia and Claire.
  const std::vector<Json> mail = Next(7 * 3 + 2 * 2);
  ASSERT_EQ(To(mail, kNadia).size(), 9u);
  ASSERT_EQ(To(mail, kMarc).size(), 7u);
  ASSERT_EQ(To(mail, kClaire).size(), 9u);
  for (const Json& m : To(mail, kMarc)) {
    std::string method;
    Calendar(m, &method);
    EXPECT_EQ(method, "CANCEL");
    EXPECT_THAT(m["subject"].get<std::string>(), HasSubstr("Annulé : Point avec Mme Nadia Berrada"));
  }
  for (const Json& m : To(mail, kNadia)) {
    EXPECT_THAT(m["subject"].get<std::string>(),
                HasSubstr("Invitation : Point avec Mme Nadia Berrada (élue référente"));
  }
  int updates = 0;
  for (const Json& m : To(mail, kClaire))
    if (m["subject"].get<std::string>().rfind("Modifié : ", 0) == 0) ++updates;
  EXPECT_EQ(updates, 7);
  // Marc's cancellation names him alone, with the review's raised SEQUENCE.
  Milestone taken;
  for (const Milestone& m : h_->Reviews())
    if (m.person == kNadia && m.sequence == 1) taken = m;
  ASSERT_FALSE(taken.id.empty());
  for (const Json& m : To(mail, kMarc))
    if (Calendar(m).find("UID:" + taken.id + "@") != std::string::npos)
      CheckWithIcalJs(m, taken, "CANCEL", "Point avec Mme Nadia Berrada (élue référente, axe 2A)",
                      Json::array({Attendee("M. Marc Lefort", kMarc, "REQ-PARTICIPANT")}));
  EXPECT_EQ(checked_, 1);
}

TEST_F(ReviewInvitationsTest, InvitationsSpeakThePersonsLanguageAndNothingMeansNothing) {
  h_->Assign(kJohn, "coordinator", "", "2026-12-01", "2029-12-31");
  ASSERT_THAT(email_->preferences().Set(kClaire, "sud-val-de-marnais", Delivery::kNone), IsOk());
  h_->Assign(kMarc, "elu_referent", "2A", "2027-01-01", "2029-12-31");
  const std::vector<Json> mail = Next(18);  // Marc's 9, John's 9, none for Claire
  EXPECT_EQ(To(mail, kClaire).size(), 0u);
  ASSERT_EQ(To(mail, kJohn).size(), 9u);
  const Json english = To(mail, kJohn)[0];
  EXPECT_EQ(english["subject"], "Invitation: Review with Mr Marc Lefort (elected referent, axis 2A)");
  EXPECT_THAT(english["parts"][0]["text"].get<std::string>(), HasSubstr("Hello Mr John Smith,"));
  // Claire is still an attendee: she chose no e-mail, not to leave the meeting.
  EXPECT_THAT(Calendar(english), HasSubstr("mailto:" + std::string(kClaire)));
  email_->dispatcher().Settle();
  EXPECT_EQ(sink_->Count(), 18u);
}

}  // namespace
}  // namespace relais::email
