// AccountPeople: keeps the people directory (engine/people) in step with
// accounts: the account an accepted invitation creates registers the person
// of the same id (the lower-cased e-mail address), or updates the person
// already registered, with the names given, the address and the
// invitation's partner, so that e-mail to that partner's people reaches
// them (PeopleRecipients). The person's record is written in the batch
// that creates the account: both commit, or neither (a refused record
// leaves the invitation pending).
//
// Thread-safety: safe for concurrent calls (the directory reads the store).
// store must outlive the instance, and the instance the AccountService it
// is attached to.
#pragma once

#include "engine/accounts/account_service.h"
#include "engine/people/person_directory.h"

namespace relais::cli {

class AccountPeople {
 public:
  explicit AccountPeople(EventStore& store) : people_(store) {}

  // Installs OnAccountCreated as accounts' AccountCreatedHook.
  void Attach(accounts::AccountService& accounts);

  // Adds to writes the person's record for account: id and email the
  // account's person; civility, first and last name when given (an empty
  // one keeps what the directory has); partner when the account has one;
  // active. Errors: kInvalidArgument naming the field the directory refuses
  // (e.g. a first name longer than people::kMaxNameBytes); may return some
  // other Status on a store error.
  Status OnAccountCreated(const accounts::Account& account, KvWrites& writes);

 private:
  people::PersonDirectory people_;
};

}  // namespace relais::cli
