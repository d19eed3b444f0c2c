// People hear of events by e-mail, in their language, by their choice per
// programme: real ProjectService and ProgrammeService over RocksDB on disk,
// the real SMTP channel to a real SMTP server (aiosmtpd), the messages read
// back by Python's `email` package. The directory of people is a table here
// (engine/people answers in relais serve).
#include "engine/email/email_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "engine/email/digest_keys.h"
#include "engine/util/time_format.h"
#include "tests/runtime/runtime_fixture.h"
#include "tests/testing/smtp_sink.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace relais::email {
namespace {

using namespace std::chrono_literals;
using relais::testing::IsOk;
using ::testing::HasSubstr;

class TableDirectory final : public RecipientDirectory {
 public:
  void Add(Recipient r, std::string partner) { people_.push_back({std::move(r), std::move(partner)}); }
  StatusOr<std::vector<Recipient>> OfPartners(const std::vector<std::string>& partners) override {
    std::vector<Recipient> out;
    for (const auto& [r, partner] : people_)
      if (std::find(partners.begin(), partners.end(), partner) != partners.end()) out.push_back(r);
    return out;
  }
  StatusOr<std::optional<Recipient>> Person(const std::string& id) override {
    for (const auto& [r, partner] : people_)
      if (r.id == id) return std::optional<Recipient>(r);
    return std::optional<Recipient>();
  }

