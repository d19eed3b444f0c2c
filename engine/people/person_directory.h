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

// "person-<id>": the stream of a person's changes.
std::string PersonStream(const std::string& id);

class PersonDirectory {
 public:
  explicit PersonDirectory(EventStore& store) : store_(store) {}

  // Registers id (ValidatePersonKey) with fields; email defaults to the id
  // when the id is an e-mail address. Errors: kInvalidArgument (bad id, an
  // id that is not an address and no `email`), kAlreadyExists; may return
  // some other Status on a store error.
  // Each change by Register, Update and Deactivate is also an event of the
  // person's stream (PersonStream: person_registered, person_changed,
  // person_deactivated, data: the entry after it) by actor, in the same
  // batch (store/recorded_entry.h). StageUpsert records none: its caller's
  // own event (an accepted invitation in the audit stream) tells it.
  StatusOr<Person> Register(const std::string& id, const PersonFields& fields, const std::string& actor = "system");
  // Changes the given fields. Errors: kNotFound; kInvalidArgument (an empty
  // email or language).
  StatusOr<Person> Update(const std::string& id, const PersonFields& fields, const std::string& actor = "system");
  // Registers id with fields, or changes the given fields of the person
  // already registered, as writes that the caller commits (in the batch of
  // its own change: nothing is written here). Returns the person as it
  // will be stored. A change of the same person committed between this
  // call and the caller's commit is overwritten (last write wins).
  // Errors: as Register (kInvalidArgument) and Update; may return some
  // other Status on a store error.
  StatusOr<Person> StageUpsert(const std::string& id, const PersonFields& fields, KvWrites& writes);
  // Marks them inactive (idempotent). Errors: kNotFound.
  StatusOr<Person> Deactivate(const std::string& id, const std::string& actor = "system");
  // Their recorded changes, oldest first (at most limit). Errors: kNotFound
  // when none is recorded (registered before changes were recorded, or by an
  // accepted invitation).
  StatusOr<std::vector<RecordedEvent>> History(const std::string& id, size_t limit);
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
  Status Put(const Person& person, std::string_view type, const std::string& actor);

  EventStore& store_;
  std::mutex write_mu_;  // read-modify-write of one entry at a time
};

}  // namespace relais::people
