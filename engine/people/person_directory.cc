#include "engine/people/person_directory.h"

#include "engine/store/recorded_entry.h"

#include "engine/util/ids.h"
#include "engine/util/json.h"

namespace relais::people {
namespace {

constexpr std::string_view kPersonKeyPrefix = "people/";

std::string PersonKey(const std::string& id) { return std::string(kPersonKeyPrefix) + id; }

StatusOr<Person> Decode(const std::string& text) {
  auto j = ParseJson(text);
  if (!j.ok() || !j->is_object()) return Corruption("unreadable person entry");
  Person p;
  p.id = j->value("id", "");
  p.email = j->value("email", "");
  p.civility = j->value("civility", "");
  p.first_name = j->value("first_name", "");
  p.last_name = j->value("last_name", "");
  p.organisation = j->value("organisation", "");
  p.function = j->value("function", "");
  p.partner = j->value("partner", "");
  p.language = j->value("language", "fr");
  p.active = j->value("active", true);
  return p;
}

void Apply(const PersonFields& f, Person& p) {
  if (f.email) p.email = *f.email;
  if (f.civility) p.civility = *f.civility;
  if (f.first_name) p.first_name = *f.first_name;
  if (f.last_name) p.last_name = *f.last_name;
  if (f.organisation) p.organisation = *f.organisation;
  if (f.function) p.function = *f.function;
  if (f.partner) p.partner = *f.partner;
  if (f.language) p.language = *f.language;
  if (f.active) p.active = *f.active;
}

Json StoredJson(const Person& person) {
  Json j = person.ToJson();
  j.erase("display_name");  // derived, never stored
  return j;
}

void StagePut(const Person& person, KvWrites& writes) {
  writes.Put(PersonKey(person.id), DumpJson(StoredJson(person)));
}

}  // namespace

std::string PersonStream(const std::string& id) { return "person-" + id; }

Status PersonDirectory::Put(const Person& person, std::string_view type, const std::string& actor) {
  return PutRecorded(store_, PersonStream(person.id), PersonKey(person.id), StoredJson(person), type, actor);
}

StatusOr<std::vector<RecordedEvent>> PersonDirectory::History(const std::string& id, size_t limit) {
  if (!IsValidPersonId(id)) return NotFound("no person '" + id + "'");
  RELAIS_ASSIGN_OR_RETURN(auto events, RecordedHistory(store_, PersonStream(id), limit));
  if (events.empty()) return NotFound("no recorded change of person '" + id + "'");
  return events;
}

namespace {

// A person without an address is reached at their id when it is one.
Status DefaultEmail(Person& p) {
  if (!p.email.empty()) return Status::Ok();
  if (!LooksLikeEmail(p.id))
    return InvalidArgument("person " + QuoteId(p.id) + ": 'email' is required when the id is not an e-mail address");
  p.email = p.id;
  return Status::Ok();
}

}  // namespace

StatusOr<Person> PersonDirectory::StageUpsert(const std::string& id, const PersonFields& fields, KvWrites& writes) {
  RELAIS_RETURN_IF_ERROR(ValidatePersonKey(id));
  if (fields.email && fields.email->empty()) return InvalidArgument("'email' may not be empty");
  RELAIS_ASSIGN_OR_RETURN(auto existing, store_.KvGet(PersonKey(id)));
  Person p;
  if (existing) {
    RELAIS_ASSIGN_OR_RETURN(p, Decode(*existing));
  } else {
    p.id = id;
  }
  Apply(fields, p);
  RELAIS_RETURN_IF_ERROR(DefaultEmail(p));
  StagePut(p, writes);
  return p;
}

StatusOr<Person> PersonDirectory::Register(const std::string& id, const PersonFields& fields,
                                           const std::string& actor) {
  RELAIS_RETURN_IF_ERROR(ValidatePersonKey(id));
  Person p;
  p.id = id;
  Apply(fields, p);
  RELAIS_RETURN_IF_ERROR(DefaultEmail(p));
  std::lock_guard lock(write_mu_);
  RELAIS_ASSIGN_OR_RETURN(auto existing, store_.KvGet(PersonKey(id)));
  if (existing) return AlreadyExists("person '" + id + "' is already registered");
  RELAIS_RETURN_IF_ERROR(Put(p, "person_registered", actor));
  return p;
}

StatusOr<Person> PersonDirectory::Update(const std::string& id, const PersonFields& fields, const std::string& actor) {
  if (fields.email && fields.email->empty()) return InvalidArgument("'email' may not be empty");
  std::lock_guard lock(write_mu_);
  RELAIS_ASSIGN_OR_RETURN(Person p, Get(id));
  Apply(fields, p);
  RELAIS_RETURN_IF_ERROR(Put(p, "person_changed", actor));
  return p;
}

StatusOr<Person> PersonDirectory::Deactivate(const std::string& id, const std::string& actor) {
  std::lock_guard lock(write_mu_);
  RELAIS_ASSIGN_OR_RETURN(Person p, Get(id));
  if (!p.active) return p;
  p.active = false;
  RELAIS_RETURN_IF_ERROR(Put(p, "person_deactivated", actor));
  return p;
}

StatusOr<Person> PersonDirectory::Get(const std::string& id) {
  if (!IsValidPersonId(id)) return NotFound("no person '" + id + "'");
  RELAIS_ASSIGN_OR_RETURN(auto text, store_.KvGet(PersonKey(id)));
  if (!text) return NotFound("no person '" + id + "'");
  return Decode(*text);
}

StatusOr<std::vector<Person>> PersonDirectory::List(const std::string& start_after, size_t limit) {
  RELAIS_ASSIGN_OR_RETURN(auto entries, store_.KvScan(std::string(kPersonKeyPrefix),
                                                      start_after.empty() ? "" : PersonKey(start_after), limit));
  std::vector<Person> out;
  for (const KvEntry& e : entries) {
    RELAIS_ASSIGN_OR_RETURN(Person p, Decode(e.value));
    out.push_back(std::move(p));
  }
  return out;
}

StatusOr<std::vector<Person>> PersonDirectory::ByPartner(const std::string& partner) {
  std::vector<Person> out;
  std::string after;
  while (true) {
    RELAIS_ASSIGN_OR_RETURN(auto page, List(after, kPeopleScanPage));
    if (page.empty()) return out;
    after = page.back().id;
    const bool last = page.size() < kPeopleScanPage;
    for (Person& p : page)
      if (p.partner == partner) out.push_back(std::move(p));
    if (last) return out;
  }
}

std::string PersonDirectory::NameOf(const std::string& id, std::string_view lang) {
  auto person = Get(id);
  if (!person.ok()) return id;
  return DisplayName(*person, lang);
}

}  // namespace relais::people