 private:
  std::vector<std::pair<Recipient, std::string>> people_;
};

class EmailNotifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sink_ = std::make_unique<relais::testing::SmtpSink>(dir_.Sub("mail"));
    ASSERT_NE(sink_->port(), 0);
    store_ = runtime::testing::OpenRocksStore(dir_.Sub("store"), clock_);
    ASSERT_NE(store_, nullptr);
    runtime_ = std::make_unique<runtime::testing::Runtime>(*store_, clock_);
    programmes_ = std::make_unique<programme::ProgrammeService>(*store_, clock_);
    people_.Add({"nadia.benali", "nadia.benali@ccas-fresnes.example.org", "Mme Nadia Benali", "fr"}, "ccas-fresnes");
    people_.Add({"john.smith", "john.smith@anpe-orly.example.org", "Mr John Smith", "en"}, "anpe-orly");
    people_.Add({"claire.dumas", "claire.dumas@cbe-sud.example.org", "Mme Claire Dumas", "fr"}, "cbe-sud");
    people_.Add({"elu.2a", "elu.2a@fresnes.example.org", "M. Paul Martin", "fr"}, "");
    EmailOptions options;
    options.smtp_url = sink_->url();
    options.tls = "none";
    options.from_address = "relais@cbe-sud.example.org";
    options.public_base_url = "https://relais.cbe-sud.example.org";
    options.dispatcher.max_sleep = 20ms;
    auto service = EmailService::Create(*store_, clock_, options);
    ASSERT_THAT(service, IsOk());
    email_ = std::move(*service);
    email_->Attach(runtime_->projects, *programmes_, people_);
    ASSERT_THAT(email_->Start(), IsOk());
  }
  void TearDown() override {
    if (email_) email_->Stop();
  }

  // Every message received, by recipient address.
  std::map<std::string, std::vector<Json>> ByRecipient() {
    std::map<std::string, std::vector<Json>> out;
    Json all = sink_->Messages();
    EXPECT_TRUE(all.is_array()) << all.dump();
    if (!all.is_array()) return out;
    for (const Json& m : all) out[m["to"][0].get<std::string>()].push_back(m);
    return out;
  }
  static std::string Text(const Json& m) { return m["parts"][0]["text"].get<std::string>(); }

  relais::testing::TempDir dir_;
  ManualClock clock_{FromMicros(1'796'000'000'000'000)};
  std::unique_ptr<relais::testing::SmtpSink> sink_;
  std::unique_ptr<RocksDbEventStore> store_;
  std::unique_ptr<runtime::testing::Runtime> runtime_;
  std::unique_ptr<programme::ProgrammeService> programmes_;
  TableDirectory people_;
  std::unique_ptr<EmailService> email_;
};

TEST_F(EmailNotifierTest, ThePartnersPeopleHearOfTheEventInTheirLanguageAndTheRecorderDoesNot) {
  runtime_->Create("garage");
  runtime_->Accept("garage", "mobilisation_avancee", {{"volet", "partenaires"}, {"etape", "mobilises"}});
  runtime_->Accept("garage", "etude_lancee");
  ASSERT_TRUE(sink_->WaitForCount(4, 20s)) << "2 events x (nadia, john)";
  auto mail = ByRecipient();
  ASSERT_EQ(mail["nadia.benali@ccas-fresnes.example.org"].size(), 2u);
  ASSERT_EQ(mail["john.smith@anpe-orly.example.org"].size(), 2u);
  EXPECT_EQ(mail.count("claire.dumas@cbe-sud.example.org"), 0u) << "she recorded them";
  const Json* fr = nullptr;
  for (const Json& m : mail["nadia.benali@ccas-fresnes.example.org"])
    if (m["subject"].get<std::string>().find("Étude") != std::string::npos) fr = &m;
  ASSERT_NE(fr, nullptr);
  EXPECT_EQ((*fr)["subject"], "Relais – « Action garage » : Étude de faisabilité lancée");
  EXPECT_EQ((*fr)["to_names"][0], "Mme Nadia Benali");
  EXPECT_EQ((*fr)["defects"], Json::array());
  EXPECT_THAT(Text(*fr), HasSubstr("Bonjour Mme Nadia Benali,"));
  EXPECT_THAT(Text(*fr), HasSubstr("Enregistré par Mme Claire Dumas. L'action passe en phase"));
  EXPECT_THAT(Text(*fr), HasSubstr("https://relais.cbe-sud.example.org/#/action/garage"));
  EXPECT_EQ((*fr)["parts"][1]["type"], "text/html");
  EXPECT_THAT((*fr)["parts"][1]["text"].get<std::string>(), HasSubstr("<strong>« Action garage » : Étude"));
  // The unsubscribe link is the person's and the programme's, signed.
  const std::string header = (*fr)["list_unsubscribe"];
  const size_t t = header.find("?t=");
  ASSERT_NE(t, std::string::npos) << header;
  auto target = email_->unsubscribe_links().Verify(header.substr(t + 3, header.find('>', t) - t - 3));
  ASSERT_THAT(target, IsOk());
  EXPECT_EQ(target->person, "nadia.benali");
  EXPECT_EQ(target->programme, "sud-val-de-marnais");
  EXPECT_EQ((*fr)["list_unsubscribe_post"], "List-Unsubscribe=One-Click");
  bool english = false;
  for (const Json& m : mail["john.smith@anpe-orly.example.org"])
    if (m["subject"] == "Relais – “Action garage”: Feasibility study started") {
      english = true;
      EXPECT_THAT(Text(m), HasSubstr("Hello Mr John Smith,"));
      EXPECT_THAT(Text(m), HasSubstr("Recorded by Mme Claire Dumas. The action moves to phase"));
    }
  EXPECT_TRUE(english);
}

TEST_F(EmailNotifierTest, DigestAndNoneAreHonouredPerProgramme) {
  ASSERT_THAT(email_->preferences().Set("john.smith", "sud-val-de-marnais", Delivery::kDigest), IsOk());
  ASSERT_THAT(email_->preferences().Set("nadia.benali", "sud-val-de-marnais", Delivery::kNone), IsOk());
  runtime_->Create("garage");
  runtime_->Accept("garage", "mobilisation_avancee", {{"volet", "partenaires"}, {"etape", "mobilises"}});
  auto waiting = store_->KvScan(DigestPersonPrefix("john.smith"), "", 10);
  ASSERT_THAT(waiting, IsOk());
  ASSERT_EQ(waiting->size(), 1u) << "john's notice waits for his digest";
  EXPECT_THAT(waiting->front().value, HasSubstr("Mobilisation progressed"));
  auto nadia = store_->KvScan(DigestPersonPrefix("nadia.benali"), "", 10);
  ASSERT_THAT(nadia, IsOk());
  EXPECT_TRUE(nadia->empty());
  email_->dispatcher().Settle();
  auto pending = email_->admin().Pending("smtp", "", 10);
  ASSERT_THAT(pending, IsOk());
  EXPECT_TRUE(pending->items.empty()) << pending->items.size();
  EXPECT_EQ(email_->dispatcher().stats().attempts, 0u);
  EXPECT_EQ(sink_->Count(), 0u);
}

// A faked working week (the injected clock; Paris is UTC+1 in December):
// Thursday 3 to Monday 7 December 2026.
TEST_F(EmailNotifierTest, TheDigestGoesOnceAWorkingDayFromTheHourWithWhatWaited) {
  auto at = [](const char* iso) { return *ParseIso8601(iso); };
  ASSERT_THAT(email_->preferences().Set("john.smith", "sud-val-de-marnais", Delivery::kDigest), IsOk());
  clock_.Set(at("2026-12-03T17:00:00Z"));  // Thursday 18:00
  runtime_->Create("garage");
  runtime_->Accept("garage", "mobilisation_avancee", {{"volet", "partenaires"}, {"etape", "mobilises"}});
  runtime_->Accept("garage", "etude_lancee");
  ASSERT_TRUE(sink_->WaitForCount(2, 20s)) << "nadia's two, at once";

  clock_.Set(at("2026-12-04T06:30:00Z"));  // Friday 07:30: before the hour
  EXPECT_EQ(*email_->RunDigests(clock_.Now()), 0u);
  clock_.Set(at("2026-12-04T07:00:00Z"));  // Friday 08:00
  EXPECT_EQ(*email_->RunDigests(clock_.Now()), 1u);
  ASSERT_TRUE(sink_->WaitForCount(3, 20s));
  EXPECT_EQ(*email_->RunDigests(at("2026-12-04T09:00:00Z")), 0u) << "one digest a day";
  clock_.Set(at("2026-12-04T10:00:00Z"));
  runtime_->Accept("garage", "porteur_identifie", {{"nom", "Garage Solidaire"}, {"nature", "association"}});
  EXPECT_EQ(*email_->RunDigests(at("2026-12-04T16:00:00Z")), 0u) << "waits for the next working day";
  EXPECT_EQ(*email_->RunDigests(at("2026-12-05T09:00:00Z")), 0u) << "Saturday";
  EXPECT_EQ(*email_->RunDigests(at("2026-12-06T09:00:00Z")), 0u) << "Sunday";
  EXPECT_EQ(*email_->RunDigests(at("2026-12-07T07:00:00Z")), 1u) << "Monday 08:00";
  ASSERT_TRUE(sink_->WaitForCount(5, 20s)) << "2 + 1 for nadia, 2 digests for john";
  auto mail = ByRecipient();
  ASSERT_EQ(mail["john.smith@anpe-orly.example.org"].size(), 2u);
  const Json& friday = mail["john.smith@anpe-orly.example.org"][0];
  EXPECT_EQ(friday["subject"], "Relais – your digest of 2026-12-04 (2 notices)");
  EXPECT_THAT(Text(friday), HasSubstr("“Action garage”: Mobilisation progressed"));
  EXPECT_THAT(Text(friday), HasSubstr("“Action garage”: Feasibility study started"));
  EXPECT_NE(friday["list_unsubscribe"], "");
  const Json& monday = mail["john.smith@anpe-orly.example.org"][1];
  EXPECT_EQ(monday["subject"], "Relais – your digest of 2026-12-07 (1 notice)");
  EXPECT_THAT(Text(monday), HasSubstr("Porteur identified"));
  auto left = store_->KvScan(DigestPersonPrefix("john.smith"), "", 10);
  ASSERT_THAT(left, IsOk());
  EXPECT_TRUE(left->empty());
}

TEST_F(EmailNotifierTest, AReviewReminderReachesTheCoordinatorsAndTheElu) {
  NewEvent reminder;
  reminder.event_id = "3f2b8a4e-0000-4000-8000-000000000001";
  reminder.type = "reminder_sent";
  reminder.data = {{"milestone", "m1"},
                   {"kind", "review"},
                   {"date", "2027-03-15"},
                   {"due", "2027-03-15T09:00:00Z"},
                   {"person", "elu.2a"},
                   {"axis", "2A"},
                   {"notify", {"claire.dumas", "elu.2a"}}};
  const std::string programme = "sud-val-de-marnais", title = "Sud Val-de-Marnais";
  std::vector<NewEvent> events{reminder};
  KvWrites writes;
  // As ProgrammeService::Commit calls its hooks.
  EmailNotifier notifier(*email_, people_, email_->preferences(), email_->unsubscribe_links(), nullptr, clock_);
  ASSERT_THAT(notifier.OnProgrammeAppend({programme, title, 1, events}, writes), IsOk());
  ASSERT_THAT(store_->KvWrite(writes), IsOk());
  ASSERT_TRUE(sink_->WaitForCount(2, 20s));
  auto mail = ByRecipient();
  ASSERT_EQ(mail["claire.dumas@cbe-sud.example.org"].size(), 1u);
  ASSERT_EQ(mail["elu.2a@fresnes.example.org"].size(), 1u);
  EXPECT_EQ(mail["elu.2a@fresnes.example.org"][0]["subject"],
            "Relais – Sud Val-de-Marnais : rappel : la revue de M. Paul Martin le 2027-03-15");
  EXPECT_THAT(Text(mail["elu.2a@fresnes.example.org"][0]), HasSubstr("https://relais.cbe-sud.example.org/#/elu"));
}

}  // namespace
}  // namespace relais::email
