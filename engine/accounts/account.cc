#include "engine/accounts/account.h"

#include <algorithm>
#include <cctype>

#include "engine/util/ids.h"
#include "engine/util/time_format.h"

namespace relais::accounts {
namespace {

constexpr size_t kMaxNameBytes = 200;
constexpr size_t kMaxEmailBytes = 254;
constexpr size_t kMaxListItems = 100;

const std::vector<std::string_view>& KnownRoles() {
  static const std::vector<std::string_view> kRoles = {access::kRoleCoordinator, access::kRoleElu,
                                                       access::kRoleReferent,    access::kRolePartner,
                                                       access::kRoleObserver,    access::kRoleAdmin};
  return kRoles;
}

std::string Time(TimePoint t) { return FormatIso8601(t); }

StatusOr<TimePoint> TimeOf(const Json& j, const char* key) {
  if (!j.contains(key) || !j[key].is_string()) return Corruption(std::string("missing time '") + key + "'");
  return ParseIso8601(j[key].get<std::string>());
}

StatusOr<std::vector<std::string>> StringList(const Json& body, const char* key, bool ids) {
  std::vector<std::string> out;
  if (!body.contains(key) || body[key].is_null()) return out;
  const Json& v = body[key];
  if (!v.is_array()) return InvalidArgument(std::string("'") + key + "' must be a list of strings");
  if (v.size() > kMaxListItems)
    return InvalidArgument(std::string("'") + key + "' has more than " + std::to_string(kMaxListItems) + " items");
  for (const Json& item : v) {
    if (!item.is_string()) return InvalidArgument(std::string("'") + key + "' must be a list of strings");
    std::string s = item.get<std::string>();
    if (ids) RELAIS_RETURN_IF_ERROR(ValidateId(std::string(key) + " item", s));
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
  }
  return out;
}

StatusOr<std::string> OptionalString(const Json& body, const char* key, size_t max_bytes) {
  if (!body.contains(key) || body[key].is_null()) return std::string();
  if (!body[key].is_string()) return InvalidArgument(std::string("'") + key + "' must be a string");
  std::string s = body[key].get<std::string>();
  if (s.size() > max_bytes)
    return InvalidArgument(std::string("'") + key + "' is longer than " + std::to_string(max_bytes) + " bytes");
  return s;
}

}  // namespace

Json Access::ToJson() const { return {{"roles", roles}, {"programmes", programmes}, {"partner", partner}}; }

StatusOr<Access> Access::FromJson(const Json& body) {
  if (!body.is_object()) return InvalidArgument("the access must be a JSON object");
  Access a;
  RELAIS_ASSIGN_OR_RETURN(a.roles, StringList(body, "roles", false));
  if (a.roles.empty()) return InvalidArgument("'roles' must name at least one role");
  for (const std::string& role : a.roles) {
    const auto& known = KnownRoles();
    if (std::find(known.begin(), known.end(), role) == known.end())
      return InvalidArgument("unknown role " + QuoteId(role) +
                             "; known: coordinator, elu, referent, partner, observer, admin");
  }
  RELAIS_ASSIGN_OR_RETURN(a.programmes, StringList(body, "programmes", true));
  RELAIS_ASSIGN_OR_RETURN(a.partner, OptionalString(body, "partner", kMaxIdBytes));
  if (!a.partner.empty()) RELAIS_RETURN_IF_ERROR(ValidateId("partner", a.partner));
  const bool partner_role = std::find(a.roles.begin(), a.roles.end(), access::kRolePartner) != a.roles.end();
  if (partner_role && a.partner.empty()) return InvalidArgument("the partner role needs 'partner' (a partner id)");
  return a;
}

Json Names::ToJson() const { return {{"civility", civility}, {"first_name", first_name}, {"last_name", last_name}}; }

StatusOr<Names> Names::FromJson(const Json& body) {
  Names n;
  RELAIS_ASSIGN_OR_RETURN(n.civility, OptionalString(body, "civility", kMaxNameBytes));
  RELAIS_ASSIGN_OR_RETURN(n.first_name, OptionalString(body, "first_name", kMaxNameBytes));
  RELAIS_ASSIGN_OR_RETURN(n.last_name, OptionalString(body, "last_name", kMaxNameBytes));
  if (!n.civility.empty() && n.civility != "M." && n.civility != "Mme")
    return InvalidArgument("'civility' must be \"M.\", \"Mme\" or empty");
  return n;
}

Json PersonalToken::ToJson() const {
  return {{"id", id}, {"name", name}, {"sha256", digest}, {"created_at", Time(created_at)}};
}

Json PersonalToken::ToPublicJson(std::optional<TimePoint> last_used) const {
  return {{"id", id},
          {"name", name},
          {"created_at", Time(created_at)},
          {"last_used_at", last_used ? Json(Time(*last_used)) : Json(nullptr)}};
}

StatusOr<PersonalToken> PersonalToken::FromJson(const Json& j) {
  PersonalToken t;
  t.id = j.value("id", "");
  t.name = j.value("name", "");
  t.digest = j.value("sha256", "");
  RELAIS_ASSIGN_OR_RETURN(t.created_at, TimeOf(j, "created_at"));
  if (t.id.empty() || t.digest.size() != 64) return Corruption("unreadable personal token entry");
  return t;
}

access::Principal Account::ToPrincipal() const {
  return access::Principal{person, access.roles, access.partner, access.programmes};
}

Json Account::ToJson() const {
  Json tokens_json = Json::array();
  for (const PersonalToken& t : tokens) tokens_json.push_back(t.ToJson());
  return {{"person", person},        {"status", status},          {"access", access.ToJson()},
          {"names", names.ToJson()}, {"password", password_hash}, {"created_at", Time(created_at)},
          {"tokens", tokens_json}};
}

Json Account::ToPublicJson() const {
  return {{"person", person},
          {"status", status},
          {"roles", access.roles},
          {"programmes", access.programmes},
          {"partner", access.partner},
          {"civility", names.civility},
          {"first_name", names.first_name},
          {"last_name", names.last_name},
          {"has_password", !password_hash.empty()},
          {"created_at", Time(created_at)}};
}

StatusOr<Account> Account::FromJson(const Json& j) {
  if (!j.is_object()) return Corruption("unreadable account entry");
  Account a;
  a.person = j.value("person", "");
  a.status = j.value("status", std::string(kStatusActive));
  const Json& acc = j.contains("access") ? j["access"] : Json::object();
  a.access.roles = acc.value("roles", std::vector<std::string>{});
  a.access.programmes = acc.value("programmes", std::vector<std::string>{});
  a.access.partner = acc.value("partner", "");
  const Json& names = j.contains("names") ? j["names"] : Json::object();
  a.names.civility = names.value("civility", "");
  a.names.first_name = names.value("first_name", "");
  a.names.last_name = names.value("last_name", "");
  a.password_hash = j.value("password", "");
  RELAIS_ASSIGN_OR_RETURN(a.created_at, TimeOf(j, "created_at"));
  if (j.contains("tokens") && j["tokens"].is_array()) {
    for (const Json& t : j["tokens"]) {
      RELAIS_ASSIGN_OR_RETURN(PersonalToken token, PersonalToken::FromJson(t));
      a.tokens.push_back(std::move(token));
    }
  }
  if (a.person.empty()) return Corruption("account entry without person");
  return a;
}

Json Session::ToJson() const {
  return {{"person", person}, {"created_at", Time(created_at)}, {"last_seen", Time(last_seen)}};
}

StatusOr<Session> Session::FromJson(const Json& j) {
  if (!j.is_object()) return Corruption("unreadable session entry");
  Session s;
  s.person = j.value("person", "");
  RELAIS_ASSIGN_OR_RETURN(s.created_at, TimeOf(j, "created_at"));
  RELAIS_ASSIGN_OR_RETURN(s.last_seen, TimeOf(j, "last_seen"));
  return s;
}

Json Invitation::ToJson() const {
  return {{"id", id},
          {"email", email},
          {"access", access.ToJson()},
          {"names", names.ToJson()},
          {"invited_by", invited_by},
          {"created_at", Time(created_at)},
          {"expires_at", Time(expires_at)}};
}

StatusOr<Invitation> Invitation::FromJson(const Json& j) {
  if (!j.is_object()) return Corruption("unreadable invitation entry");
  Invitation i;
  i.id = j.value("id", "");
  i.email = j.value("email", "");
  const Json& acc = j.contains("access") ? j["access"] : Json::object();
  i.access.roles = acc.value("roles", std::vector<std::string>{});
  i.access.programmes = acc.value("programmes", std::vector<std::string>{});
  i.access.partner = acc.value("partner", "");
  const Json& names = j.contains("names") ? j["names"] : Json::object();
  i.names.civility = names.value("civility", "");
  i.names.first_name = names.value("first_name", "");
  i.names.last_name = names.value("last_name", "");
  i.invited_by = j.value("invited_by", "");
  RELAIS_ASSIGN_OR_RETURN(i.created_at, TimeOf(j, "created_at"));
  RELAIS_ASSIGN_OR_RETURN(i.expires_at, TimeOf(j, "expires_at"));
  return i;
}

Json SignInLink::ToJson() const { return {{"person", person}, {"expires_at", Time(expires_at)}}; }

StatusOr<SignInLink> SignInLink::FromJson(const Json& j) {
  if (!j.is_object()) return Corruption("unreadable sign-in link entry");
  SignInLink l;
  l.person = j.value("person", "");
  RELAIS_ASSIGN_OR_RETURN(l.expires_at, TimeOf(j, "expires_at"));
  return l;
}

StatusOr<std::string> PersonOfEmail(std::string_view email) {
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.front()))) email.remove_prefix(1);
  while (!email.empty() && std::isspace(static_cast<unsigned char>(email.back()))) email.remove_suffix(1);
  std::string person(email);
  for (char& c : person) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const size_t at = person.find('@');
  if (person.empty() || person.size() > kMaxEmailBytes || at == std::string::npos || at == 0 ||
      at + 1 >= person.size() || person.find('@', at + 1) != std::string::npos ||
      person.find('.', at) == std::string::npos || !IsValidPersonId(person))
    return InvalidArgument("'email' must be one e-mail address (name@domain.example), got " + QuoteId(person));
  return person;
}

}  // namespace relais::accounts
