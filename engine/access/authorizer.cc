#include "engine/access/authorizer.h"

#include <algorithm>

namespace relais::access {
namespace {

bool IsAdmin(const Principal& who) { return who.HasRole(kRoleAdmin); }
bool IsCoordinator(const Principal& who) { return who.HasRole(kRoleCoordinator); }
bool IsManager(const Principal& who) { return IsAdmin(who) || IsCoordinator(who); }
// An admin, or a coordinator of every programme.
bool IsUnscopedManager(const Principal& who) { return IsAdmin(who) || (IsCoordinator(who) && who.programmes.empty()); }

Decision Neither() { return {Access::kNeither, ""}; }
Decision Visible(std::string reason) { return {Access::kVisible, std::move(reason)}; }
Decision MayAct() { return {Access::kMayAct, ""}; }

bool CoversAny(const Principal& who, const std::set<std::string>& programmes) {
  return std::any_of(programmes.begin(), programmes.end(),
                     [&](const std::string& p) { return Authorizer::Covers(who, p); });
}

// Whether who takes part in the project: one of its partners or members.
bool TakesPart(const Principal& who, const runtime::ProjectInfo& info) {
  return (who.HasRole(kRolePartner) && !who.partner.empty() &&
          std::find(info.partners.begin(), info.partners.end(), who.partner) != info.partners.end()) ||
         info.HasMember(who.subject);
}

Decision DecideProject(const Principal& who, const runtime::ProjectInfo& info, const runtime::ProjectInfo* parent,
                       Verb verb) {
  const bool visible = IsAdmin(who) || who.HasRole(kRoleObserver) ||
                       (IsCoordinator(who) && Authorizer::Covers(who, info.programme)) || TakesPart(who, info) ||
                       (parent != nullptr && info.inherit_visibility && TakesPart(who, *parent));
  if (!visible) return Neither();
  switch (verb) {
    case Verb::kRead: return MayAct();
    case Verb::kRecord: return who.IsReadOnly() ? Visible("observers may only read") : MayAct();
    case Verb::kCreate:
    case Verb::kManage:
      if (!who.IsReadOnly() && IsManager(who) && Authorizer::Covers(who, info.programme)) return MayAct();
      return Visible("only the programme's coordinators and admins change a project's members and partners");
  }
  return Neither();
}

Decision DecideNewProject(const Principal& who, const std::string& programme) {
  if (who.IsReadOnly()) return Visible("observers may only read");
  if (IsCoordinator(who) && !IsAdmin(who) && !Authorizer::Covers(who, programme))
    return Visible("programme '" + programme + "' is not one of yours");
  // Which other roles may start an action is the workflow's rule.
  return MayAct();
}

Decision DecideProgramme(const Principal& who, const ProgrammeResource& p, Verb verb) {
  const bool manages = !who.IsReadOnly() && IsManager(who) && Authorizer::Covers(who, p.id);
  if (verb == Verb::kCreate) {
    return manages ? MayAct() : Visible("only coordinators of programme '" + p.id + "' and admins define it");
  }
  const bool visible = IsAdmin(who) || who.HasRole(kRoleObserver) ||
                       (IsCoordinator(who) && Authorizer::Covers(who, p.id)) || p.people.count(who.subject) > 0;
  if (!visible) return Neither();
  if (verb == Verb::kRead) return MayAct();
  return manages ? MayAct() : Visible("only the programme's coordinators and admins change it");
}

// A partner's own things (its directory entry's changes, its endpoints):
// the partner itself, admins and coordinators of every programme; a
// coordinator limited to programmes only while the partner acts in no
// programme but theirs.
Decision DecidePartnerOwned(const Principal& who, const std::string& partner, const std::set<std::string>& programmes,
                            const char* what) {
  if (who.HasRole(kRolePartner) && !who.partner.empty() && who.partner == partner) return MayAct();
  if (IsUnscopedManager(who)) return MayAct();
  if (IsCoordinator(who) && !who.IsReadOnly()) {
    if (Authorizer::CoversAll(who, programmes)) return MayAct();
    if (CoversAny(who, programmes))
      return Visible(std::string("partner '") + partner + "' also takes part in actions of programmes that are not " +
                     "yours; its " + what +
                     " are managed by an admin, a coordinator of every programme or the partner");
  }
  return Neither();
}

Decision DecidePartner(const Principal& who, const PartnerResource& p, Verb verb) {
  if (verb == Verb::kRead) return MayAct();  // the directory names organisations, not their actions
  if (who.IsReadOnly() || !IsManager(who)) return Visible("only coordinators and admins register or change partners");
  if (verb == Verb::kCreate) return MayAct();
  Decision d = DecidePartnerOwned(who, p.id, p.programmes, "details");
  // The partner is in the directory, so it is never hidden.
  if (d.access == Access::kNeither)
    return Visible("partner '" + p.id + "' takes part in actions of programmes that are not yours");
  return d;
}

Decision DecideEndpoint(const Principal& who, const EndpointResource& e) {
  if (e.partner.empty()) {  // the collection: who may use webhooks at all
    if ((who.HasRole(kRolePartner) && !who.partner.empty()) || (IsManager(who) && !who.IsReadOnly())) return MayAct();
    return Visible("only partners, coordinators and admins manage webhooks");
  }
  return DecidePartnerOwned(who, e.partner, e.programmes, "webhook endpoints");
}

Decision DecidePersonFeed(const Principal& who, const PersonFeedResource& f) {
  if (who.subject == f.person) return MayAct();
  if (who.IsReadOnly()) return who.HasRole(kRoleObserver) ? Visible("observers may only read") : Neither();
  if (IsUnscopedManager(who)) return MayAct();
  if (IsCoordinator(who)) {
    if (Authorizer::CoversAll(who, f.programmes)) return MayAct();
    if (CoversAny(who, f.programmes)) return Visible("'" + f.person + "' also serves in programmes that are not yours");
  }
  return Neither();
}

// The directory names the people every page shows: every caller reads it.
// Coordinators and admins register people; a person changes their own entry;
// a coordinator limited to programmes changes those serving in theirs only.
Decision DecidePerson(const Principal& who, const PersonResource& p, Verb verb) {
  if (verb == Verb::kRead) return MayAct();
  if (who.IsReadOnly()) return Visible("observers may only read");
  if (verb == Verb::kManage && !p.id.empty() && who.subject == p.id) return MayAct();
  if (!IsManager(who)) return Visible("only coordinators and admins register or change people");
  if (verb == Verb::kCreate || IsUnscopedManager(who) || Authorizer::CoversAll(who, p.programmes)) return MayAct();
  return Visible("'" + p.id + "' serves in programmes that are not yours; an admin or a coordinator of every " +
                 "programme changes their entry");
}

Decision DecideWorkflow(const Principal& who, Verb verb) {
  if (verb == Verb::kRead) return MayAct();
  if (!who.IsReadOnly() && IsManager(who)) return MayAct();
  return Visible("only coordinators and admins validate or deploy workflow files");
}

// Accounts and invitations: admins for all; coordinators for accounts
// wholly within their programmes, never the admin role; a coordinator
// limited to programmes must name programmes (an empty list would mean all)
// and may give the partner role only for a partner acting in theirs alone.
Decision DecideAccount(const Principal& who, const AccountResource& a, Verb verb) {
  if (IsAdmin(who)) return MayAct();
  if (!IsCoordinator(who) || who.IsReadOnly()) return Visible("only coordinators and admins manage accounts");
  if (a.person.empty()) return MayAct();  // the collection: each item is decided on its own
  std::string outside;                    // why the account is not within who's programmes
  if (IsUnscopedManager(who)) {
  } else if (a.programmes.empty()) {
    outside = "name the programmes of the account: yours are limited, so an empty list (every programme) is not";
  } else if (!Authorizer::CoversAll(who, a.programmes)) {
    outside = "the account names programmes that are not yours";
  } else if (a.roles.count(std::string(kRolePartner)) && !Authorizer::CoversAll(who, a.partner_programmes)) {
    outside = "the partner of this account also takes part in actions of programmes that are not yours";
  }
  if (verb == Verb::kRead) return outside.empty() && !a.roles.count(std::string(kRoleAdmin)) ? MayAct() : Neither();
  if (a.roles.count(std::string(kRoleAdmin))) return Visible("only admins give or change the admin role");
  if (!outside.empty()) return Visible(outside);
  return MayAct();
}

Decision DecideAudit(const Principal& who) {
  if (IsAdmin(who)) return MayAct();
  return Visible("only admins read the audit of access changes");
}

Decision DecideEmailQueue(const Principal& who) {
  if (IsAdmin(who)) return MayAct();
  return Visible("only admins read the e-mail outbox and replay its dead letters");
}

}  // namespace

bool Authorizer::Covers(const Principal& who, std::string_view programme) {
  if (IsAdmin(who)) return true;
  if (!IsCoordinator(who)) return false;
  return who.programmes.empty() ||
         std::find(who.programmes.begin(), who.programmes.end(), programme) != who.programmes.end();
}

bool Authorizer::ReadsProgrammesOf(const Principal& who) { return IsCoordinator(who) && !IsUnscopedManager(who); }

bool Authorizer::CoversAll(const Principal& who, const std::set<std::string>& programmes) {
  return std::all_of(programmes.begin(), programmes.end(), [&](const std::string& p) { return Covers(who, p); });
}

Decision Authorizer::Decide(const Principal& who, const Resource& resource, Verb verb) const {
  struct Visitor {
    const Principal& who;
    Verb verb;
    Decision operator()(const ProjectResource& r) const { return DecideProject(who, r.info, r.parent, verb); }
    Decision operator()(const NewProjectResource& r) const { return DecideNewProject(who, r.programme); }
    Decision operator()(const ProgrammeResource& r) const { return DecideProgramme(who, r, verb); }
    Decision operator()(const PartnerResource& r) const { return DecidePartner(who, r, verb); }
    Decision operator()(const EndpointResource& r) const { return DecideEndpoint(who, r); }
    Decision operator()(const PersonFeedResource& r) const { return DecidePersonFeed(who, r); }
    Decision operator()(const PersonResource& r) const { return DecidePerson(who, r, verb); }
    Decision operator()(const WorkflowResource&) const { return DecideWorkflow(who, verb); }
    Decision operator()(const AccountResource& r) const { return DecideAccount(who, r, verb); }
    Decision operator()(const AuditResource&) const { return DecideAudit(who); }
    Decision operator()(const EmailQueueResource&) const { return DecideEmailQueue(who); }
  };
  return std::visit(Visitor{who, verb}, resource);
}

}  // namespace relais::access
