// A runtime over one store kind, with a ManualClock and the repository's
// workflows deployed, plus helpers that drive a CBE action through its phases.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "engine/runtime/project_index.h"
#include "engine/runtime/project_service.h"
#include "engine/runtime/timer_service.h"
#include "engine/runtime/workflow_registry.h"
#include "engine/util/time_format.h"
#include "tests/store/store_factory.h"

namespace relais::runtime::testing {

inline const Actor kCoordinator{"person:claire.dumas", {"coordinator"}};
inline const Actor kElu{"person:marc.lefort", {"elu"}};
inline const Json kPorteur = {{"nom", "Association Services Sud"}, {"nature", "association"}};

inline TimePoint T(const char* iso) { return *ParseIso8601(iso); }

// A RocksDB store in `path` stamping events with `clock`; fails the test if it cannot open.
inline std::unique_ptr<RocksDbEventStore> OpenRocksStore(const std::string& path, const Clock& clock) {
  RocksDbStoreOptions options;
  options.path = path;
  options.clock = &clock;
  auto store = RocksDbEventStore::Open(options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(store).value() : nullptr;
}

struct Runtime {
  explicit Runtime(EventStore& s, const Clock& clock, RuntimeOptions options = {})
      : store(s), registry(s), projects(s, registry, clock, options), timers(s, projects, clock) {
    Status loaded = registry.LoadPersisted();
    EXPECT_TRUE(loaded.ok()) << loaded;
    Status deployed = registry.DeployDirectory(std::string(RELAIS_SOURCE_DIR) + "/workflows");
    EXPECT_TRUE(deployed.ok()) << deployed;
  }
  EventStore& store;
  WorkflowRegistry registry;
  ProjectService projects;
  TimerService timers;

  CommandOutcome Create(const std::string& id, std::string axis = "2A", std::map<std::string, int> planned = {}) {
    CreateRequest req;
    req.info.id = id;
    req.info.title = "Action " + id;
    req.info.programme = "sud-val-de-marnais";
    req.info.axis = axis;
    req.info.partners = {"ccas-fresnes", "anpe-orly"};
    req.info.planned_years = std::move(planned);
    req.info.workflow = "cbe_action";
    req.actor = kCoordinator;
    auto out = projects.Create(std::move(req));
    EXPECT_TRUE(out.ok()) << out.status();
    EXPECT_FALSE(out.ok() && out->refusal) << out->refusal->message;
    return out.ok() ? *out : CommandOutcome{};
  }

  StatusOr<CommandOutcome> Fire(const std::string& id, const std::string& type, Json data = Json::object(),
                                const Actor& actor = kCoordinator, std::string key = "") {
    CommandRequest req;
    req.project_id = id;
    req.event_type = type;
    req.data = std::move(data);
    req.actor = actor;
    req.idempotency_key = std::move(key);
    return projects.Execute(std::move(req));
  }

  // Asserts the command was accepted.
  void Accept(const std::string& id, const std::string& type, Json data = Json::object(),
              const Actor& actor = kCoordinator) {
    auto out = Fire(id, type, std::move(data), actor);
    ASSERT_TRUE(out.ok()) << type << ": " << out.status();
    ASSERT_FALSE(out->refusal) << type << ": " << out->refusal->message;
  }

  void ToEtude(const std::string& id) {
    Accept(id, "mobilisation_avancee", {{"volet", "partenaires"}, {"etape", "mobilises"}});
    Accept(id, "etude_lancee");
  }
  void ToPortage(const std::string& id) {
    ToEtude(id);
    Accept(id, "porteur_identifie", kPorteur);
    Accept(id, "verdict_faisabilite", {{"verdict", "positif"}}, kElu);
    Accept(id, "convention_signee", {{"intitule", "Convention CG94"}, {"signataires", {"CG94", "CBE"}}});
    Accept(id, "activite_demarree", {{"date", "2004-09-01"}});
  }

  // How many events of `type` the project's stream holds.
  size_t Count(const std::string& id, const std::string& type) {
    auto events = store.ReadStream(ProjectStream(id), 1, 100000);
    EXPECT_TRUE(events.ok());
    size_t n = 0;
    for (const auto& e : *events) n += e.type == type;
    return n;
  }
};

}  // namespace relais::runtime::testing
