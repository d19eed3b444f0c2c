// PersonDirectory: the people Relais names, kept in the event store's
// key-value space under "people/<id>" as JSON (docs/programmes.md,
// "People"). A person is registered once, updated, and deactivated (never
// deleted: past events still name them by id). Assignments, project members
// and tokens keep naming people by id; the directory gives the words.
//
// Thread-safety: safe for concurrent access from multiple threads without
// any external synchronization. *store must outlive the directory.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "engine/people/person.h"
#include "engine/store/event_store.h"
#include "engine/util/status.h"

namespace relais::people {

// How many entries ByPartner reads per scan of the store.
inline constexpr size_t kPeopleScanPage = 256;

class PersonDirectory {
 public:
  explicit PersonDirectory(EventStore& store) : store_(store) {}

  // Registers id (ValidatePersonKey) with fields; email defaults to the id
  // when the id is an e-mail address. Errors: kInvalidArgument (bad id, an
  // id that is not an address and no `email`), kAlreadyExists; may return
  // some other Status on a store error.
  StatusOr<Person> Register(const std::string& id, const PersonFields& fields);
  // Changes the given fields. Errors: kNotFound; kInvalidArgument (an empty
  // email or language).
  StatusOr<Person> Update(const std::string& id, const PersonFields& fields);
  // Registers id with fields, or changes the given fields of the person
  // already registered, as writes that the caller commits (in the batch of
  // its own change: nothing is written here). Returns the person as it
  // will be stored. A change of the same person committed between this
  // call and the caller's commit is overwritten (last write wins).
  // Errors: as Register (kInvalidArgument) and Update; may return some
  // other Status on a store error.
  StatusOr<Person> StageUpsert(const std::string& id, const PersonFields& fields, KvWrites& writes);
  // Marks them inactive (idempotent). Errors: kNotFound.
  StatusOr<Person> Deactivate(const std::string& id);
  // Errors: kNotFound.
  StatusOr<Person> Get(const std::string& id);
  // Up to limit people after id start_after, by id.
  StatusOr<std::vector<Person>> List(const std::string& start_after, size_t limit);
  // Every person working for partner, by id (reads the whole directory, a
  // page of kPeopleScanPage at a time).
  StatusOr<std::vector<Person>> ByPartner(const std::string& partner);

  // The name of id for a page, a calendar or a payload: DisplayName of the
  // person in lang; an id the directory does not know (or a store error)
  // is named by the id itself. Never fails.
  std::string NameOf(const std::string& id, std::string_view lang = "fr");

 private:
  Status Put(const Person& person);

  EventStore& store_;
  std::mutex write_mu_;  // read-modify-write of one entry at a time
};

}  // namespace relais::people
