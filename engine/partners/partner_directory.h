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

class PartnerDirectory {
 public:
  explicit PartnerDirectory(EventStore& store) : store_(store) {}

  // Errors: kInvalidArgument (bad id, missing name), kAlreadyExists; kUnavailable.
  StatusOr<Partner> Register(const std::string& id, const PartnerFields& fields);
  // Changes the given fields. Errors: kNotFound; kInvalidArgument (empty name).
  StatusOr<Partner> Update(const std::string& id, const PartnerFields& fields);
  // Marks it inactive (idempotent). Errors: kNotFound.
  StatusOr<Partner> Deactivate(const std::string& id);
  // Errors: kNotFound.
  StatusOr<Partner> Get(const std::string& id);
  // Up to limit partners after id start_after, by id.
  StatusOr<std::vector<Partner>> List(const std::string& start_after, size_t limit);

 private:
  Status Put(const Partner& partner);

  EventStore& store_;
  std::mutex write_mu_;  // read-modify-write of one entry at a time
};

}  // namespace relais::partners
