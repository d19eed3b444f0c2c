// PeopleRecipients: the directory of people (engine/people) as the e-mail
// unit's RecipientDirectory: who works for a partner, and where a person's
// e-mail goes and by what name they are greeted. Inactive people and people
// without an address receive nothing.
//
// Thread-safety: safe for concurrent calls (the directory reads the store).
#pragma once

#include "engine/email/recipients.h"
#include "engine/people/person_directory.h"

namespace relais::cli {

class PeopleRecipients : public email::RecipientDirectory {
 public:
  explicit PeopleRecipients(EventStore& store) : people_(store) {}

  StatusOr<std::vector<email::Recipient>> OfPartners(const std::vector<std::string>& partners) override;
  StatusOr<std::optional<email::Recipient>> Person(const std::string& id) override;
  StatusOr<std::optional<people::Person>> Profile(const std::string& id) override;

 private:
  people::PersonDirectory people_;
};

}  // namespace relais::cli
