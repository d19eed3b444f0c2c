// EmailPreferences: what each person wants by e-mail, per programme:
// every notice at once (immediate, the default), one digest a working day,
// or nothing. Kept under email/pref/<person>/<programme> ("-" for projects
// outside any programme). See docs/email.md.
//
// Thread-safety: safe from any thread. *store must outlive it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "engine/store/event_store.h"

namespace relais::email {

enum class Delivery { kImmediate, kDigest, kNone };

std::string_view ToString(Delivery d);
// "immediate", "digest", "none"; nullopt otherwise.
std::optional<Delivery> ParseDelivery(std::string_view text);

// The key part of a programme ("-" for none).
std::string ProgrammeKey(std::string_view programme);

class EmailPreferences {
 public:
  explicit EmailPreferences(EventStore& store) : store_(store) {}

  // The person's choice for programme (kImmediate when never set). Errors: the store's.
  StatusOr<Delivery> Get(const std::string& person, const std::string& programme) const;
  // Every programme the person chose for, programme -> choice. Errors: the store's.
  StatusOr<std::map<std::string, Delivery>> All(const std::string& person) const;
  // Adds the choice to writes (committed by the caller).
  static void Put(const std::string& person, const std::string& programme, Delivery choice, KvWrites& writes);
  // Sets the choice now (synced). Errors: the store's.
  Status Set(const std::string& person, const std::string& programme, Delivery choice);

 private:
  EventStore& store_;
};

}  // namespace relais::email
