// AccountService over a real RocksDB store: invitations, sign-in links,
// passwords, sessions (idle and absolute expiry), personal tokens, access
// changes, and the audit stream that records each of them in the same
// append as the change (and the e-mail it sends).
#include "engine/accounts/account_service.h"
#include "engine/accounts/secrets.h"

#include <gtest/gtest.h>

#include "engine/store/rocksdb_event_store.h"
#include "engine/util/time_format.h"
#include "tests/accounts/recording_mailer.h"
#include "tests/testing/temp_dir.h"

namespace relais::accounts {
namespace {

using namespace std::chrono_literals;

AccountsOptions TestOptions() {
  AccountsOptions o;
  o.password_ops_limit = 1;
  o.password_memory_bytes = 64 << 10;
  o.public_url = "https://relais.example";
  return o;
}

Access CoordinatorOf(std::string programme) {
  Access a;
  a.roles = {"coordinator"};
  a.programmes = {std::move(programme)};
  return a;
}

// The token at the end of a link ("https://.../ui/index.html#/invitation/<token>").
std::string TokenOf(const std::string& link) { return link.substr(link.rfind('/') + 1); }

class AccountServiceTest : public ::testing::Test {
 protected:
  void SetUp() override { Reopen(); }

  void Reopen(AccountsOptions options = TestOptions()) {
    service.reset();
    mailer.reset();
    store.reset();
    RocksDbStoreOptions o;
    o.path = dir.Sub("db");
    o.clock = &clock;
    store = std::move(RocksDbEventStore::Open(o)).value();
    mailer = std::make_unique<testing::RecordingMailer>(*store);
    auto opened = AccountService::Open(*store, clock, options, mailer.get());
    ASSERT_TRUE(opened.ok()) << opened.status();
    service = std::move(opened).value();
  }

  // Invites email as coordinator of programme p and accepts with password.
  AccountService::SignedIn Onboard(const std::string& email, std::optional<std::string> password) {
    auto inv = service->Invite("admin@relais.example", email, CoordinatorOf("sud"), Names{});
    EXPECT_TRUE(inv.ok()) << inv.status();
    auto signed_in = service->AcceptInvitation(TokenOf(inv->link), Names{"Mme", "Nadia", "Benali"}, password);
    EXPECT_TRUE(signed_in.ok()) << signed_in.status();
    return signed_in.ok() ? *signed_in : AccountService::SignedIn{};
  }

  std::vector<std::string> AuditTypes() {
    std::vector<std::string> types;
    auto events = service->ReadAudit(1, 1000);
    EXPECT_TRUE(events.ok());
    for (const RecordedEvent& e : *events) types.push_back(e.type);
    return types;
  }

  ::relais::testing::TempDir dir;
  ManualClock clock{*ParseIso8601("2026-12-01T09:00:00Z")};
  std::unique_ptr<RocksDbEventStore> store;
  std::unique_ptr<testing::RecordingMailer> mailer;
  std::unique_ptr<AccountService> service;
};

TEST_F(AccountServiceTest, InvitationMailsALinkThatCreatesTheAccountOnce) {
  auto inv = service->Invite("admin@relais.example", " Nadia.Benali@Ville.Example ", CoordinatorOf("sud"), Names{});
  ASSERT_TRUE(inv.ok()) << inv.status();
  EXPECT_EQ(inv->invitation.email, "nadia.benali@ville.example");
  EXPECT_EQ(inv->link.rfind("https://relais.example/ui/index.html#/invitation/", 0), 0u) << inv->link;
  // The e-mail committed with the invitation and carries the link.
  EXPECT_EQ(mailer->LastLinkTo("nadia.benali@ville.example"), inv->link);
  // Only the digest is stored.
  EXPECT_EQ(inv->invitation.id, SecretDigest(TokenOf(inv->link)));

  auto peek = service->PeekInvitation(TokenOf(inv->link));
  ASSERT_TRUE(peek.ok());
  EXPECT_EQ(peek->access.programmes, std::vector<std::string>{"sud"});

  auto first = service->AcceptInvitation(TokenOf(inv->link), Names{"Mme", "Nadia", "Benali"}, std::nullopt);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->account.names.last_name, "Benali");
  auto principal = service->AuthenticateSession(first->session_id);
  ASSERT_TRUE(principal.has_value());
  EXPECT_EQ(principal->subject, "nadia.benali@ville.example");
  EXPECT_EQ(principal->programmes, std::vector<std::string>{"sud"});

