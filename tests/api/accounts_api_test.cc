// The account routes through the Router (docs/accounts.md): invitations by
// admins and coordinators within their programmes, accepting one, signing
// in by password and by link, the session cookie and its CSRF header,
// personal tokens, access changes, the audit stream, rate limits, and
// answers that never tell whether an address has an account.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/accounts/secrets.h"
#include "engine/api/session_cookie.h"
#include "tests/api/api_fixture.h"

namespace relais::api {
namespace {

using testing::Harness;

const std::string kPassword = "un mot de passe assez long";

// The token at the end of a link.
std::string TokenOf(const std::string& link) { return link.substr(link.rfind('/') + 1); }

// The session id a Set-Cookie field gives.
std::string CookieOf(const server::HttpResponse& r) {
  std::string v(r.headers.Get("Set-Cookie").value_or(""));
  const std::string prefix = std::string(kSessionCookie) + "=";
  if (v.rfind(prefix, 0) != 0) return "";
  return v.substr(prefix.size(), v.find(';') - prefix.size());
}

class AccountsApiTest : public ::testing::Test {
 protected:
  // Invites email (as the admin) and accepts; returns the session cookie.
  std::string Onboard(const std::string& email, Json access, bool with_password = true) {
    Json body = access;
    body["email"] = email;
    auto inv = h.Call("POST", "/v1/invitations", testing::kAdmin, body.dump());
    EXPECT_EQ(inv.status, 201) << inv.body;
    Json accept = {{"civility", "Mme"}, {"first_name", "Nadia"}, {"last_name", "Benali"}};
    if (with_password) accept["password"] = kPassword;
    auto r = h.Call("POST", "/v1/invitations/" + TokenOf(Harness::Body(inv)["link"]) + "/accept", "", accept.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return CookieOf(r);
  }

  // A call with the session cookie (and, when given, the CSRF header).
  server::HttpResponse WithCookie(const std::string& method, const std::string& target, const std::string& session,
                                  std::string body = "", std::string csrf = "") {
    std::vector<std::pair<std::string, std::string>> headers = {{"Cookie", "theme=dark; relais_session=" + session}};
    if (!csrf.empty()) headers.emplace_back("X-CSRF-Token", csrf);
    return h.Call(method, target, "", std::move(body), headers);
  }

  std::string CsrfOf(const std::string& session) {
    auto me = WithCookie("GET", "/v1/me", session);
    EXPECT_EQ(me.status, 200) << me.body;
    return Harness::Body(me).value("csrf_token", "");
  }

  Harness h;
};

const Json kCoordinatorSud = {{"roles", {"coordinator"}}, {"programmes", {testing::kOwnProgramme}}};

TEST_F(AccountsApiTest, InvitationAcceptedGivesAnAccountSignedInWithACookie) {
  Json body = kCoordinatorSud;
  body["email"] = "Nadia.Benali@Ville.example";
  auto inv = h.Call("POST", "/v1/invitations", testing::kAdmin, body.dump());
  ASSERT_EQ(inv.status, 201) << inv.body;
  Json invitation = Harness::Body(inv);
  EXPECT_EQ(invitation["email"], "nadia.benali@ville.example");
  EXPECT_EQ(invitation["mailed"], true);
  // The e-mail carries the same link, committed with the invitation.
  EXPECT_EQ(h.mailer->LastLinkTo("nadia.benali@ville.example"), invitation["link"]);
  const std::string token = TokenOf(invitation["link"]);

  auto preview = h.Call("GET", "/v1/invitations/" + token + "/preview", "");
  ASSERT_EQ(preview.status, 200) << preview.body;
  EXPECT_EQ(Harness::Body(preview)["invited_by"], "person:alice.admin");
  EXPECT_EQ(preview.log_target, "/v1/invitations/{token}/preview");

  auto accepted = h.Call("POST", "/v1/invitations/" + token + "/accept", "",
                         Json{{"first_name", "Nadia"}, {"last_name", "Benali"}, {"password", kPassword}}.dump());
  ASSERT_EQ(accepted.status, 201) << accepted.body;
  const std::string set_cookie(accepted.headers.Get("Set-Cookie").value_or(""));
  EXPECT_THAT(set_cookie, ::testing::HasSubstr("HttpOnly"));
  EXPECT_THAT(set_cookie, ::testing::HasSubstr("SameSite=Lax"));
  EXPECT_THAT(set_cookie, ::testing::HasSubstr("Path=/"));
  EXPECT_THAT(set_cookie, ::testing::Not(::testing::HasSubstr("Secure")));  // public_url is http here
  const std::string session = CookieOf(accepted);
  ASSERT_FALSE(session.empty());

  auto me = WithCookie("GET", "/v1/me", session);
  ASSERT_EQ(me.status, 200) << me.body;
  Json who = Harness::Body(me);
  EXPECT_EQ(who["subject"], "nadia.benali@ville.example");
  EXPECT_EQ(who["programmes"], Json::array({testing::kOwnProgramme}));
  EXPECT_EQ(who["authenticated_by"], "session");
  EXPECT_EQ(who["account"]["last_name"], "Benali");
  EXPECT_EQ(who["csrf_token"], Harness::Body(accepted)["csrf_token"]);

  // The link served once.
  auto again = h.Call("POST", "/v1/invitations/" + token + "/accept", "", "{}", {{"Accept-Language", "fr"}});
  EXPECT_EQ(again.status, 404);
  EXPECT_THAT(Harness::Body(again)["detail"].get<std::string>(), ::testing::HasSubstr("Cette invitation ne sert plus"));
}

TEST_F(AccountsApiTest, CookieWritesNeedTheCsrfHeaderBearerWritesDoNot) {
  const std::string session = Onboard("nadia@ville.example", kCoordinatorSud);
  const std::string csrf = CsrfOf(session);
  ASSERT_EQ(csrf.size(), 64u);
  Json token_body = {{"name", "tableur"}};
  auto refused = WithCookie("POST", "/v1/me/tokens", session, token_body.dump());
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_THAT(refused.body, ::testing::HasSubstr("X-CSRF-Token"));
  auto wrong = WithCookie("POST", "/v1/me/tokens", session, token_body.dump(), std::string(64, 'a'));
  EXPECT_EQ(wrong.status, 403);
  // An Origin of another site is refused even with the token.
  auto cross = h.Call("POST", "/v1/me/tokens", "", token_body.dump(),
                      {{"Cookie", "relais_session=" + session},
                       {"X-CSRF-Token", csrf},
                       {"Origin", "https://evil.example"},
                       {"Host", "relais.example"}});
  EXPECT_EQ(cross.status, 403);
  auto made = WithCookie("POST", "/v1/me/tokens", session, token_body.dump(), csrf);
  ASSERT_EQ(made.status, 201) << made.body;
  const std::string personal = Harness::Body(made)["token"];
  // The personal token is a bearer token: no CSRF header needed.
  auto by_token = h.Call("POST", "/v1/me/tokens", personal, Json{{"name", "second"}}.dump());
  EXPECT_EQ(by_token.status, 201) << by_token.body;
  // Reads with the cookie need no header.
  EXPECT_EQ(WithCookie("GET", "/v1/me/tokens", session).status, 200);
}

TEST_F(AccountsApiTest, PersonalTokensAreListedWithLastUseAndRevoked) {
  const std::string session = Onboard("nadia@ville.example", kCoordinatorSud);
  const std::string csrf = CsrfOf(session);
  auto made = WithCookie("POST", "/v1/me/tokens", session, Json{{"name", "tableur"}}.dump(), csrf);
  ASSERT_EQ(made.status, 201);
  Json token = Harness::Body(made);
  EXPECT_EQ(token["last_used_at"], nullptr);
  EXPECT_EQ(token["token"].get<std::string>().rfind("rls_", 0), 0u);

  auto me = h.Call("GET", "/v1/me", token["token"]);
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(Harness::Body(me)["subject"], "nadia@ville.example");
  EXPECT_EQ(Harness::Body(me)["authenticated_by"], "token");

  auto listed = WithCookie("GET", "/v1/me/tokens", session);
  Json items = Harness::Body(listed)["items"];
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["name"], "tableur");
  EXPECT_FALSE(items[0].contains("token"));
  EXPECT_FALSE(items[0].contains("sha256"));
  EXPECT_NE(items[0]["last_used_at"], nullptr);

