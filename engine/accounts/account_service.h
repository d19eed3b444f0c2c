// AccountService: the accounts of the people who use Relais, and every way
// they sign in (docs/accounts.md): invitations, one-time sign-in links,
// passwords (argon2id), sessions and personal API tokens.
//
// Storage: accounts, sessions, invitations and links live in the event
// store's key-value space (keys in docs/accounts.md; only digests of
// secrets, never a secret). Every change of access is an event of the
// stream "audit" whose append carries the key-value writes (and the e-mail
// it sends, through the Mailer), so the record of a change and the change
// commit together or not at all.
//
// Accounts and live sessions are also kept in memory (a handful of
// thousands at most), so authenticating a request reads no disk; a token's
// or session's last use is written at most once per
// options.last_used_resolution, without waiting for the disk.
//
// Several nodes on one store (PostgreSQL; FollowOtherNodes): another node
// may change accounts and start sessions. Every change and every sign-in
// first catches up (when the audit stream moved past what this node loaded,
// it reloads), and its audit append expects the stream's version, so a
// change never decides on a stale account: a change made elsewhere in
// between is refused (kVersionConflict, try again). A session or token
// this node does not know is looked for again after catching up. Changes
// seen in the log (NoteAudit: revocations, disabled accounts) reload at once.
//
// Thread-safety: safe for concurrent access from multiple threads without
// any external synchronization. Changes are serialized. store, clock and
// mailer must outlive the service.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/accounts/account.h"
#include "engine/accounts/accounts_config.h"
#include "engine/accounts/mailer.h"
#include "engine/store/event_store.h"

namespace relais::accounts {

// The stream of access changes (event types in docs/accounts.md).
inline constexpr std::string_view kAuditStream = "audit";

class AccountService {
 public:
  // Called in the append that creates an account, to add writes of other
  // units (e.g. the person's record of engine/people) to the same batch.
  using AccountCreatedHook = std::function<Status(const Account&, KvWrites&)>;

  // Loads the accounts and live sessions (dropping expired sessions, links
  // and invitations). mailer may be null: then nothing can be sent
  // (mail_configured() is false; invitations still return their link).
  // Errors: kInternal (no entropy), kCorruption, kUnavailable.
  static StatusOr<std::unique_ptr<AccountService>> Open(EventStore& store, const Clock& clock, AccountsOptions options,
                                                        Mailer* mailer);

  void SetAccountCreatedHook(AccountCreatedHook hook) { on_created_ = std::move(hook); }
  // The store is shared with other nodes (see above). REQUIRES: called
  // before the service is used from several threads.
  void FollowOtherNodes() { shared_ = true; }
  // An event of the audit stream is stored at version (seen in the log):
  // reloads when this node has not loaded it yet. Only with FollowOtherNodes.
  void NoteAudit(uint64_t version);
  // Reloads accounts and sessions when the audit stream moved past what
  // this node loaded (nothing on an unshared store). Errors: the store's.
  Status CatchUp();
  bool mail_configured() const { return mailer_ != nullptr; }
  const AccountsOptions& options() const { return options_; }

  // --- Authentication: from memory only, fast ---
  // The principal of an active account's personal token; nullopt otherwise.
  std::optional<access::Principal> AuthenticateToken(std::string_view token);
  // The principal of a live session of an active account (and extends its
  // idle time); nullopt otherwise.
  std::optional<access::Principal> AuthenticateSession(std::string_view session_id);
  // The CSRF token of a session: a digest of its id, so only a page that
  // can read GET /v1/me (same origin) learns it.
  static std::string CsrfTokenOf(std::string_view session_id);

  // --- Signing in and out ---
  struct SignedIn {
    std::string session_id;  // the secret for the cookie; stored only as its digest
    Account account;
    TimePoint expires_at{};  // the absolute end of the session
  };
  // Errors: kPermissionDenied with the same words whether the address has
  // no account, a disabled one, no password, or another password (and in
  // about the same time: a decoy hash is verified); kUnavailable.
  StatusOr<SignedIn> SignInWithPassword(std::string_view email, std::string_view password);
  // Queues a sign-in link to an active account's address, replacing the
  // one sent before. OK whether or not the address has an account.
  // Errors: kFailedPrecondition (no mailer); kUnavailable.
  Status SendSignInLink(std::string_view email);
  // Uses a sign-in link once. Errors: kPermissionDenied (unknown, used or
  // expired link; disabled account), kUnavailable.
  StatusOr<SignedIn> SignInWithLink(std::string_view link_token);
  // Ends a session (idempotent: an unknown id is OK).
  Status SignOut(std::string_view session_id, const std::string& actor);

  // --- Accounts ---
  std::optional<Account> Find(const std::string& person) const;
  std::vector<Account> List() const;  // by person id
  // Sets roles, programmes, partner and, when given, status ("active" or
  // "disabled"; disabling ends the account's sessions and revokes its
  // tokens). Errors: kNotFound, kInvalidArgument; kUnavailable.
  StatusOr<Account> ChangeAccess(const std::string& actor, const std::string& person, const Access& access,
                                 std::optional<std::string> status);
  // Sets (or replaces) the account's password. Errors: kInvalidArgument
  // (length), kNotFound; kUnavailable.
  Status SetPassword(const std::string& person, std::string_view password);

