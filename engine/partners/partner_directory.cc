#include "engine/partners/partner_directory.h"

#include "engine/runtime/project.h"
#include "engine/store/recorded_entry.h"
#include "engine/util/ids.h"

namespace relais::partners {
namespace {

constexpr std::string_view kPartnerKeyPrefix = "partners/";
constexpr size_t kMaxFieldBytes = 1024;

std::string PartnerKey(const std::string& id) { return std::string(kPartnerKeyPrefix) + id; }

StatusOr<Partner> Decode(const std::string& text) {
  auto j = ParseJson(text);
  if (!j.ok() || !j->is_object()) return Corruption("unreadable partner entry");
  Partner p;
  p.id = j->value("id", "");
  p.name = j->value("name", "");
  p.kind = j->value("kind", "");
  p.contact = j->value("contact", "");
  p.active = j->value("active", true);
  return p;
}

}  // namespace

Json Partner::ToJson() const {
  return {{"id", id}, {"name", name}, {"kind", kind}, {"contact", contact}, {"active", active}};
}

StatusOr<PartnerFields> PartnerFields::FromJson(const Json& body) {
  if (!body.is_object()) return InvalidArgument("the body must be a JSON object");
  PartnerFields f;
  for (const auto& [key, value] : body.items()) {
    std::optional<std::string>* field = key == "name"      ? &f.name
                                        : key == "kind"    ? &f.kind
                                        : key == "contact" ? &f.contact
                                                           : nullptr;
    if (key == "id") continue;  // given by the path or checked by the caller
    if (!field) return InvalidArgument("unknown member '" + key + "'; known: id, name, kind, contact");
    if (!value.is_string()) return InvalidArgument("'" + key + "' must be a string");
    if (value.get_ref<const std::string&>().size() > kMaxFieldBytes)
      return InvalidArgument("'" + key + "' is longer than " + std::to_string(kMaxFieldBytes) + " bytes");
    *field = value.get<std::string>();
  }
  return f;
}

std::string PartnerStream(const std::string& id) { return "partner-" + id; }

Status PartnerDirectory::Put(const Partner& partner, std::string_view type, const std::string& actor) {
  return PutRecorded(store_, PartnerStream(partner.id), PartnerKey(partner.id), partner.ToJson(), type, actor);
}

StatusOr<std::vector<RecordedEvent>> PartnerDirectory::History(const std::string& id, size_t limit) {
  if (!IsValidId(id)) return NotFound("no partner '" + id + "'");
  RELAIS_ASSIGN_OR_RETURN(auto events, RecordedHistory(store_, PartnerStream(id), limit));
  if (events.empty()) return NotFound("no recorded change of partner '" + id + "'");
  return events;
}

StatusOr<Partner> PartnerDirectory::Register(const std::string& id, const PartnerFields& fields,
                                             const std::string& actor) {
  RELAIS_RETURN_IF_ERROR(ValidateId("partner id", id));
  if (!fields.name || fields.name->empty()) return InvalidArgument("a partner needs a non-empty 'name'");
  std::lock_guard lock(write_mu_);
  RELAIS_ASSIGN_OR_RETURN(auto existing, store_.KvGet(PartnerKey(id)));
  if (existing) return AlreadyExists("partner '" + id + "' is already registered");
  Partner p{id, *fields.name, fields.kind.value_or(""), fields.contact.value_or(""), true};
  RELAIS_RETURN_IF_ERROR(Put(p, "partner_registered", actor));
  return p;
}

StatusOr<Partner> PartnerDirectory::Update(const std::string& id, const PartnerFields& fields,
                                           const std::string& actor) {
  if (fields.name && fields.name->empty()) return InvalidArgument("'name' may not be empty");
  std::lock_guard lock(write_mu_);
  RELAIS_ASSIGN_OR_RETURN(Partner p, Get(id));
  if (fields.name) p.name = *fields.name;
  if (fields.kind) p.kind = *fields.kind;
  if (fields.contact) p.contact = *fields.contact;
  RELAIS_RETURN_IF_ERROR(Put(p, "partner_changed", actor));
  return p;
}

StatusOr<Partner> PartnerDirectory::Deactivate(const std::string& id, const std::string& actor) {
  std::lock_guard lock(write_mu_);
  RELAIS_ASSIGN_OR_RETURN(Partner p, Get(id));
  if (!p.active) return p;
  p.active = false;
  RELAIS_RETURN_IF_ERROR(Put(p, "partner_deactivated", actor));
  return p;
}

StatusOr<Partner> PartnerDirectory::Get(const std::string& id) {
  if (!IsValidId(id)) return NotFound("no partner '" + id + "'");
  RELAIS_ASSIGN_OR_RETURN(auto text, store_.KvGet(PartnerKey(id)));
  if (!text) return NotFound("no partner '" + id + "'");
  return Decode(*text);
}

StatusOr<std::vector<Partner>> PartnerDirectory::List(const std::string& start_after, size_t limit) {
  RELAIS_ASSIGN_OR_RETURN(auto entries, store_.KvScan(std::string(kPartnerKeyPrefix),
                                                      start_after.empty() ? "" : PartnerKey(start_after), limit));
  std::vector<Partner> out;
  for (const KvEntry& e : entries) {
    RELAIS_ASSIGN_OR_RETURN(Partner p, Decode(e.value));
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace relais::partners
