#include "engine/accounts/account_service.h"

#include <algorithm>

#include "engine/accounts/account_mail.h"
#include "engine/accounts/secrets.h"
#include "engine/util/time_format.h"
#include "engine/util/uuid.h"

namespace relais::accounts {
namespace {

// Keys of the key-value space (docs/accounts.md).
constexpr std::string_view kAccountPrefix = "accounts/";
constexpr std::string_view kSessionPrefix = "account-sessions/";
constexpr std::string_view kTokenUsePrefix = "account-token-used/";
constexpr std::string_view kInvitationPrefix = "account-invitations/";
constexpr std::string_view kLinkPrefix = "account-links/";
constexpr std::string_view kLinkOfPrefix = "account-link-of/";
constexpr size_t kScanPage = 1024;
constexpr size_t kMaxTokenNameBytes = 100;

std::string Key(std::string_view prefix, std::string_view rest) { return std::string(prefix) + std::string(rest); }

// The words every failed password sign-in gets, whatever failed.
constexpr const char* kSignInRefused = "the e-mail address or the password is not right";
constexpr const char* kLinkRefused = "this sign-in link is not valid: it was already used, replaced or has expired";
constexpr const char* kInvitationGone =
    "this invitation link is not valid: it was already used, revoked or has expired";

template <typename Fn>
Status ScanAll(EventStore& store, std::string_view prefix, Fn fn) {
  std::string after;
  while (true) {
    RELAIS_ASSIGN_OR_RETURN(auto page, store.KvScan(std::string(prefix), after, kScanPage));
    for (const KvEntry& e : page) RELAIS_RETURN_IF_ERROR(fn(e));
    if (page.size() < kScanPage) return Status::Ok();
    after = page.back().key;
  }
}

std::chrono::microseconds Micros(std::chrono::milliseconds ms) { return ms; }

}  // namespace

AccountService::AccountService(EventStore& store, const Clock& clock, AccountsOptions options, Mailer* mailer)
    : store_(store), clock_(clock), options_(std::move(options)), mailer_(mailer) {}

StatusOr<std::unique_ptr<AccountService>> AccountService::Open(EventStore& store, const Clock& clock,
                                                               AccountsOptions options, Mailer* mailer) {
  RELAIS_RETURN_IF_ERROR(InitializeSecrets());
  std::unique_ptr<AccountService> service(new AccountService(store, clock, std::move(options), mailer));
  RELAIS_RETURN_IF_ERROR(service->Load());
  return service;
}

Status AccountService::Load() {
  const TimePoint now = clock_.Now();
  // The version first: what the scans find is at least this far.
  RELAIS_ASSIGN_OR_RETURN(uint64_t version, store_.StreamVersion(std::string(kAuditStream)));
  std::map<std::string, Account> accounts;
  std::unordered_map<std::string, Session> sessions;
  std::unordered_map<std::string, TimePoint> stored_use;
  KvWrites expired;
  RELAIS_RETURN_IF_ERROR(ScanAll(store_, kAccountPrefix, [&](const KvEntry& e) -> Status {
    RELAIS_ASSIGN_OR_RETURN(Json j, ParseJson(e.value));
    RELAIS_ASSIGN_OR_RETURN(Account a, Account::FromJson(j));
    accounts[a.person] = std::move(a);
    return Status::Ok();
  }));
  RELAIS_RETURN_IF_ERROR(ScanAll(store_, kSessionPrefix, [&](const KvEntry& e) -> Status {
    RELAIS_ASSIGN_OR_RETURN(Json j, ParseJson(e.value));
    RELAIS_ASSIGN_OR_RETURN(Session s, Session::FromJson(j));
    if (SessionLive(s, now) && accounts.count(s.person))
      sessions.emplace(e.key.substr(kSessionPrefix.size()), std::move(s));
    else
      expired.Delete(e.key);
    return Status::Ok();
  }));
  RELAIS_RETURN_IF_ERROR(ScanAll(store_, kTokenUsePrefix, [&](const KvEntry& e) -> Status {
    auto t = ParseIso8601(e.value);
    if (t.ok()) stored_use[e.key.substr(kTokenUsePrefix.size())] = *t;
    return Status::Ok();
  }));
  RELAIS_RETURN_IF_ERROR(ScanAll(store_, kLinkPrefix, [&](const KvEntry& e) -> Status {
    auto j = ParseJson(e.value);
    auto link = j.ok() ? SignInLink::FromJson(*j) : StatusOr<SignInLink>(Corruption("bad link"));
    if (!link.ok() || link->expires_at <= now) expired.Delete(e.key);
    return Status::Ok();
  }));
  RELAIS_RETURN_IF_ERROR(ScanAll(store_, kInvitationPrefix, [&](const KvEntry& e) -> Status {
    auto j = ParseJson(e.value);
    auto inv = j.ok() ? Invitation::FromJson(*j) : StatusOr<Invitation>(Corruption("bad invitation"));
    if (!inv.ok() || inv->expires_at <= now) expired.Delete(e.key);
    return Status::Ok();
  }));
  if (!expired.empty()) RELAIS_RETURN_IF_ERROR(store_.KvWrite(expired));
  {
    std::lock_guard lock(mu_);
    // Uses seen here but not written yet (at most last_used_resolution
    // behind) are kept: they only move a session's idle end later.
    std::unordered_map<std::string, TimePoint> seen_written;
    for (auto& [digest, s] : sessions) {
      seen_written[digest] = s.last_seen;
      if (auto mine = sessions_.find(digest); mine != sessions_.end())
        s.last_seen = std::max(s.last_seen, mine->second.last_seen);
    }
    for (const auto& [id, used] : stored_use) {
      LastUse& u = token_use_[id];
      u.used = std::max(u.used, used);
      u.written = std::max(u.written, used);
    }
    accounts_.clear();
    token_by_digest_.clear();
    for (const auto& [person, a] : accounts) PutAccountLocked(a);
    sessions_ = std::move(sessions);
    seen_written_ = std::move(seen_written);
  }
  audit_version_ = version;
  return Status::Ok();
}

Status AccountService::CatchUpLocked() {
  if (!shared_) return Status::Ok();
  RELAIS_ASSIGN_OR_RETURN(uint64_t version, store_.StreamVersion(std::string(kAuditStream)));
  return version == audit_version_ ? Status::Ok() : Load();
}

Status AccountService::CatchUp() {
  if (!shared_) return Status::Ok();
  std::lock_guard write(write_mu_);
  return CatchUpLocked();
}

void AccountService::NoteAudit(uint64_t version) {
  if (!shared_ || version <= audit_version_) return;
  std::lock_guard write(write_mu_);
  if (version > audit_version_) (void)Load();  // failed: the next change or miss catches up
}

// --- authentication ---

template <typename Map>
void AccountService::CatchUpIfUnknown(const Map& known, const std::string& digest) {
  if (!shared_) return;
  {
    std::lock_guard lock(mu_);
    if (known.count(digest)) return;
  }
  (void)CatchUp();  // a store error: answered as unknown
}

std::optional<access::Principal> AccountService::AuthenticateToken(std::string_view token) {
  const std::string digest = SecretDigest(token);
  CatchUpIfUnknown(token_by_digest_, digest);
  const TimePoint now = clock_.Now();
  std::optional<access::Principal> principal;
  KvWrites use;
  {
    std::lock_guard lock(mu_);
    auto it = token_by_digest_.find(digest);
    if (it == token_by_digest_.end()) return std::nullopt;
    auto account = accounts_.find(it->second.person);
    if (account == accounts_.end() || !account->second.active()) return std::nullopt;
    principal = account->second.ToPrincipal();
    LastUse& u = token_use_[it->second.id];
    u.used = now;
    if (now - u.written >= Micros(options_.last_used_resolution)) {
      u.written = now;
      use.Put(Key(kTokenUsePrefix, it->second.id), FormatIso8601(now));
    }
  }
  if (!use.empty()) {
    use.sync = false;  // a last-use time may be lost by a crash; never worth a disk wait
    (void)store_.KvWrite(use);
  }
  return principal;
}

std::optional<access::Principal> AccountService::AuthenticateSession(std::string_view session_id) {
  const std::string digest = SecretDigest(session_id);
  CatchUpIfUnknown(sessions_, digest);
  const TimePoint now = clock_.Now();
  std::optional<access::Principal> principal;
  KvWrites seen;
  {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(digest);
    if (it == sessions_.end()) return std::nullopt;
    if (!SessionLive(it->second, now)) {
      sessions_.erase(it);
      seen.Delete(Key(kSessionPrefix, digest));
    } else {
      auto account = accounts_.find(it->second.person);
      if (account == accounts_.end() || !account->second.active()) return std::nullopt;
      principal = account->second.ToPrincipal();
      it->second.last_seen = now;
      TimePoint& written = seen_written_[digest];
      if (now - written >= Micros(options_.last_used_resolution)) {
        written = now;
        seen.Put(Key(kSessionPrefix, digest), DumpJson(it->second.ToJson()));
      }
    }
  }
  if (!seen.empty()) {
    seen.sync = false;
    (void)store_.KvWrite(seen);
  }
  return principal;
}

std::string AccountService::CsrfTokenOf(std::string_view session_id) {
  return SecretDigest("relais-csrf:" + std::string(session_id));
}

bool AccountService::SessionLive(const Session& s, TimePoint now) const {
  // The idle limit is counted from the last use written or seen; after a
  // restart that is at most last_used_resolution early (a shorter session).
  return now < s.created_at + Micros(options_.session_absolute_timeout) &&
         now < s.last_seen + Micros(options_.session_idle_timeout);
}

// --- recording ---

Status AccountService::Record(const std::string& actor, std::vector<AuditEvent> events, KvWrites writes) {
  AppendRequest request;
  request.stream_id = std::string(kAuditStream);
  for (AuditEvent& e : events) {
    NewEvent ev;
    ev.event_id = NewUuid();
    ev.type = std::move(e.type);
    ev.data = std::move(e.data);
    ev.metadata.actor = actor;
    request.events.push_back(std::move(ev));
  }
  request.side_writes = std::move(writes);
  // Shared store: appended after exactly what this node decided on.
  const uint64_t seen = audit_version_;
  if (shared_) request.expected = seen == 0 ? ExpectedVersion::NoStream() : ExpectedVersion::Exact(seen);
  auto appended = store_.Append(std::move(request));
  if (!appended.ok()) {
    if (shared_ && appended.status().code() == StatusCode::kVersionConflict)
      return VersionConflict("accounts were changed on another server meanwhile: try again",
                             appended.status().actual_version().value_or(0));
    return appended.status();
  }
  if (seen + 1 == appended->first_version) audit_version_ = appended->last_version;
  return Status::Ok();
}

void AccountService::PutAccountLocked(const Account& account) {
  auto old = accounts_.find(account.person);
  if (old != accounts_.end()) {
    for (const PersonalToken& t : old->second.tokens) token_by_digest_.erase(t.digest);
  }
  accounts_[account.person] = account;
  for (const PersonalToken& t : account.tokens) token_by_digest_[t.digest] = {account.person, t.id};
}

void AccountService::DropSessionsOfLocked(const std::string& person) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (it->second.person == person) {
      seen_written_.erase(it->first);
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
}

std::string AccountService::NewSessionWrites(const std::string& person, KvWrites& writes,
                                             std::vector<std::string>* ended) {
  const TimePoint now = clock_.Now();
  std::vector<std::pair<TimePoint, std::string>> mine;
  {
    std::lock_guard lock(mu_);
    for (const auto& [digest, s] : sessions_) {
      if (s.person == person) mine.emplace_back(s.created_at, digest);
    }
  }
  std::sort(mine.begin(), mine.end());
  for (size_t i = 0; i + options_.max_sessions_per_account <= mine.size(); ++i) {
    writes.Delete(Key(kSessionPrefix, mine[i].second));
    ended->push_back(mine[i].second);
  }
  std::string id = NewSecret();
  writes.Put(Key(kSessionPrefix, SecretDigest(id)), DumpJson(Session{person, now, now}.ToJson()));
  return id;
}

StatusOr<AccountService::SignedIn> AccountService::StartSession(const Account& account, const std::string& method,
                                                                KvWrites writes, std::vector<AuditEvent> events) {
  std::vector<std::string> ended;
  std::string id = NewSessionWrites(account.person, writes, &ended);
  events.push_back({"account.signed_in", {{"person", account.person}, {"method", method}}});
  RELAIS_RETURN_IF_ERROR(Record(account.person, std::move(events), std::move(writes)));
  const TimePoint now = clock_.Now();
  {
    std::lock_guard lock(mu_);
    PutAccountLocked(account);
    for (const std::string& digest : ended) {
      sessions_.erase(digest);
      seen_written_.erase(digest);
    }
    sessions_[SecretDigest(id)] = Session{account.person, now, now};
    seen_written_[SecretDigest(id)] = now;
  }
  return SignedIn{std::move(id), account, now + Micros(options_.session_absolute_timeout)};
}

Status AccountService::CheckPassword(std::string_view password) const {
  if (password.size() < options_.password_min_bytes || password.size() > options_.password_max_bytes)
    return InvalidArgument("'password' must be " + std::to_string(options_.password_min_bytes) + " to " +
                           std::to_string(options_.password_max_bytes) + " bytes long");
  return Status::Ok();
}

// --- signing in ---

StatusOr<AccountService::SignedIn> AccountService::SignInWithPassword(std::string_view email,
                                                                      std::string_view password) {
  auto person = PersonOfEmail(email);
  RELAIS_RETURN_IF_ERROR(CatchUp());  // a password set or an account made on another node
  std::optional<Account> account = person.ok() ? Find(*person) : std::nullopt;
  const bool usable = account && account->active() && !account->password_hash.empty();
  // The same work whatever is wrong: a decoy hash stands in for a missing one.
  const std::string& hash =
      usable ? account->password_hash : DecoyHash(options_.password_ops_limit, options_.password_memory_bytes);
  const bool matches = VerifyPassword(password.substr(0, options_.password_max_bytes), hash);
  if (!usable || !matches || password.size() > options_.password_max_bytes) return PermissionDenied(kSignInRefused);
  std::lock_guard write(write_mu_);
  RELAIS_RETURN_IF_ERROR(CatchUpLocked());
  account = Find(account->person);
  if (!account || !account->active()) return PermissionDenied(kSignInRefused);
  return StartSession(*account, "password", {}, {});
}

Status AccountService::SendSignInLink(std::string_view email) {
  if (!mailer_) return FailedPrecondition("e-mail is not configured on this server: sign in with a password");
  auto person = PersonOfEmail(email);
  if (!person.ok()) return Status::Ok();
  std::lock_guard write(write_mu_);
  RELAIS_RETURN_IF_ERROR(CatchUpLocked());
  std::optional<Account> account = Find(*person);
  if (!account || !account->active()) return Status::Ok();
  const std::string token = NewSecret();
  const std::string digest = SecretDigest(token);
  KvWrites writes;
  RELAIS_ASSIGN_OR_RETURN(auto previous, store_.KvGet(Key(kLinkOfPrefix, *person)));
  if (previous) writes.Delete(Key(kLinkPrefix, *previous));
  const TimePoint expires = clock_.Now() + Micros(options_.sign_in_link_ttl);
  writes.Put(Key(kLinkPrefix, digest), DumpJson(SignInLink{*person, expires}.ToJson()));
  writes.Put(Key(kLinkOfPrefix, *person), digest);
  RELAIS_RETURN_IF_ERROR(
      mailer_->Enqueue(SignInLinkMail(*person, SignInLinkUrl(token), options_.sign_in_link_ttl), writes));
  return Record(*person, {{"account.sign_in_link_sent", {{"person", *person}, {"expires_at", FormatIso8601(expires)}}}},
                std::move(writes));
}

StatusOr<AccountService::SignedIn> AccountService::SignInWithLink(std::string_view link_token) {
  const std::string digest = SecretDigest(link_token);
  std::lock_guard write(write_mu_);
  RELAIS_RETURN_IF_ERROR(CatchUpLocked());
  RELAIS_ASSIGN_OR_RETURN(auto text, store_.KvGet(Key(kLinkPrefix, digest)));
  if (!text) return PermissionDenied(kLinkRefused);
  RELAIS_ASSIGN_OR_RETURN(Json j, ParseJson(*text));
  RELAIS_ASSIGN_OR_RETURN(SignInLink link, SignInLink::FromJson(j));
  KvWrites writes;
  writes.Delete(Key(kLinkPrefix, digest));
  writes.Delete(Key(kLinkOfPrefix, link.person));
  std::optional<Account> account = Find(link.person);
  if (link.expires_at <= clock_.Now() || !account || !account->active()) {
    (void)store_.KvWrite(writes);  // a dead link is dropped; failing to drop it changes nothing
    return PermissionDenied(kLinkRefused);
  }
  return StartSession(*account, "link", std::move(writes), {});
}

Status AccountService::SignOut(std::string_view session_id, const std::string& actor) {
  const std::string digest = SecretDigest(session_id);
  std::lock_guard write(write_mu_);
  RELAIS_RETURN_IF_ERROR(CatchUpLocked());
  std::string person;
  {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(digest);
    if (it == sessions_.end()) return Status::Ok();
    person = it->second.person;
  }
  KvWrites writes;
  writes.Delete(Key(kSessionPrefix, digest));
  RELAIS_RETURN_IF_ERROR(
      Record(actor, {{"account.session_ended", {{"person", person}, {"reason", "signed_out"}}}}, std::move(writes)));
  std::lock_guard lock(mu_);
  sessions_.erase(digest);
  seen_written_.erase(digest);
  return Status::Ok();
}

// --- accounts ---

std::optional<Account> AccountService::Find(const std::string& person) const {
  std::lock_guard lock(mu_);
  auto it = accounts_.find(person);
  if (it == accounts_.end()) return std::nullopt;
  return it->second;
}

std::vector<Account> AccountService::List() const {
  std::lock_guard lock(mu_);
  std::vector<Account> out;
  out.reserve(accounts_.size());
  for (const auto& [person, a] : accounts_) out.push_back(a);
  return out;
}

StatusOr<Account> AccountService::ChangeAccess(const std::string& actor, const std::string& person,
                                               const Access& access, std::optional<std::string> status) {
  if (status && *status != kStatusActive && *status != kStatusDisabled)
    return InvalidArgument("'status' must be \"active\" or \"disabled\"");
  std::lock_guard write(write_mu_);
  RELAIS_RETURN_IF_ERROR(CatchUpLocked());
  std::optional<Account> account = Find(person);
  if (!account) return NotFound("no account " + person);
  const Json before = account->access.ToJson();
  const std::string status_before = account->status;
  account->access = access;
  if (status) account->status = *status;
  const bool disabling = !account->active() && status_before == kStatusActive;
  KvWrites writes;
  std::vector<AuditEvent> events;
  events.push_back({"account.access_changed",
                    {{"person", person},
                     {"before", before},
                     {"after", access.ToJson()},
                     {"status_before", status_before},
                     {"status", account->status}}});
  if (disabling) {
    std::lock_guard lock(mu_);
    for (const auto& [digest, s] : sessions_) {
      if (s.person == person) writes.Delete(Key(kSessionPrefix, digest));
    }
    for (const PersonalToken& t : account->tokens)
      events.push_back({"account.token_revoked", {{"person", person}, {"token", t.id}, {"reason", "disabled"}}});
    account->tokens.clear();
    events.push_back({"account.session_ended", {{"person", person}, {"reason", "disabled"}}});
  }
  writes.Put(Key(kAccountPrefix, person), DumpJson(account->ToJson()));
  RELAIS_RETURN_IF_ERROR(Record(actor, std::move(events), std::move(writes)));
  std::lock_guard lock(mu_);
  PutAccountLocked(*account);
  if (disabling) DropSessionsOfLocked(person);
  return *account;
}

Status AccountService::SetPassword(const std::string& person, std::string_view password) {
  RELAIS_RETURN_IF_ERROR(CheckPassword(password));
  RELAIS_ASSIGN_OR_RETURN(std::string hash,
                          HashPassword(password, options_.password_ops_limit, options_.password_memory_bytes));
  std::lock_guard write(write_mu_);
  RELAIS_RETURN_IF_ERROR(CatchUpLocked());
  std::optional<Account> account = Find(person);
  if (!account) return NotFound("no account " + person);
  account->password_hash = std::move(hash);
  KvWrites writes;
  writes.Put(Key(kAccountPrefix, person), DumpJson(account->ToJson()));
  RELAIS_RETURN_IF_ERROR(Record(person, {{"account.password_set", {{"person", person}}}}, std::move(writes)));
  std::lock_guard lock(mu_);
  PutAccountLocked(*account);
  return Status::Ok();
}

// --- personal tokens ---

StatusOr<AccountService::NewToken> AccountService::CreateToken(const std::string& person, const std::string& name) {
  if (name.empty() || name.size() > kMaxTokenNameBytes)
    return InvalidArgument("'name' must be 1 to " + std::to_string(kMaxTokenNameBytes) + " bytes long");
  std::lock_guard write(write_mu_);
  RELAIS_RETURN_IF_ERROR(CatchUpLocked());
  std::optional<Account> account = Find(person);
  if (!account) return NotFound("no account " + person);
  if (account->tokens.size() >= options_.max_tokens_per_account)
    return FailedPrecondition("this account already has " + std::to_string(account->tokens.size()) +
                              " tokens, the most allowed; revoke one first");
  NewToken made;
  made.secret = NewSecret("rls_");
  made.token = PersonalToken{NewUuid(), name, SecretDigest(made.secret), clock_.Now()};
  account->tokens.push_back(made.token);
  KvWrites writes;
  writes.Put(Key(kAccountPrefix, person), DumpJson(account->ToJson()));
  RELAIS_RETURN_IF_ERROR(
      Record(person, {{"account.token_created", {{"person", person}, {"token", made.token.id}, {"name", name}}}},
             std::move(writes)));
  std::lock_guard lock(mu_);
  PutAccountLocked(*account);
  return made;
}

std::vector<AccountService::TokenUse> AccountService::Tokens(const std::string& person) const {
  std::lock_guard lock(mu_);
  std::vector<TokenUse> out;
  auto it = accounts_.find(person);
  if (it == accounts_.end()) return out;
  for (const PersonalToken& t : it->second.tokens) {
    auto use = token_use_.find(t.id);
    out.push_back({t, use == token_use_.end() ? std::nullopt : std::optional<TimePoint>(use->second.used)});
  }
  return out;
}

Status AccountService::RevokeToken(const std::string& actor, const std::string& person, const std::string& token_id) {
  std::lock_guard write(write_mu_);
  RELAIS_RETURN_IF_ERROR(CatchUpLocked());
  std::optional<Account> account = Find(person);
  if (!account) return NotFound("no token " + token_id);
  auto it = std::find_if(account->tokens.begin(), account->tokens.end(),
                         [&](const PersonalToken& t) { return t.id == token_id; });
  if (it == account->tokens.end()) return NotFound("no token " + token_id);
  account->tokens.erase(it);
  KvWrites writes;
  writes.Put(Key(kAccountPrefix, person), DumpJson(account->ToJson()));
  writes.Delete(Key(kTokenUsePrefix, token_id));
  RELAIS_RETURN_IF_ERROR(
      Record(actor, {{"account.token_revoked", {{"person", person}, {"token", token_id}, {"reason", "revoked"}}}},
             std::move(writes)));
  std::lock_guard lock(mu_);
  PutAccountLocked(*account);
  token_use_.erase(token_id);
  return Status::Ok();
}

// --- invitations ---

StatusOr<AccountService::NewInvitation> AccountService::Invite(const std::string& actor, std::string_view email,
                                                               const Access& access, const Names& names) {
  RELAIS_ASSIGN_OR_RETURN(std::string person, PersonOfEmail(email));
  RELAIS_RETURN_IF_ERROR(CatchUp());
  if (Find(person)) return AlreadyExists("an account for " + person + " already exists: change its access instead");
  const std::string token = NewSecret();
  Invitation inv;
  inv.id = SecretDigest(token);
  inv.email = person;
  inv.access = access;
  inv.names = names;
  inv.invited_by = actor;
  inv.created_at = clock_.Now();
  inv.expires_at = inv.created_at + Micros(options_.invitation_ttl);
  KvWrites writes;
  writes.Put(Key(kInvitationPrefix, inv.id), DumpJson(inv.ToJson()));
  const std::string link = InvitationUrl(token);
  if (mailer_)
    RELAIS_RETURN_IF_ERROR(mailer_->Enqueue(InvitationMail(person, actor, link, options_.invitation_ttl), writes));
  std::lock_guard write(write_mu_);
  RELAIS_RETURN_IF_ERROR(CatchUpLocked());
  RELAIS_RETURN_IF_ERROR(Record(actor,
                                {{"account.invited",
                                  {{"person", person},
                                   {"invitation", inv.id},
                                   {"access", access.ToJson()},
                                   {"expires_at", FormatIso8601(inv.expires_at)}}}},
                                std::move(writes)));
  return NewInvitation{std::move(inv), link};
}

StatusOr<std::vector<Invitation>> AccountService::PendingInvitations(const std::string& start_after, size_t limit) {
  const TimePoint now = clock_.Now();
  std::vector<Invitation> out;
  std::string after = start_after.empty() ? "" : Key(kInvitationPrefix, start_after);
  while (out.size() < limit) {
    RELAIS_ASSIGN_OR_RETURN(auto page, store_.KvScan(std::string(kInvitationPrefix), after, limit));
    for (const KvEntry& e : page) {
      RELAIS_ASSIGN_OR_RETURN(Json j, ParseJson(e.value));
      RELAIS_ASSIGN_OR_RETURN(Invitation inv, Invitation::FromJson(j));
      if (inv.expires_at > now && out.size() < limit) out.push_back(std::move(inv));
    }
    if (page.size() < limit) break;
    after = page.back().key;
  }
  return out;
}

StatusOr<Invitation> AccountService::FindInvitation(const std::string& id) {
  if (id.size() != 64) return NotFound("no pending invitation " + id);
  RELAIS_ASSIGN_OR_RETURN(auto text, store_.KvGet(Key(kInvitationPrefix, id)));
  if (!text) return NotFound("no pending invitation " + id);
  RELAIS_ASSIGN_OR_RETURN(Json j, ParseJson(*text));
  RELAIS_ASSIGN_OR_RETURN(Invitation inv, Invitation::FromJson(j));
  if (inv.expires_at <= clock_.Now()) return NotFound("no pending invitation " + id);
  return inv;
}

Status AccountService::RevokeInvitation(const std::string& actor, const std::string& id) {
  std::lock_guard write(write_mu_);
  RELAIS_RETURN_IF_ERROR(CatchUpLocked());
  RELAIS_ASSIGN_OR_RETURN(Invitation inv, FindInvitation(id));
  KvWrites writes;
  writes.Delete(Key(kInvitationPrefix, id));
  return Record(actor, {{"account.invitation_revoked", {{"person", inv.email}, {"invitation", id}}}},
                std::move(writes));
}

StatusOr<Invitation> AccountService::PeekInvitation(std::string_view link_token) {
  auto inv = FindInvitation(SecretDigest(link_token));
  if (!inv.ok() && inv.status().code() == StatusCode::kNotFound) return NotFound(kInvitationGone);
  return inv;
}

StatusOr<AccountService::SignedIn> AccountService::AcceptInvitation(std::string_view link_token, const Names& names,
                                                                    std::optional<std::string> password) {
  std::string hash;
  if (password) {
    RELAIS_RETURN_IF_ERROR(CheckPassword(*password));
    RELAIS_ASSIGN_OR_RETURN(hash, HashPassword(*password, options_.password_ops_limit, options_.password_memory_bytes));
  }
  const std::string id = SecretDigest(link_token);
  std::lock_guard write(write_mu_);
  RELAIS_RETURN_IF_ERROR(CatchUpLocked());
  auto inv = FindInvitation(id);
  if (!inv.ok()) return inv.status().code() == StatusCode::kNotFound ? NotFound(kInvitationGone) : inv.status();
  if (Find(inv->email)) return AlreadyExists("an account for " + inv->email + " already exists: sign in instead");
  Account account;
  account.person = inv->email;
  account.access = inv->access;
  account.names = inv->names;
  if (!names.civility.empty()) account.names.civility = names.civility;
  if (!names.first_name.empty()) account.names.first_name = names.first_name;
  if (!names.last_name.empty()) account.names.last_name = names.last_name;
  account.password_hash = std::move(hash);
  account.created_at = clock_.Now();
  KvWrites writes;
  writes.Delete(Key(kInvitationPrefix, id));
  writes.Put(Key(kAccountPrefix, account.person), DumpJson(account.ToJson()));
  if (on_created_) RELAIS_RETURN_IF_ERROR(on_created_(account, writes));
  std::vector<AuditEvent> events;
  events.push_back({"account.invitation_accepted", {{"person", account.person}, {"invitation", id}}});
  events.push_back({"account.created",
                    {{"person", account.person},
                     {"access", account.access.ToJson()},
                     {"names", account.names.ToJson()},
                     {"invited_by", inv->invited_by}}});
  if (!account.password_hash.empty()) events.push_back({"account.password_set", {{"person", account.person}}});
  return StartSession(account, "invitation", std::move(writes), std::move(events));
}

// --- audit ---

StatusOr<std::vector<RecordedEvent>> AccountService::ReadAudit(uint64_t from, size_t limit) {
  return store_.ReadStream(std::string(kAuditStream), std::max<uint64_t>(from, 1), limit);
}

std::string AccountService::SignInLinkUrl(const std::string& token) const {
  return options_.public_url + "/ui/index.html#/sign-in/link/" + token;
}

std::string AccountService::InvitationUrl(const std::string& token) const {
  return options_.public_url + "/ui/index.html#/invitation/" + token;
}

}  // namespace relais::accounts