  auto second = service->AcceptInvitation(TokenOf(inv->link), Names{}, std::nullopt);
  EXPECT_EQ(second.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(AuditTypes(), (std::vector<std::string>{"account.invited", "account.invitation_accepted", "account.created",
                                                    "account.signed_in"}));
  // Inviting an address that has an account is refused.
  EXPECT_EQ(service->Invite("a@b.example", "nadia.benali@ville.example", CoordinatorOf("sud"), {}).status().code(),
            StatusCode::kAlreadyExists);
}

TEST_F(AccountServiceTest, InvitationExpiresAndCanBeRevoked) {
  auto inv = service->Invite("admin@relais.example", "a@b.example", CoordinatorOf("sud"), Names{});
  ASSERT_TRUE(inv.ok());
  auto pending = service->PendingInvitations("", 10);
  ASSERT_TRUE(pending.ok());
  ASSERT_EQ(pending->size(), 1u);
  ASSERT_TRUE(service->RevokeInvitation("admin@relais.example", inv->invitation.id).ok());
  EXPECT_EQ(service->AcceptInvitation(TokenOf(inv->link), {}, std::nullopt).status().code(), StatusCode::kNotFound);

  auto late = service->Invite("admin@relais.example", "c@d.example", CoordinatorOf("sud"), Names{});
  ASSERT_TRUE(late.ok());
  clock.Advance(std::chrono::duration_cast<std::chrono::microseconds>(TestOptions().invitation_ttl) + 1s);
  EXPECT_EQ(service->AcceptInvitation(TokenOf(late->link), {}, std::nullopt).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(service->PendingInvitations("", 10)->empty());
}

TEST_F(AccountServiceTest, PasswordSignInAndTheSameRefusalForEveryFailure) {
  Onboard("nadia@ville.example", "un mot de passe long");
  auto ok = service->SignInWithPassword("NADIA@ville.example", "un mot de passe long");
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_TRUE(service->AuthenticateSession(ok->session_id).has_value());

  auto wrong = service->SignInWithPassword("nadia@ville.example", "un mot de passe faux");
  auto unknown = service->SignInWithPassword("personne@ville.example", "un mot de passe long");
  auto malformed = service->SignInWithPassword("not an address", "un mot de passe long");
  for (const auto* r : {&wrong, &unknown, &malformed}) {
    EXPECT_EQ(r->status().code(), StatusCode::kPermissionDenied);
    EXPECT_EQ(r->status().message(), wrong.status().message());
  }
  // An account without a password cannot sign in by password.
  Onboard("sans@ville.example", std::nullopt);
  auto none = service->SignInWithPassword("sans@ville.example", "");
  EXPECT_EQ(none.status().message(), wrong.status().message());
  // A password too short is refused when set.
  EXPECT_EQ(service->SetPassword("sans@ville.example", "court").code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(service->SetPassword("sans@ville.example", "désormais assez long").ok());
  EXPECT_TRUE(service->SignInWithPassword("sans@ville.example", "désormais assez long").ok());
}

TEST_F(AccountServiceTest, SignInLinkIsOneTimeShortLivedAndReplaced) {
  Onboard("nadia@ville.example", std::nullopt);
  ASSERT_TRUE(service->SendSignInLink("nadia@ville.example").ok());
  const std::string first = mailer->LastLinkTo("nadia@ville.example");
  ASSERT_EQ(first.rfind("https://relais.example/ui/index.html#/sign-in/link/", 0), 0u) << first;
  ASSERT_TRUE(service->SendSignInLink("nadia@ville.example").ok());
  const std::string second = mailer->LastLinkTo("nadia@ville.example");
  ASSERT_NE(first, second);
  // The first was replaced by the second.
  EXPECT_EQ(service->SignInWithLink(TokenOf(first)).status().code(), StatusCode::kPermissionDenied);
  auto in = service->SignInWithLink(TokenOf(second));
  ASSERT_TRUE(in.ok()) << in.status();
  // Used once.
  EXPECT_EQ(service->SignInWithLink(TokenOf(second)).status().code(), StatusCode::kPermissionDenied);
  // Expired.
  ASSERT_TRUE(service->SendSignInLink("nadia@ville.example").ok());
  const std::string third = mailer->LastLinkTo("nadia@ville.example");
  clock.Advance(std::chrono::duration_cast<std::chrono::microseconds>(TestOptions().sign_in_link_ttl) + 1s);
  EXPECT_EQ(service->SignInWithLink(TokenOf(third)).status().code(), StatusCode::kPermissionDenied);
}

TEST_F(AccountServiceTest, LinkToAnUnknownAddressSendsNothingAndSaysOk) {
  const size_t before = mailer->Committed().size();
  EXPECT_TRUE(service->SendSignInLink("personne@ville.example").ok());
  EXPECT_TRUE(service->SendSignInLink("pas une adresse").ok());
  EXPECT_EQ(mailer->Committed().size(), before);
}

TEST_F(AccountServiceTest, SessionsEndWhenIdleAtTheAbsoluteLimitAndOnSignOut) {
  AccountsOptions o = TestOptions();
  o.session_idle_timeout = 30min;
  o.session_absolute_timeout = 2h;
  Reopen(o);
  auto s = Onboard("nadia@ville.example", std::nullopt);
  for (int i = 0; i < 3; ++i) {  // used every 25 minutes: alive until 2 h
    clock.Advance(25min);
    EXPECT_TRUE(service->AuthenticateSession(s.session_id).has_value()) << i;
  }
  clock.Advance(25min);
  EXPECT_TRUE(service->AuthenticateSession(s.session_id).has_value());
  clock.Advance(25min);  // 125 min after it began
  EXPECT_FALSE(service->AuthenticateSession(s.session_id).has_value());

  auto idle = service->SignInWithLink("none");
  EXPECT_FALSE(idle.ok());
  ASSERT_TRUE(service->SendSignInLink("nadia@ville.example").ok());
  auto t = service->SignInWithLink(TokenOf(mailer->LastLinkTo("nadia@ville.example")));
  ASSERT_TRUE(t.ok());
  clock.Advance(31min);
  EXPECT_FALSE(service->AuthenticateSession(t->session_id).has_value());

  ASSERT_TRUE(service->SendSignInLink("nadia@ville.example").ok());
  auto u = service->SignInWithLink(TokenOf(mailer->LastLinkTo("nadia@ville.example")));
  ASSERT_TRUE(u.ok());
  ASSERT_TRUE(service->SignOut(u->session_id, "nadia@ville.example").ok());
  EXPECT_FALSE(service->AuthenticateSession(u->session_id).has_value());
}

TEST_F(AccountServiceTest, SessionsAndTokensSurviveARestart) {
  auto s = Onboard("nadia@ville.example", std::nullopt);
  auto token = service->CreateToken("nadia@ville.example", "script");
  ASSERT_TRUE(token.ok());
  Reopen();
  EXPECT_TRUE(service->AuthenticateSession(s.session_id).has_value());
  auto p = service->AuthenticateToken(token->secret);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->subject, "nadia@ville.example");
}

TEST_F(AccountServiceTest, OldestSessionEndsBeyondTheLimit) {
  AccountsOptions o = TestOptions();
  o.max_sessions_per_account = 2;
  Reopen(o);
  auto first = Onboard("nadia@ville.example", "un mot de passe long");
  clock.Advance(1s);
  auto second = service->SignInWithPassword("nadia@ville.example", "un mot de passe long");
  clock.Advance(1s);
  auto third = service->SignInWithPassword("nadia@ville.example", "un mot de passe long");
  ASSERT_TRUE(second.ok() && third.ok());
  EXPECT_FALSE(service->AuthenticateSession(first.session_id).has_value());
  EXPECT_TRUE(service->AuthenticateSession(second->session_id).has_value());
  EXPECT_TRUE(service->AuthenticateSession(third->session_id).has_value());
}

TEST_F(AccountServiceTest, PersonalTokensAreHashedListedWithLastUseAndRevoked) {
  Onboard("nadia@ville.example", std::nullopt);
  auto made = service->CreateToken("nadia@ville.example", "tableur");
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_EQ(made->secret.rfind("rls_", 0), 0u);
  EXPECT_EQ(made->token.digest, SecretDigest(made->secret));
  // The stored account never holds the token itself.
  auto stored = store->KvGet("accounts/nadia@ville.example");
  ASSERT_TRUE(stored.ok() && stored->has_value());
  EXPECT_EQ((*stored)->find(made->secret), std::string::npos);

  auto listed = service->Tokens("nadia@ville.example");
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_FALSE(listed[0].last_used.has_value());
  clock.Advance(5s);
  ASSERT_TRUE(service->AuthenticateToken(made->secret).has_value());
  listed = service->Tokens("nadia@ville.example");
  ASSERT_TRUE(listed[0].last_used.has_value());
  EXPECT_EQ(*listed[0].last_used, clock.Now());

  EXPECT_EQ(service->CreateToken("nadia@ville.example", "").status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(service->RevokeToken("nadia@ville.example", "nadia@ville.example", made->token.id).ok());
  EXPECT_FALSE(service->AuthenticateToken(made->secret).has_value());
  EXPECT_EQ(service->RevokeToken("x", "nadia@ville.example", made->token.id).code(), StatusCode::kNotFound);
}

TEST_F(AccountServiceTest, TokenLimit) {
  AccountsOptions o = TestOptions();
  o.max_tokens_per_account = 2;
  Reopen(o);
  Onboard("nadia@ville.example", std::nullopt);
  ASSERT_TRUE(service->CreateToken("nadia@ville.example", "a").ok());
  ASSERT_TRUE(service->CreateToken("nadia@ville.example", "b").ok());
  EXPECT_EQ(service->CreateToken("nadia@ville.example", "c").status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(AccountServiceTest, TokenActsWithTheAccountsCurrentAccess) {
  Onboard("nadia@ville.example", std::nullopt);
  auto made = service->CreateToken("nadia@ville.example", "script");
  ASSERT_TRUE(made.ok());
  Access wider = CoordinatorOf("sud");
  wider.programmes.push_back("nord");
  ASSERT_TRUE(service->ChangeAccess("admin@relais.example", "nadia@ville.example", wider, std::nullopt).ok());
  auto p = service->AuthenticateToken(made->secret);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->programmes, (std::vector<std::string>{"sud", "nord"}));
}

TEST_F(AccountServiceTest, DisablingEndsSessionsAndTokens) {
  auto s = Onboard("nadia@ville.example", "un mot de passe long");
  auto made = service->CreateToken("nadia@ville.example", "script");
  ASSERT_TRUE(made.ok());
  auto changed = service->ChangeAccess("admin@relais.example", "nadia@ville.example", CoordinatorOf("sud"), "disabled");
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_FALSE(service->AuthenticateSession(s.session_id).has_value());
  EXPECT_FALSE(service->AuthenticateToken(made->secret).has_value());
  EXPECT_FALSE(service->SignInWithPassword("nadia@ville.example", "un mot de passe long").ok());
  // Re-enabling does not bring the tokens or sessions back.
  ASSERT_TRUE(
      service->ChangeAccess("admin@relais.example", "nadia@ville.example", CoordinatorOf("sud"), "active").ok());
  EXPECT_FALSE(service->AuthenticateSession(s.session_id).has_value());
  EXPECT_FALSE(service->AuthenticateToken(made->secret).has_value());
  EXPECT_TRUE(service->Tokens("nadia@ville.example").empty());
  Reopen();
  EXPECT_FALSE(service->AuthenticateSession(s.session_id).has_value());
  auto types = AuditTypes();
  EXPECT_NE(std::find(types.begin(), types.end(), "account.session_ended"), types.end());
  EXPECT_NE(std::find(types.begin(), types.end(), "account.token_revoked"), types.end());
  EXPECT_EQ(service->ChangeAccess("a", "nobody@x.example", CoordinatorOf("sud"), std::nullopt).status().code(),
            StatusCode::kNotFound);
}

TEST_F(AccountServiceTest, AuditEventsNameTheActor) {
  Onboard("nadia@ville.example", std::nullopt);
  ASSERT_TRUE(
      service->ChangeAccess("admin@relais.example", "nadia@ville.example", CoordinatorOf("nord"), std::nullopt).ok());
  auto events = service->ReadAudit(1, 100);
  ASSERT_TRUE(events.ok());
  const RecordedEvent& last = events->back();
  EXPECT_EQ(last.type, "account.access_changed");
  EXPECT_EQ(last.metadata.actor, "admin@relais.example");
  EXPECT_EQ(last.Data()["before"]["programmes"], Json::array({"sud"}));
  EXPECT_EQ(last.Data()["after"]["programmes"], Json::array({"nord"}));
  // The first invitation's event and the created account carry the inviter.
  EXPECT_EQ((*events)[0].metadata.actor, "admin@relais.example");
  EXPECT_EQ((*events)[2].Data()["invited_by"], "admin@relais.example");
}

TEST(AccountTest, AccessAndEmailAreChecked) {
  EXPECT_EQ(PersonOfEmail("  A.B@C.Example ").value(), "a.b@c.example");
  for (const char* bad : {"", "a", "a@", "@b.example", "a@b", "a b@c.example", "a@b@c.example"})
    EXPECT_FALSE(PersonOfEmail(bad).ok()) << bad;
  EXPECT_FALSE(Access::FromJson(Json{{"roles", Json::array()}}).ok());
  EXPECT_FALSE(Access::FromJson(Json{{"roles", {"boss"}}}).ok());
  EXPECT_FALSE(Access::FromJson(Json{{"roles", {"partner"}}}).ok());  // no partner named
  EXPECT_TRUE(Access::FromJson(Json{{"roles", {"partner"}}, {"partner", "ccas"}}).ok());
  EXPECT_FALSE(Names::FromJson(Json{{"civility", "Dr"}}).ok());
}

}  // namespace
}  // namespace relais::accounts
