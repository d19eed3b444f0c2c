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
#include "engine/runtime/workflow_registry.h"
#include "engine/store/rocksdb_event_store.h"
#include "engine/util/time_format.h"

using namespace relais;

namespace {

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "timer_process_child: %s\n", what.c_str());
  std::exit(1);
}

void Run(runtime::ProjectService& projects, const std::string& id, const std::string& type, Json data,
         const std::string& role = "coordinator") {
  runtime::CommandRequest req;
  req.project_id = id;
  req.event_type = type;
  req.data = std::move(data);
  req.actor = {"person:test", {role}};
  auto out = projects.Execute(std::move(req));
  if (!out.ok()) Die(type + ": " + out.status().ToString());
  if (out->refusal) Die(type + " refused: " + out->refusal->message);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) Die("usage: <store-dir> <now> setup <n> | fire");
  auto now = ParseIso8601(argv[2]);
  if (!now.ok()) Die(now.status().ToString());
  ManualClock clock(*now);
  RocksDbStoreOptions options;
  options.path = argv[1];
  options.clock = &clock;
  auto store = RocksDbEventStore::Open(options);
  if (!store.ok()) Die(store.status().ToString());
  runtime::WorkflowRegistry registry(**store);
  if (Status s = registry.LoadPersisted(); !s.ok()) Die(s.ToString());
  if (Status s = registry.DeployDirectory(std::string(RELAIS_SOURCE_DIR) + "/workflows"); !s.ok()) Die(s.ToString());
  runtime::ProjectService projects(**store, registry, clock);
  std::string mode = argv[3];
  if (mode == "setup") {
    int n = argc > 4 ? std::stoi(argv[4]) : 1;
    for (int i = 0; i < n; ++i) {
      std::string id = "p" + std::to_string(i);
      runtime::CreateRequest req;
      req.info.id = id;
      req.info.workflow = "cbe_action";
      req.actor = {"person:test", {"coordinator"}};
      auto out = projects.Create(std::move(req));
      if (!out.ok() || out->refusal) Die("create " + id);
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
    runtime::TimerService timers(**store, projects, clock);
    std::printf("READY\n");
    std::fflush(stdout);
    auto report = timers.FireDue();
    if (!report.ok()) Die(report.status().ToString());
    std::printf("fired=%zu refused=%zu\n", report->fired, report->refused);
    return 0;
  }
  Die("unknown mode " + mode);
}
