// An accepted invitation puts its person in the people directory, so the
// e-mails of the invitation's partner reach them: the routes through the
// Router, the composition root's AccountPeople and PeopleRecipients, the
// real SMTP channel to a real SMTP server (aiosmtpd), and the messages read
// back by Python's `email` package.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "engine/cli/account_people.h"
#include "engine/cli/people_recipients.h"
#include "engine/people/person_directory.h"
#include "tests/api/api_fixture.h"
#include "tests/testing/smtp_sink.h"
#include "tests/testing/temp_dir.h"

namespace relais::api {
namespace {

using namespace std::chrono_literals;
using testing::Harness;
using ::testing::HasSubstr;

const std::string kNadia = "nadia.benali@ccas-fresnes.example.org";

std::string TokenOf(const std::string& link) { return link.substr(link.rfind('/') + 1); }

email::EmailOptions EmailTo(const relais::testing::SmtpSink& sink) {
  email::EmailOptions o;
  o.smtp_url = sink.url();
  o.tls = "none";
  o.from_address = "relais@cbe-sud.example.org";
  o.public_base_url = "https://relais.cbe-sud.example.org";
  o.dispatcher.max_sleep = 20ms;
  return o;
}

class InvitedPeopleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NE(sink_.port(), 0);
    // As RuntimeHost wires them.
    h_.email->Attach(h_.projects, h_.programmes, recipients_);
    account_people_.Attach(*h_.accounts);
    ASSERT_TRUE(h_.email->Start().ok());
  }
  void TearDown() override { h_.email->Stop(); }

  // Invites kNadia for partner ccas-fresnes as the admin; returns the link's token.
  std::string Invite() {
    Json body = {{"email", kNadia}, {"roles", {"partner"}}, {"partner", "ccas-fresnes"}};
    auto inv = h_.Call("POST", "/v1/invitations", testing::kAdmin, body.dump());
    EXPECT_EQ(inv.status, 201) << inv.body;
    return TokenOf(Harness::Body(inv).value("link", ""));
  }

  // The messages the sink received for address.
  std::vector<Json> To(const std::string& address) {
    std::vector<Json> out;
    Json all = sink_.Messages();
    EXPECT_TRUE(all.is_array()) << all.dump();
    if (!all.is_array()) return out;
    for (const Json& m : all)
      if (m["to"].size() == 1 && m["to"][0] == address) out.push_back(m);
    return out;
  }

  relais::testing::TempDir dir_;
  relais::testing::SmtpSink sink_{dir_.Sub("mail")};
  Harness h_{testing::TestApiConfig(), std::chrono::steady_clock::now, testing::TestAccountsOptions(), EmailTo(sink_)};
  cli::PeopleRecipients recipients_{h_.store};
  cli::AccountPeople account_people_{h_.store};
  people::PersonDirectory directory_{h_.store};
};

TEST_F(InvitedPeopleTest, AcceptingAPartnersInvitationRegistersThePersonAndTheirPartnersEmailReachesThem) {
  const std::string token = Invite();
  auto accepted = h_.Call(
      "POST", "/v1/invitations/" + token + "/accept", "",
      Json{{"civility", "Mme"}, {"first_name", "Nadia"}, {"last_name", "Benali"}, {"password", "un mot de passe long"}}
          .dump());
  ASSERT_EQ(accepted.status, 201) << accepted.body;

  auto person = directory_.Get(kNadia);
  ASSERT_TRUE(person.ok()) << person.status();
  EXPECT_EQ(person->email, kNadia);
  EXPECT_EQ(person->partner, "ccas-fresnes");
  EXPECT_EQ(people::DisplayName(*person), "Mme Nadia Benali");
  EXPECT_TRUE(person->active);

  h_.CreateOwnAndOther();  // "own" works with ccas-fresnes
  for (const char* event :
       {R"({"type": "mobilisation_avancee", "data": {"volet": "partenaires", "etape": "mobilises"}})",
        R"({"type": "etude_lancee"})"}) {
    auto recorded = h_.Call("POST", "/v1/projects/own/events", testing::kCoordinator, event);
    ASSERT_EQ(recorded.status, 201) << recorded.body;
  }

  const Json* study = nullptr;
  std::vector<Json> mail;
  for (int i = 0; i < 200 && !study; ++i) {  // bounded: 20 s
    mail = To(kNadia);
    for (const Json& m : mail)
      if (m["subject"].get<std::string>().find("Étude de faisabilité lancée") != std::string::npos) study = &m;
    if (!study) std::this_thread::sleep_for(100ms);
  }
  ASSERT_NE(study, nullptr) << "messages to " << kNadia << ": " << Json(mail).dump();
  EXPECT_EQ((*study)["to_names"][0], "Mme Nadia Benali");
  EXPECT_EQ((*study)["defects"], Json::array());
  EXPECT_THAT((*study)["parts"][0]["text"].get<std::string>(), HasSubstr("Bonjour Mme Nadia Benali,"));
}

TEST_F(InvitedPeopleTest, AcceptingUpdatesAPersonAlreadyInTheDirectoryAndKeepsWhatWasNotGiven) {
  people::PersonFields known;
  known.organisation = "CCAS de Fresnes";
  known.function = "Conseillère";
  known.first_name = "N.";
  ASSERT_TRUE(directory_.Register(kNadia, known).ok());
  auto accepted = h_.Call("POST", "/v1/invitations/" + Invite() + "/accept", "",
                          Json{{"first_name", "Nadia"}, {"last_name", "Benali"}}.dump());
  ASSERT_EQ(accepted.status, 201) << accepted.body;
  auto person = directory_.Get(kNadia);
  ASSERT_TRUE(person.ok()) << person.status();
  EXPECT_EQ(person->first_name, "Nadia");
  EXPECT_EQ(person->last_name, "Benali");
  EXPECT_EQ(person->organisation, "CCAS de Fresnes");
  EXPECT_EQ(person->function, "Conseillère");
  EXPECT_EQ(person->partner, "ccas-fresnes");
}

TEST_F(InvitedPeopleTest, APersonTheDirectoryRefusesLeavesTheInvitationPendingAndNoAccount) {
  const std::string token = Invite();
  // Accounts take names up to 200 bytes, the directory up to people::kMaxNameBytes.
  const std::string long_name(people::kMaxNameBytes + 1, 'a');
  auto refused = h_.Call("POST", "/v1/invitations/" + token + "/accept", "",
                         Json{{"first_name", long_name}, {"password", "un mot de passe long"}}.dump());
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_THAT(refused.body, HasSubstr("first_name"));
  EXPECT_THAT(refused.body, ::testing::Not(HasSubstr("mot de passe"))) << "not a password problem";
  EXPECT_FALSE(h_.accounts->Find(kNadia).has_value());
  EXPECT_EQ(directory_.Get(kNadia).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(h_.Call("GET", "/v1/invitations/" + token + "/preview", "").status, 200) << "still pending";

  auto accepted = h_.Call("POST", "/v1/invitations/" + token + "/accept", "",
                          Json{{"first_name", "Nadia"}, {"last_name", "Benali"}}.dump());
  ASSERT_EQ(accepted.status, 201) << accepted.body;
  EXPECT_TRUE(h_.accounts->Find(kNadia).has_value());
  EXPECT_TRUE(directory_.Get(kNadia).ok());
}

}  // namespace
}  // namespace relais::api
