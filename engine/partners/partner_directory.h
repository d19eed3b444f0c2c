// PartnerDirectory: the partners (CCAS, ANPE, AFPA, villes...) projects name
// by id, kept in the event store's key-value space under "partners/<id>" as
// JSON. A partner is registered once, updated, and deactivated (never
// deleted: past events still name it).
//
// Thread-safety: safe for concurrent access from multiple threads without
// any external synchronization. *store must outlive the directory.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/store/event_store.h"
#include "engine/util/json.h"
#include "engine/util/status.h"

namespace relais::partners {

struct Partner {
  std::string id;       // 1-64 of [A-Za-z0-9._-], like project ids
  std::string name;     // display name (required)
  std::string kind;     // free text: "ccas", "association"... (may be empty)
  std::string contact;  // free text (may be empty)
  bool active = true;

  Json ToJson() const;
};

// The editable fields of a partner, as a request body gives them.
struct PartnerFields {
  std::optional<std::string> name, kind, contact;
  // Reads {name, kind, contact} strings. kInvalidArgument on other members or types.
  static StatusOr<PartnerFields> FromJson(const Json& body);
};

// "partner-<id>": the stream of a partner's changes.
std::string PartnerStream(const std::string& id);

class PartnerDirectory {
 public:
  explicit PartnerDirectory(EventStore& store) : store_(store) {}

  // Each change is also an event of the partner's stream (PartnerStream:
  // partner_registered, partner_changed, partner_deactivated, data: the
  // entry after it) by actor, in the same batch (store/recorded_entry.h).
  // Errors: kInvalidArgument (bad id, missing name), kAlreadyExists; kUnavailable.
  StatusOr<Partner> Register(const std::string& id, const PartnerFields& fields, const std::string& actor = "system");
  // Changes the given fields. Errors: kNotFound; kInvalidArgument (empty name).
  StatusOr<Partner> Update(const std::string& id, const PartnerFields& fields, const std::string& actor = "system");
  // Marks it inactive (idempotent: nothing recorded when it already is). Errors: kNotFound.
  StatusOr<Partner> Deactivate(const std::string& id, const std::string& actor = "system");
  // Its changes, oldest first (at most limit). Errors: kNotFound when it has none.
  StatusOr<std::vector<RecordedEvent>> History(const std::string& id, size_t limit);
  // Errors: kNotFound.
  StatusOr<Partner> Get(const std::string& id);
  // Up to limit partners after id start_after, by id.
  StatusOr<std::vector<Partner>> List(const std::string& start_after, size_t limit);

 private:
  Status Put(const Partner& partner, std::string_view type, const std::string& actor);

  EventStore& store_;
  std::mutex write_mu_;  // read-modify-write of one entry at a time
};

}  // namespace relais::partners
