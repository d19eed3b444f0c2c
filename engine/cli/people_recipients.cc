#include "engine/cli/people_recipients.h"

#include <set>

namespace relais::cli {

namespace {

std::optional<email::Recipient> RecipientOf(const people::Person& p) {
  if (!p.active || p.email.empty()) return std::nullopt;
  return email::Recipient{p.id, p.email, people::DisplayName(p, p.language), p.language};
}

}  // namespace

StatusOr<std::vector<email::Recipient>> PeopleRecipients::OfPartners(const std::vector<std::string>& partners) {
  std::vector<email::Recipient> out;
  std::set<std::string> seen;
  for (const std::string& partner : partners) {
    RELAIS_ASSIGN_OR_RETURN(std::vector<people::Person> staff, people_.ByPartner(partner));
    for (const people::Person& p : staff)
      if (auto r = RecipientOf(p); r && seen.insert(r->id).second) out.push_back(std::move(*r));
  }
  return out;
}

StatusOr<std::optional<email::Recipient>> PeopleRecipients::Person(const std::string& id) {
  RELAIS_ASSIGN_OR_RETURN(auto person, Profile(id));
  if (!person) return std::optional<email::Recipient>();
  return RecipientOf(*person);
}

StatusOr<std::optional<people::Person>> PeopleRecipients::Profile(const std::string& id) {
  // An unknown or malformed id is nobody, not an error.
  auto person = people_.Get(id);
  if (!person.ok()) {
    if (person.status().code() == StatusCode::kNotFound || person.status().code() == StatusCode::kInvalidArgument)
      return std::optional<people::Person>();
    return person.status();
  }
  return std::optional<people::Person>(std::move(*person));
}

}  // namespace relais::cli
