#include "engine/people/person.h"

#include <algorithm>

#include "engine/util/ids.h"

namespace relais::people {
namespace {

constexpr std::string_view kKnownMembers =
    "id, email, civility, first_name, last_name, organisation, function, partner, language, active";

size_t LimitOf(std::string_view key) {
  if (key == "first_name" || key == "last_name") return kMaxNameBytes;
  if (key == "email") return kMaxEmailBytes;
  return kMaxTextBytes;
}

bool HasControl(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; });
}

Status CheckValue(std::string_view key, const std::string& value) {
  if (key == "civility" && !value.empty() && value != "Mme" && value != "M.")
    return InvalidArgument("'civility': expected \"Mme\", \"M.\" or \"\", got \"" + value + "\"");
  if (key == "language" && value != "fr" && value != "en")
    return InvalidArgument("'language': expected \"fr\" or \"en\", got \"" + value + "\"");
  if (key == "email" && !value.empty() && !LooksLikeEmail(value))
    return InvalidArgument("'email': expected an e-mail address (name@domain.example), got \"" + value + "\"");
  if (key == "partner" && !value.empty()) return ValidateId("'partner' (a partner id)", value);
  if (HasControl(value)) return InvalidArgument("'" + std::string(key) + "' may not contain control characters");
  return Status::Ok();
}

}  // namespace

Json Person::ToJson() const {
  return {{"id", id},
          {"email", email},
          {"civility", civility},
          {"first_name", first_name},
          {"last_name", last_name},
          {"organisation", organisation},
          {"function", function},
          {"partner", partner},
          {"language", language},
          {"active", active},
          {"display_name", DisplayName(*this)}};
}

StatusOr<PersonFields> PersonFields::FromJson(const Json& body) {
  if (!body.is_object()) return InvalidArgument("the body must be a JSON object");
  PersonFields f;
  for (const auto& [key, value] : body.items()) {
    if (key == "id" || key == "display_name") continue;  // the path's, or derived
    if (key == "active") {
      if (!value.is_boolean()) return InvalidArgument("'active' must be true or false");
      f.active = value.get<bool>();
      continue;
    }
    std::optional<std::string>* field = key == "email"          ? &f.email
                                        : key == "civility"     ? &f.civility
                                        : key == "first_name"   ? &f.first_name
                                        : key == "last_name"    ? &f.last_name
                                        : key == "organisation" ? &f.organisation
                                        : key == "function"     ? &f.function
                                        : key == "partner"      ? &f.partner
                                        : key == "language"     ? &f.language
                                                                : nullptr;
    if (!field) return InvalidArgument("unknown member '" + key + "'; known: " + std::string(kKnownMembers));
    if (!value.is_string()) return InvalidArgument("'" + key + "' must be a string");
    const std::string& text = value.get_ref<const std::string&>();
    if (text.size() > LimitOf(key))
      return InvalidArgument("'" + key + "' is longer than " + std::to_string(LimitOf(key)) + " bytes");
    RELAIS_RETURN_IF_ERROR(CheckValue(key, text));
    *field = text;
  }
  return f;
}

Status ValidatePersonKey(std::string_view id) {
  RELAIS_RETURN_IF_ERROR(ValidatePersonId("person id", id));
  if (std::any_of(id.begin(), id.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
    return InvalidArgument("person id " + QuoteId(id) + ": expected lower case (the e-mail address in lower case)");
  return Status::Ok();
}

bool LooksLikeEmail(std::string_view text) {
  const size_t at = text.find('@');
  if (at == std::string_view::npos || at == 0 || text.find('@', at + 1) != std::string_view::npos) return false;
  const std::string_view domain = text.substr(at + 1);
  const size_t dot = domain.find('.');
  if (dot == std::string_view::npos || dot == 0 || domain.back() == '.') return false;
  return std::none_of(text.begin(), text.end(),
                      [](char c) { return c == ' ' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

std::string DisplayName(const Person& person, std::string_view lang) {
  std::string name = person.first_name;
  if (!person.last_name.empty()) name += (name.empty() ? "" : " ") + person.last_name;
  if (name.empty()) {
    const size_t at = person.id.find('@');
    std::string local = person.id.substr(0, at);
    return local.empty() ? person.id : local;
  }
  std::string civility = person.civility;
  if (lang == "en") civility = civility == "Mme" ? "Ms" : civility == "M." ? "Mr" : civility;
  return civility.empty() ? name : civility + " " + name;
}

std::string PersonOfSubject(std::string_view subject) {
  constexpr std::string_view kPerson = "person:";
  return std::string(subject.starts_with(kPerson) ? subject.substr(kPerson.size()) : subject);
}

}  // namespace relais::people