  auto revoked = WithCookie("DELETE", "/v1/me/tokens/" + token["id"].get<std::string>(), session, "", csrf);
  EXPECT_EQ(revoked.status, 204) << revoked.body;
  EXPECT_EQ(h.Call("GET", "/v1/me", token["token"]).status, 401);
  EXPECT_EQ(WithCookie("DELETE", "/v1/me/tokens/" + token["id"].get<std::string>(), session, "", csrf).status, 404);
  // A configured token has no account: its tokens route says so.
  auto config = h.Call("GET", "/v1/me/tokens", testing::kCoordinator);
  EXPECT_EQ(config.status, 409) << config.body;
}

TEST_F(AccountsApiTest, PasswordSignInRefusalsAreIdentical) {
  Onboard("nadia@ville.example", kCoordinatorSud);
  auto ok = h.Call("POST", "/v1/sign-in/password", "",
                   Json{{"email", "NADIA@ville.example"}, {"password", kPassword}}.dump());
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_FALSE(CookieOf(ok).empty());

  auto wrong_password =
      h.Call("POST", "/v1/sign-in/password", "", Json{{"email", "nadia@ville.example"}, {"password", "autre"}}.dump());
  auto unknown = h.Call("POST", "/v1/sign-in/password", "",
                        Json{{"email", "personne@ville.example"}, {"password", kPassword}}.dump());
  EXPECT_EQ(wrong_password.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong_password.body, unknown.body);
  EXPECT_FALSE(wrong_password.headers.Has("Set-Cookie"));

  auto fr = h.Call("POST", "/v1/sign-in/password", "",
                   Json{{"email", "personne@ville.example"}, {"password", "x"}}.dump(), {{"Accept-Language", "fr-FR"}});
  EXPECT_EQ(Harness::Body(fr)["detail"], "L'adresse e-mail ou le mot de passe ne convient pas.");
  EXPECT_EQ(Harness::Body(fr)["messages"]["en"], "The e-mail address or the password is not right.");
}

TEST_F(AccountsApiTest, LinkRequestAnswersTheSameWhetherTheAddressExists) {
  Onboard("nadia@ville.example", kCoordinatorSud, /*with_password=*/false);
  const size_t mails = h.mailer->Committed().size();
  auto known = h.Call("POST", "/v1/sign-in/link", "", Json{{"email", "nadia@ville.example"}}.dump());
  auto unknown = h.Call("POST", "/v1/sign-in/link", "", Json{{"email", "personne@ville.example"}}.dump());
  EXPECT_EQ(known.status, 202);
  EXPECT_EQ(unknown.status, 202);
  EXPECT_EQ(known.body, unknown.body);
  EXPECT_EQ(known.headers.size(), unknown.headers.size());
  // The answer went first; the e-mail follows on the same worker.
  std::string link;
  for (int i = 0; i < 200 && link.empty(); ++i) {
    if (h.mailer->Committed().size() > mails) link = h.mailer->LastLinkTo("nadia@ville.example");
    if (link.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_FALSE(link.empty());
  EXPECT_EQ(h.mailer->Committed().size(), mails + 1);  // nothing for the unknown address

  auto signed_in = h.Call("POST", "/v1/sign-in/link/consume", "", Json{{"token", TokenOf(link)}}.dump());
  ASSERT_EQ(signed_in.status, 200) << signed_in.body;
  EXPECT_FALSE(CookieOf(signed_in).empty());
  auto twice = h.Call("POST", "/v1/sign-in/link/consume", "", Json{{"token", TokenOf(link)}}.dump());
  EXPECT_EQ(twice.status, 401);
}

TEST_F(AccountsApiTest, SignInIsRateLimitedPerAddressAndPerClient) {
  for (int i = 0; i < 5; ++i) {
    auto r = h.Call("POST", "/v1/sign-in/password", "", Json{{"email", "x@ville.example"}, {"password", "p"}}.dump());
    EXPECT_EQ(r.status, 401) << i;
  }
  auto limited = h.Call("POST", "/v1/sign-in/password", "",
                        Json{{"email", "X@ville.example"}, {"password", "p"}}.dump(), {{"Accept-Language", "fr"}});
  EXPECT_EQ(limited.status, 429);
  EXPECT_TRUE(limited.headers.Has("Retry-After"));
  EXPECT_THAT(Harness::Body(limited)["detail"].get<std::string>(),
              ::testing::HasSubstr("Trop de tentatives de connexion pour cette adresse e-mail"));
  // Another address is still allowed, until the client's own limit (30).
  int allowed = 0, by_client = 0;
  for (int i = 0; i < 40; ++i) {
    auto r = h.Call("POST", "/v1/sign-in/password", "",
                    Json{{"email", "y" + std::to_string(i) + "@ville.example"}, {"password", "p"}}.dump());
    if (r.status == 401) ++allowed;
    if (r.status == 429) {
      ++by_client;
      EXPECT_THAT(Harness::Body(r)["detail"].get<std::string>(), ::testing::HasSubstr("network address"));
    }
  }
  EXPECT_EQ(allowed, 30 - 6);
  EXPECT_EQ(by_client, 40 - allowed);
}

TEST_F(AccountsApiTest, SignOutEndsTheSession) {
  const std::string session = Onboard("nadia@ville.example", kCoordinatorSud);
  const std::string csrf = CsrfOf(session);
  auto out = WithCookie("POST", "/v1/sign-out", session, "", csrf);
  EXPECT_EQ(out.status, 204) << out.body;
  EXPECT_THAT(std::string(out.headers.Get("Set-Cookie").value_or("")), ::testing::HasSubstr("Max-Age=0"));
  EXPECT_EQ(WithCookie("GET", "/v1/me", session).status, 401);
}

TEST_F(AccountsApiTest, CoordinatorsInviteAndChangeAccessWithinTheirProgrammesOnly) {
  // The coordinator limited to the own programme.
  Json own = kCoordinatorSud;
  own["email"] = "elu@ville.example";
  own["roles"] = {"elu"};
  EXPECT_EQ(h.Call("POST", "/v1/invitations", testing::kScopedCoordinator, own.dump()).status, 201);
  Json other = own;
  other["email"] = "autre@ville.example";
  other["programmes"] = {testing::kOtherProgramme};
  EXPECT_EQ(h.Call("POST", "/v1/invitations", testing::kScopedCoordinator, other.dump()).status, 403);
  Json everywhere = own;
  everywhere["email"] = "partout@ville.example";
  everywhere["programmes"] = Json::array();
  EXPECT_EQ(h.Call("POST", "/v1/invitations", testing::kScopedCoordinator, everywhere.dump()).status, 403);
  Json admin = own;
  admin["email"] = "chef@ville.example";
  admin["roles"] = {"admin"};
  EXPECT_EQ(h.Call("POST", "/v1/invitations", testing::kCoordinator, admin.dump()).status, 403);
  EXPECT_EQ(h.Call("POST", "/v1/invitations", testing::kAdmin, admin.dump()).status, 201);
  EXPECT_EQ(h.Call("POST", "/v1/invitations", testing::kElu, own.dump()).status, 403);

  // Access changes: an account of the other programme is not the scoped coordinator's.
  Onboard("nord@ville.example", {{"roles", {"coordinator"}}, {"programmes", {testing::kOtherProgramme}}});
  Onboard("sud@ville.example", kCoordinatorSud);
  Json to_other = {{"roles", {"coordinator"}}, {"programmes", {testing::kOtherProgramme}}};
  EXPECT_EQ(
      h.Call("PUT", "/v1/accounts/nord@ville.example/access", testing::kScopedCoordinator, to_other.dump()).status,
      404);
  EXPECT_EQ(h.Call("PUT", "/v1/accounts/sud@ville.example/access", testing::kScopedCoordinator, to_other.dump()).status,
            403);
  Json raise = {{"roles", {"admin"}}};
  EXPECT_EQ(h.Call("PUT", "/v1/accounts/sud@ville.example/access", testing::kCoordinator, raise.dump()).status, 403);
  Json referent = {{"roles", {"referent"}}, {"programmes", {testing::kOwnProgramme}}};
  auto changed = h.Call("PUT", "/v1/accounts/sud@ville.example/access", testing::kScopedCoordinator, referent.dump());
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(Harness::Body(changed)["roles"], Json::array({"referent"}));

  auto listed = h.Call("GET", "/v1/accounts", testing::kScopedCoordinator);
  ASSERT_EQ(listed.status, 200);
  std::vector<std::string> people;
  const Json list = Harness::Body(listed);
  for (const Json& a : list["items"]) people.push_back(a["person"]);
  EXPECT_THAT(people, ::testing::ElementsAre("sud@ville.example"));
  EXPECT_EQ(Harness::Body(h.Call("GET", "/v1/accounts", testing::kAdmin))["items"].size(), 2u);
  EXPECT_EQ(h.Call("GET", "/v1/accounts", testing::kElu).status, 403);

  auto pending = h.Call("GET", "/v1/invitations", testing::kScopedCoordinator);
  ASSERT_EQ(pending.status, 200);
  ASSERT_EQ(Harness::Body(pending)["items"].size(), 1u);  // the élu's; not the admin's invitation
  const std::string id = Harness::Body(pending)["items"][0]["id"];
  EXPECT_EQ(h.Call("DELETE", "/v1/invitations/" + id, testing::kScopedCoordinator).status, 204);
  EXPECT_EQ(h.Call("DELETE", "/v1/invitations/" + id, testing::kScopedCoordinator).status, 404);
}

TEST_F(AccountsApiTest, DisablingEndsSessionsAndTokensAndTheAuditShowsIt) {
  const std::string session = Onboard("nadia@ville.example", kCoordinatorSud);
  auto made = WithCookie("POST", "/v1/me/tokens", session, Json{{"name", "t"}}.dump(), CsrfOf(session));
  ASSERT_EQ(made.status, 201);
  Json disable = kCoordinatorSud;
  disable["status"] = "disabled";
  ASSERT_EQ(h.Call("PUT", "/v1/accounts/nadia@ville.example/access", testing::kAdmin, disable.dump()).status, 200);
  EXPECT_EQ(WithCookie("GET", "/v1/me", session).status, 401);
  EXPECT_EQ(h.Call("GET", "/v1/me", Harness::Body(made)["token"]).status, 401);

  auto audit = h.Call("GET", "/v1/audit?limit=100", testing::kAdmin);
  ASSERT_EQ(audit.status, 200) << audit.body;
  std::vector<std::string> types;
  const Json events = Harness::Body(audit);
  for (const Json& e : events["items"]) types.push_back(e["type"]);
  EXPECT_THAT(types,
              ::testing::ElementsAre("account.invited", "account.invitation_accepted", "account.created",
                                     "account.password_set", "account.signed_in", "account.token_created",
                                     "account.access_changed", "account.token_revoked", "account.session_ended"));
  auto page = h.Call("GET", "/v1/audit?limit=2", testing::kAdmin);
  EXPECT_EQ(Harness::Body(page)["next_after"], 2);
  auto next = h.Call("GET", "/v1/audit?after=2&limit=2", testing::kAdmin);
  EXPECT_EQ(Harness::Body(next)["items"][0]["type"], "account.created");
  EXPECT_EQ(h.Call("GET", "/v1/audit", testing::kCoordinator).status, 403);
}

TEST_F(AccountsApiTest, ConfiguredTokensKeepWorking) {
  auto me = h.Call("GET", "/v1/me", testing::kCoordinator);
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(Harness::Body(me)["subject"], "person:claire.dumas");
  EXPECT_EQ(Harness::Body(me)["account"], nullptr);
  EXPECT_EQ(h.Call("GET", "/v1/me", "no-such-token").status, 401);
  EXPECT_EQ(h.Call("GET", "/v1/me", "").status, 401);
  EXPECT_EQ(h.Call("GET", "/v1/me", "", "", {{"Cookie", "relais_session=forged"}}).status, 401);
}

}  // namespace
}  // namespace relais::api
