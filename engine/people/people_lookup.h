// PeopleLookup: the people one answer names (a page, a feed, a payload),
// read from the directory once each and kept for the lookup's life, so that
// naming the same élu on forty reviews reads the store once.
//
// Thread-safety: not thread-safe; one per request. *directory must outlive it.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "engine/people/person_directory.h"

namespace relais::people {

class PeopleLookup {
 public:
  explicit PeopleLookup(PersonDirectory& directory) : directory_(directory) {}

  // The person id names, or null when the directory does not know them (or
  // cannot be read). The pointer stays valid for the lookup's life.
  const Person* Find(const std::string& id);
  // Their display name in lang; an unknown id is named by the id itself.
  std::string NameOf(const std::string& id, std::string_view lang = "fr");

 private:
  PersonDirectory& directory_;
  std::map<std::string, std::optional<Person>> seen_;
};

}  // namespace relais::people
