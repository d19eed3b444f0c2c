// Recipients: the people e-mail goes to, as the e-mail unit needs them (an
// address, the name to greet them by, their language). The directory of
// people (engine/people) answers through PeopleRecipients; the e-mail unit
// only knows this interface.
//
// Thread-safety: implementations are safe for concurrent calls.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "engine/people/person.h"
#include "engine/util/status.h"

namespace relais::email {

struct Recipient {
  std::string id;               // the person id (preferences and digests are kept by it)
  std::string address;          // where e-mail goes
  std::string name;             // the display name ("Mme Nadia Benali")
  std::string language = "fr";  // fr | en
};

class RecipientDirectory {
 public:
  virtual ~RecipientDirectory() = default;
  // The active people working for one of partners, each once, by id.
  // Errors: the store's.
  virtual StatusOr<std::vector<Recipient>> OfPartners(const std::vector<std::string>& partners) = 0;
  // The active person id names, or nullopt (unknown, inactive, no address).
  // Errors: the store's.
  virtual StatusOr<std::optional<Recipient>> Person(const std::string& id) = 0;
  // The person's names as the directory keeps them (civility, first and
  // last name), to name them in a meeting's title as the pages and the
  // feed do; nullopt when the directory does not know them (the title then
  // names the role only). Errors: the store's.
  virtual StatusOr<std::optional<people::Person>> Profile(const std::string& id) {
    (void)id;
    return std::optional<people::Person>();
  }
};

}  // namespace relais::email
