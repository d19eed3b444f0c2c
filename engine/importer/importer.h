// Import: writes an ImportSet through the same services and checks as the
// API: the partner directory, the people directory, the webhook endpoint registry (with the SSRF
// guard's check of each URL), the ProgrammeService (definition, then
// assignments) and the ProjectService (each action created in its initial
// phase). See docs/import.md.
//
// Who imports is a Principal, and the Authorizer decides each write as it
// does for the API (a partner to register, an endpoint, the programme's
// definition and assignments, each action): a refusal is a problem of the
// pre-write list, and nothing is written.
//
// Idempotent: ids are deterministic (partner, programme and project ids from
// the files, endpoint ids name-based, project creation with a fixed
// idempotency key), and what already exists is compared first: identical is
// "present" and skipped; different is a difference, reported, never
// overwritten. Everything is checked before the first write: a set with
// problems or differences writes nothing.
//
// Thread-safety: call from one thread; the services it writes through are
// thread-safe.
#pragma once

#include <string>
#include <vector>

#include "engine/access/authorizer.h"
#include "engine/importer/import_set.h"
#include "engine/notify/webhook_service.h"
#include "engine/partners/partner_directory.h"
#include "engine/people/person_directory.h"
#include "engine/programme/programme_service.h"
#include "engine/runtime/project_index.h"
#include "engine/runtime/project_service.h"
#include "engine/runtime/workflow_registry.h"

namespace relais::importer {

// The services an import writes through. All must outlive the call.
struct ImportTargets {
  runtime::WorkflowRegistry& registry;
  runtime::ProjectService& projects;
  programme::ProgrammeService& programmes;
  notify::WebhookService& webhooks;
  partners::PartnerDirectory& partners;
  const runtime::ProjectIndex& index;  // the programmes a partner acts in, for the Authorizer
  // Where people.json's entries go; null: a set with people.json is refused.
  people::PersonDirectory* people = nullptr;
};

struct KindCount {
  std::string kind;    // "partners", "people", "webhook endpoints", "programme", "assignments", "projects"
  size_t created = 0;  // with dry_run: would be created
  size_t present = 0;  // already in the store, identical
};

struct ImportReport {
  std::vector<KindCount> kinds;  // in the order they are written
  bool dry_run = false;
  // A relative plan (import.json): its years as placed, and by how many
  // years they moved from the files. A re-import keeps the placement of the
  // programme already stored (a later year does not move a living plan).
  bool plan_relative = false;
  std::vector<int> plan_years;
  int plan_shift_years = 0;
};

// Imports set as who (its subject is recorded as the actor of every event).
// dry_run: checks and counts, writes nothing.
// Errors: kInvalidArgument (the files name what the store does not have: an
// unknown workflow, an initial phase or a planned-year key the workflow does
// not have, a URL the SSRF guard refuses; or who may not make one of the
// writes: "may not ..., outside its scope" or the Authorizer's reason), kFailedPrecondition (something in
// the store differs from the files), every problem listed one per line,
// nothing written; a refusal or store error while writing (the writes before
// it stay; importing again completes the rest); may return some other Status.
StatusOr<ImportReport> Import(const ImportSet& set, ImportTargets& targets, const access::Principal& who, bool dry_run);

// One line per kind: "projects: 22 created, 0 already present"; a relative
// plan adds where its years were placed.
std::string FormatReport(const ImportReport& report);

}  // namespace relais::importer
