// The child of programme_crash_test: one process life of the programme
// runtime (programmes, projects, the webhook outbox; the dispatcher is never
// started, so every queued delivery stays in the store) with its clock set
// from the command line.
//   programme_crash_child <store-dir> <now ISO-8601> setup <programmes>
//       defines the programmes, each with a project naming the partner
//       ccas-fresnes and three élus whose reviews fall on 15 Feb, Jun, Oct;
//       gives ccas-fresnes an endpoint for reminder_sent
//   programme_crash_child <store-dir> <now ISO-8601> fire
//       prints READY, then fires what is due and prints "fired=N refused=M";
//       with RELAIS_CRASH_PAUSE_AT_APPEND=N in the environment, the N-th
//       programme append of the firing prints "PAUSED append N" and stops
//       the process (SIGSTOP) once its batch, outbox included, is built and
//       before it is committed: the parent's SIGKILL lands there
#include <cstdio>
#include <string>

#include "engine/notify/webhook_service.h"
#include "engine/programme/programme_service.h"
#include "engine/runtime/project_service.h"
#include "engine/runtime/timer_service.h"
#include "tests/testing/crash_child.h"

using namespace relais;

namespace {

using relais::testing::DieChild;

Json Definition(int p) {
  return {{"id", "prog" + std::to_string(p)},
          {"title", "Programme " + std::to_string(p)},
          {"plan_years", {2027, 2028, 2029}},
          {"axes", {{{"id", "1"}}, {{"id", "2A"}}, {{"id", "3"}}}},
          {"actions", {{{"id", "action-" + std::to_string(p)}, {"axis", "2A"}}}},
          {"reviews", {{"months", {2, 6, 10}}, {"day", 15}}}};
}

}  // namespace

int main(int argc, char** argv) {
  auto child = relais::testing::OpenChildRuntime(argc, argv, "<store-dir> <now> setup <n> | fire",
                                                 std::string(RELAIS_SOURCE_DIR) + "/workflows");
  RocksDbEventStore& store = *child.store;
  const Clock& clock = *child.clock;
  runtime::ProjectService projects(store, *child.registry, clock);
  programme::ProgrammeService programmes(store, clock);
  auto webhooks = notify::WebhookService::Create(store, clock, notify::WebhookOptions{});
  if (!webhooks.ok()) DieChild(webhooks.status().ToString());
  (*webhooks)->Attach(projects);  // wired as relais serve wires it (engine/cli/runtime_host.cc)
  (*webhooks)->Attach(programmes);
  // Hooks run in the order added: this one sees the batch the outbox filled.
  relais::testing::PausePoint pause("RELAIS_CRASH_PAUSE_AT_APPEND", "append");
  programmes.AddAppendHook([&pause](const programme::ProgrammeAppend&, KvWrites&) {
    pause.Reach();
    return Status::Ok();
  });

  const std::string& mode = child.mode;
  if (mode == "setup") {
    const int n = argc > 4 ? std::stoi(argv[4]) : 1;
    notify::EndpointFields endpoint;
    endpoint.url = "http://127.0.0.1:9/hook";
    endpoint.event_types = std::vector<std::string>{"reminder_sent"};
    if (auto e = (*webhooks)->endpoints().Create("ccas-fresnes", endpoint); !e.ok()) DieChild(e.status().ToString());
    for (int p = 0; p < n; ++p) {
      auto def = programme::ProgrammeDefinition::FromJson(Definition(p));
      if (!def.ok()) DieChild(def.status().ToString());
      if (auto d = programmes.Define(*def, "person:test"); !d.ok()) DieChild(d.status().ToString());
      runtime::CreateRequest req;
      req.info.id = "action-" + std::to_string(p);
      req.info.title = "Action " + std::to_string(p);
      req.info.programme = def->id;
      req.info.axis = "2A";
      req.info.partners = {"ccas-fresnes"};
      req.info.workflow = "cbe_action";
      req.actor = {"person:test", {"coordinator"}};
      auto created = projects.Create(std::move(req));
      if (!created.ok() || created->refusal) DieChild("create the project of " + def->id);
      for (const char* axis : {"1", "2A", "3"}) {
        // Each programme its own élus: one élu's reviews across many
        // programmes would not fit the slots of a day (review placement).
        programme::AssignRequest a{"person:elu-" + std::to_string(p) + "-" + axis, "elu_referent", axis,
                                   calendar::CivilDate{2027, 1, 1}, calendar::CivilDate{2029, 12, 31}};
        if (auto r = programmes.Assign(def->id, a, "person:test"); !r.ok()) DieChild(r.status().ToString());
      }
    }
    std::printf("setup=%d\n", n);
    return 0;
  }
  if (mode == "fire") {
    runtime::TimerService timers(store, projects, clock);
    timers.RouteFires(std::string(programme::kFiresPrefix),
                      [&](const std::vector<runtime::DueTimer>& due) { return programmes.FireTimers(due); });
    return relais::testing::FireDueAndReport(timers);
  }
  DieChild("unknown mode " + mode);
}
