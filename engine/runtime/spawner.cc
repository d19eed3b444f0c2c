#include "engine/runtime/spawner.h"

namespace relais::runtime {

Status Spawner::RunPending(size_t* created, size_t* left) {
  std::lock_guard serial(run_mu_);
  *created = 0;
  *left = 0;
  std::string after;
  while (true) {
    RELAIS_ASSIGN_OR_RETURN(auto page, store_.KvScan(std::string(kSpawnPendingPrefix), after, options_.page));
    for (const KvEntry& entry : page) {
      RELAIS_ASSIGN_OR_RETURN(bool done, CreateOne(entry, created));
      if (!done) ++*left;
    }
    if (page.size() < options_.page) return Status::Ok();
    after = page.back().key;
  }
}

StatusOr<bool> Spawner::CreateOne(const KvEntry& entry, size_t* created) {
  auto parsed = ParseJson(entry.value);
  auto spawn = parsed.ok() && parsed->is_object() && parsed->contains("spawn")
                   ? workflow::SpawnEffect::FromJson((*parsed)["spawn"])
                   : StatusOr<workflow::SpawnEffect>(Corruption("malformed pending spawn"));
  if (!spawn.ok()) {
    if (log_)
      log_->Error("spawn entry unreadable, left in place", {{"key", entry.key}, {"cause", spawn.status().ToString()}});
    return false;
  }
  const Json& p = *parsed;
  CreateRequest request;
  request.info.id = spawn->project_id;
  request.info.title = spawn->title;
  request.info.programme = p.value("programme", "");
  request.info.partners = p.value("partners", std::vector<std::string>{});
  request.info.workflow = spawn->workflow;
  request.info.origin = {p.value("parent", ""), spawn->link, p.value("event", "")};
  request.create.initial_phase = spawn->phase;
  request.create.fields = spawn->fields;
  request.actor.subject = p.value("actor", "");
  request.actor.roles = {std::string(workflow::kSystemRole)};
  // The key makes the creation's event ids derive from the project: a second
  // run after a crash finds them stored and writes nothing.
  request.idempotency_key = "spawn";
  auto outcome = projects_.Create(std::move(request));
  Status failure = outcome.ok() ? Status::Ok() : outcome.status();
  if (outcome.ok() && outcome->refusal) failure = FailedPrecondition(outcome->refusal->message);
  if (!failure.ok()) {
    if (failure.code() == StatusCode::kUnavailable) return failure;
    if (log_)
      log_->Error("a spawned project could not be created; retried later",
                  {{"project", spawn->project_id}, {"workflow", spawn->workflow}, {"cause", failure.ToString()}});
    return false;
  }
  if (!outcome->deduplicated) ++*created;
  KvWrites done;
  done.Delete(entry.key);
  RELAIS_RETURN_IF_ERROR(store_.KvWrite(done));
  return true;
}

}  // namespace relais::runtime
