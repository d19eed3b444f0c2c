#include "engine/people/people_lookup.h"

namespace relais::people {

const Person* PeopleLookup::Find(const std::string& id) {
  auto it = seen_.find(id);
  if (it == seen_.end()) {
    auto person = directory_.Get(id);
    it = seen_.emplace(id, person.ok() ? std::optional<Person>(std::move(person).value()) : std::nullopt).first;
  }
  return it->second ? &*it->second : nullptr;
}

std::string PeopleLookup::NameOf(const std::string& id, std::string_view lang) {
  const Person* person = Find(id);
  return person ? DisplayName(*person, lang) : id;
}

}  // namespace relais::people
