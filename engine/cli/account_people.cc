#include "engine/cli/account_people.h"

namespace relais::cli {

void AccountPeople::Attach(accounts::AccountService& accounts) {
  accounts.SetAccountCreatedHook(
      [this](const accounts::Account& account, KvWrites& writes) { return OnAccountCreated(account, writes); });
}

Status AccountPeople::OnAccountCreated(const accounts::Account& account, KvWrites& writes) {
  // Through the directory's own reading of fields, so its limits and checks
  // apply as they do to the people routes.
  Json given = {{"email", account.person}, {"active", true}};
  if (!account.names.civility.empty()) given["civility"] = account.names.civility;
  if (!account.names.first_name.empty()) given["first_name"] = account.names.first_name;
  if (!account.names.last_name.empty()) given["last_name"] = account.names.last_name;
  if (!account.access.partner.empty()) given["partner"] = account.access.partner;
  auto fields = people::PersonFields::FromJson(given);
  if (!fields.ok()) return fields.status().WithContext("recording " + account.person + " in the people directory");
  auto person = people_.StageUpsert(account.person, *fields, writes);
  if (!person.ok()) return person.status().WithContext("recording " + account.person + " in the people directory");
  return Status::Ok();
}

}  // namespace relais::cli
