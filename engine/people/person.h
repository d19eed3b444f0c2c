// Person: someone Relais names (a coordinator, an élu, a référent, a
// partner's contact), with the words that name them and their contact
// address. The id is the lower-cased e-mail address that assignments,
// project members, feed tokens and bearer tokens already use, so existing
// data keeps working; `email` is contact data (it defaults to the id) and is
// never shown as a name.
//
// Thread-safety: plain values; functions are pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "engine/util/json.h"
#include "engine/util/status.h"

namespace relais::people {

// Limits of a person's fields (bytes of UTF-8).
inline constexpr size_t kMaxNameBytes = 128;   // first_name, last_name
inline constexpr size_t kMaxTextBytes = 256;   // organisation, function
inline constexpr size_t kMaxEmailBytes = 254;  // RFC 5321's path limit

struct Person {
  std::string id;
  std::string email;
  std::string civility;  // "Mme", "M." or ""
  std::string first_name, last_name, organisation, function;
  std::string partner;          // partner id the person works for, may be empty
  std::string language = "fr";  // fr|en
  bool active = true;

  Json ToJson() const;
};

// The editable fields of a person, as a request body gives them (every one
// optional: a PATCH changes only those given).
struct PersonFields {
  std::optional<std::string> email, civility, first_name, last_name, organisation, function, partner, language;
  std::optional<bool> active;
  // Reads the members above (strings; `active` a boolean) and ignores `id`.
  // kInvalidArgument naming the member: an unknown member, a wrong type, a
  // value too long, a civility other than "Mme"/"M."/"", a language other
  // than fr/en, an e-mail address that is not one, a bad partner id.
  static StatusOr<PersonFields> FromJson(const Json& body);
};

// Checks a person id: a valid person id (util/ids.h) in lower case.
// kInvalidArgument naming "person id" and what is expected otherwise.
Status ValidatePersonKey(std::string_view id);

// Whether text looks like an e-mail address: one '@', a non-empty local part
// and a domain with a dot, no spaces or control characters.
bool LooksLikeEmail(std::string_view text);

// The name a page shows: "Mme Nadia Benali"; in English the civility reads
// "Ms"/"Mr". Without first and last name: the id's local part
// ("nadia.benali" for "nadia.benali@ville.example"), never the address.
std::string DisplayName(const Person& person, std::string_view lang = "fr");

// The person an actor or token subject names: "person:claire.dumas" ->
// "claire.dumas"; other subjects ("system:lateness") as they are.
std::string PersonOfSubject(std::string_view subject);

}  // namespace relais::people