  // --- Personal tokens ---
  struct NewToken {
    PersonalToken token;
    std::string secret;  // shown once
  };
  // Errors: kInvalidArgument (name empty or longer than 100 bytes),
  // kFailedPrecondition (max_tokens_per_account reached), kNotFound.
  StatusOr<NewToken> CreateToken(const std::string& person, const std::string& name);
  struct TokenUse {
    PersonalToken token;
    std::optional<TimePoint> last_used;
  };
  std::vector<TokenUse> Tokens(const std::string& person) const;
  // Errors: kNotFound (no such token of this person).
  Status RevokeToken(const std::string& actor, const std::string& person, const std::string& token_id);

  // --- Invitations ---
  struct NewInvitation {
    Invitation invitation;
    std::string link;  // the URL to accept it (also e-mailed when a mailer is set)
  };
  // Errors: kInvalidArgument (address), kAlreadyExists (an account has this
  // address); kUnavailable.
  StatusOr<NewInvitation> Invite(const std::string& actor, std::string_view email, const Access& access,
                                 const Names& names);
  // Pending, unexpired invitations, by id, after start_after; at most limit.
  StatusOr<std::vector<Invitation>> PendingInvitations(const std::string& start_after, size_t limit);
  // Errors: kNotFound.
  StatusOr<Invitation> FindInvitation(const std::string& id);
  Status RevokeInvitation(const std::string& actor, const std::string& id);
  // The invitation a link opens (for the page to show). Errors: kNotFound
  // (unknown, used, revoked or expired: one sentence for all).
  StatusOr<Invitation> PeekInvitation(std::string_view link_token);
  // Creates the account (names given override the invitation's) and signs
  // it in. Errors: kNotFound (as PeekInvitation), kAlreadyExists,
  // kInvalidArgument (password length); kUnavailable.
  StatusOr<SignedIn> AcceptInvitation(std::string_view link_token, const Names& names,
                                      std::optional<std::string> password);

  // --- Audit ---
  // Up to limit events of the audit stream from version from (>= 1).
  StatusOr<std::vector<RecordedEvent>> ReadAudit(uint64_t from, size_t limit);

  // The links of the e-mails, on options.public_url.
  std::string SignInLinkUrl(const std::string& token) const;
  std::string InvitationUrl(const std::string& token) const;

 private:
  AccountService(EventStore& store, const Clock& clock, AccountsOptions options, Mailer* mailer);
  // Reads accounts and live sessions from the store and replaces the
  // in-memory ones (a use seen in memory later than the stored one is kept).
  // REQUIRES: write_mu_ held, or no other thread yet.
  Status Load();
  // CatchUp with write_mu_ held.
  Status CatchUpLocked();
  // On a shared store, CatchUp when digest is not a key of known (a
  // session or token made on another node since this one loaded).
  template <typename Map>
  void CatchUpIfUnknown(const Map& known, const std::string& digest);

  struct AuditEvent {
    std::string type;
    Json data;
  };
  // Appends events to the audit stream with writes, as actor.
  Status Record(const std::string& actor, std::vector<AuditEvent> events, KvWrites writes);
  // Adds the writes of a new session of person (ending its oldest beyond
  // the limit); returns the session id.
  std::string NewSessionWrites(const std::string& person, KvWrites& writes, std::vector<std::string>* ended);
  StatusOr<SignedIn> StartSession(const Account& account, const std::string& method, KvWrites writes,
                                  std::vector<AuditEvent> events);
  Status CheckPassword(std::string_view password) const;
  bool SessionLive(const Session& s, TimePoint now) const;
  // In memory, after a commit. REQUIRES: mu_ held.
  void PutAccountLocked(const Account& account);
  void DropSessionsOfLocked(const std::string& person);

  EventStore& store_;
  const Clock& clock_;
  const AccountsOptions options_;
  Mailer* const mailer_;
  AccountCreatedHook on_created_;

  bool shared_ = false;  // FollowOtherNodes
  // The audit stream's version the in-memory accounts reflect at least
  // (set by Load, and by this node's appends, under write_mu_).
  std::atomic<uint64_t> audit_version_{0};
  std::mutex write_mu_;  // one change at a time (read, append, apply)
  mutable std::mutex mu_;
  std::map<std::string, Account> accounts_;
  struct TokenRef {
    std::string person, id;
  };
  std::unordered_map<std::string, TokenRef> token_by_digest_;
  std::unordered_map<std::string, Session> sessions_;  // by digest of the session id
  struct LastUse {
    TimePoint used{}, written{};
  };
  std::unordered_map<std::string, LastUse> token_use_;       // by token id
  std::unordered_map<std::string, TimePoint> seen_written_;  // session digest: last written last_seen
};

}  // namespace relais::accounts
