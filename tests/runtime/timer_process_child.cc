// The child of timer_process_test: one process life of a Relais runtime with
// its clock set from the command line.
//   timer_process_child <store-dir> <now ISO-8601> setup <projects>
//       creates the projects and brings each to portage (arms the 12-month follow-up)
//   timer_process_child <store-dir> <now ISO-8601> fire
//       prints READY, then fires what is due and prints "fired=N refused=M"
#include <cstdio>
#include <string>

#include "engine/runtime/project_service.h"
#include "engine/runtime/timer_service.h"
#include "tests/testing/crash_child.h"

using namespace relais;

namespace {

using relais::testing::DieChild;

void Run(runtime::ProjectService& projects, const std::string& id, const std::string& type, Json data,
         const std::string& role = "coordinator") {
  runtime::CommandRequest req;
  req.project_id = id;
  req.event_type = type;
  req.data = std::move(data);
  req.actor = {"person:test", {role}};
  auto out = projects.Execute(std::move(req));
  if (!out.ok()) DieChild(type + ": " + out.status().ToString());
  if (out->refusal) DieChild(type + " refused: " + out->refusal->message);
}

}  // namespace

int main(int argc, char** argv) {
  auto child = relais::testing::OpenChildRuntime(argc, argv, "<store-dir> <now> setup <n> | fire",
                                                 std::string(RELAIS_SOURCE_DIR) + "/workflows");
  RocksDbEventStore& store = *child.store;
  runtime::ProjectService projects(store, *child.registry, *child.clock);
  const std::string& mode = child.mode;
  if (mode == "setup") {
    int n = argc > 4 ? std::stoi(argv[4]) : 1;
    for (int i = 0; i < n; ++i) {
      std::string id = "p" + std::to_string(i);
      runtime::CreateRequest req;
      req.info.id = id;
      req.info.workflow = "cbe_action";
      req.actor = {"person:test", {"coordinator"}};
      auto out = projects.Create(std::move(req));
      if (!out.ok() || out->refusal) DieChild("create " + id);
      Run(projects, id, "mobilisation_avancee", {{"volet", "partenaires"}, {"etape", "mobilises"}});
      Run(projects, id, "etude_lancee", Json::object());
      Run(projects, id, "porteur_identifie", {{"nom", "Asso"}, {"nature", "association"}});
      Run(projects, id, "verdict_faisabilite", {{"verdict", "positif"}}, "elu");
      Run(projects, id, "convention_signee", {{"intitule", "C"}, {"signataires", {"CBE"}}});
      Run(projects, id, "activite_demarree", {{"date", "2004-09-01"}});
    }
    std::printf("setup=%d\n", n);
    return 0;
  }
  if (mode == "fire") {
    runtime::TimerService timers(store, projects, *child.clock);
    return relais::testing::FireDueAndReport(timers);
  }
  DieChild("unknown mode " + mode);
}
