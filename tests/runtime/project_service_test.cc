// ProjectService on every store: commands through the CBE workflow, refusals,
// idempotency, optimistic concurrency, snapshots, migration.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include "engine/runtime/late_sweep.h"
#include "engine/store/memory_event_store.h"
#include "tests/runtime/runtime_fixture.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace relais::runtime {
namespace {

using relais::testing::IsOk;
using relais::testing::StatusIs;
using ::testing::HasSubstr;
using testing::kCoordinator;
using testing::kElu;
using testing::kPorteur;
using testing::T;

class ProjectServiceTest : public ::testing::TestWithParam<relais::testing::StoreKind> {
 protected:
  ProjectServiceTest() : clock_(T("2003-02-03T09:00:00Z")), sut_(GetParam().make(clock_)) {}
  EventStore& store() { return sut_->store(); }

  ManualClock clock_;
  std::unique_ptr<relais::testing::StoreUnderTest> sut_;
};

TEST_P(ProjectServiceTest, CreateRegistersTheProjectAndEntersTheFirstPhase) {
  testing::Runtime rt(store(), clock_);
  auto out = rt.Create("aide-domicile", "2A", {{"etude", 2003}, {"montage", 2004}});
  ASSERT_EQ(out.events.size(), 2u);
  EXPECT_EQ(out.events[0].type, "project_registered");
  EXPECT_EQ(out.events[1].type, "project_created");
  EXPECT_EQ(out.events[0].metadata.actor, "person:claire.dumas");
  EXPECT_EQ(out.phase, "mobilisation");
  EXPECT_EQ(out.version, 2u);
  auto project = rt.projects.Load("aide-domicile");
  ASSERT_THAT(project, IsOk());
  EXPECT_EQ(project->state.phase, "mobilisation");
  EXPECT_EQ(project->version, 2u);
  EXPECT_EQ(project->info.axis, "2A");
  EXPECT_EQ(project->info.workflow_hash, rt.registry.Current("cbe_action")->content_hash);
  EXPECT_EQ(project->created_at, clock_.Now());
  auto history = rt.projects.LoadFromHistory("aide-domicile");
  ASSERT_THAT(history, IsOk());
  EXPECT_EQ(history->ToJson(), project->ToJson()) << "the cached fold equals the replayed one";
}

TEST_P(ProjectServiceTest, CommandsFoldTheCachedProjectInPlaceAsAReplayWould) {
  testing::Runtime rt(store(), clock_);
  rt.Create("p1", "3", {{"mobilisation", 2003}});
  Json before_json;
  ASSERT_THAT(rt.projects.Read("p1", [&](const Project& p) { before_json = p.ToJson(); }), IsOk());
  for (int i = 0; i < 5; ++i)
    ASSERT_THAT(rt.Fire("p1", "indicateur_enregistre", {{"indicateur", "autre"}, {"valeur", i}}), IsOk());
  rt.ToEtude("p1");
  Project cached = *rt.projects.Load("p1");
  EXPECT_EQ(cached.state.phase, "etude");
  EXPECT_EQ(cached.state.fields["indicateurs"].size(), 5u) << "each indicator appended once";
  EXPECT_EQ(rt.projects.LoadFromHistory("p1")->ToJson(), cached.ToJson());
  EXPECT_NE(before_json, cached.ToJson());
}

TEST_P(ProjectServiceTest, CreationErrorsSayWhat) {
  testing::Runtime rt(store(), clock_);
  rt.Create("p1");
  CreateRequest again;
  again.info.id = "p1";
  again.info.workflow = "cbe_action";
  again.actor = kCoordinator;
  EXPECT_THAT(rt.projects.Create(again), StatusIs(StatusCode::kAlreadyExists, HasSubstr("already exists")));
  again.info.id = "p2";
  again.info.workflow = "nope";
  EXPECT_THAT(rt.projects.Create(again), StatusIs(StatusCode::kNotFound, HasSubstr("no workflow named 'nope'")));
  again.info.id = "bad id!";
  EXPECT_THAT(rt.projects.Create(again),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("project id 'bad id!': expected")));
  EXPECT_THAT(rt.projects.Load("ghost"), StatusIs(StatusCode::kNotFound));
}

TEST_P(ProjectServiceTest, TheCbeMethodEndToEnd) {
  testing::Runtime rt(store(), clock_);
  rt.Create("garde-enfants", "2B");
  rt.ToPortage("garde-enfants");
  auto p = rt.projects.Load("garde-enfants");
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(p->state.phase, "portage");
  EXPECT_EQ(p->state.fields["porteur"], kPorteur);
  auto pending = rt.timers.PendingFor("garde-enfants");
  ASSERT_THAT(pending, IsOk());
  std::map<std::string, TimePoint> due;
  for (const auto& t : *pending) due[t.timer_id] = t.due;
  ASSERT_EQ(due.size(), 2u);
  EXPECT_EQ(due["suivi_premiere_annee"], T("2004-02-03T09:00:00Z")) << "12 months after the start of activity";
  EXPECT_EQ(due["point_elu"], T("2003-06-03T09:00:00Z")) << "every 4 months from creation";
  rt.Accept("garde-enfants", "action_transmise");
  EXPECT_EQ(rt.projects.Load("garde-enfants")->state.phase, "transmise");
  EXPECT_TRUE(rt.timers.PendingFor("garde-enfants")->empty()) << "a terminal phase ends every timer";
}

TEST_P(ProjectServiceTest, RefusalsSayWhyAndWriteNothing) {
  testing::Runtime rt(store(), clock_);
  rt.Create("p1");
  rt.ToEtude("p1");
  uint64_t before = store().LastPosition();
  auto no_porteur = rt.Fire("p1", "montage_demarre");
  ASSERT_THAT(no_porteur, IsOk());
  ASSERT_TRUE(no_porteur->refusal);
  EXPECT_EQ(workflow::RefusalCodeName(no_porteur->refusal->code), "guard_failed");
  auto wrong_role = rt.Fire("p1", "etude_lancee", Json::object(), {"partner:anpe", {"partner"}});
  ASSERT_TRUE(wrong_role->refusal);
  auto unknown = rt.Fire("p1", "fait_inconnu");
  ASSERT_TRUE(unknown->refusal);
  EXPECT_EQ(workflow::RefusalCodeName(unknown->refusal->code), "unknown_event_type");
  auto bad_data = rt.Fire("p1", "porteur_identifie", {{"nom", ""}, {"nature", "association"}});
  ASSERT_TRUE(bad_data->refusal);
  EXPECT_EQ(workflow::RefusalCodeName(bad_data->refusal->code), "invalid_data");
  EXPECT_EQ(store().LastPosition(), before);
  EXPECT_EQ(rt.projects.Load("p1")->state.phase, "etude");
}

TEST_P(ProjectServiceTest, AnIdempotencyKeyReturnsTheFirstOutcome) {
  testing::Runtime rt(store(), clock_);
  rt.Create("p1");
  Json data = {{"partenaire", "AFPA"}};
  auto first = rt.Fire("p1", "partenaire_rejoint", data, kCoordinator, "req-42");
  ASSERT_THAT(first, IsOk());
  ASSERT_FALSE(first->refusal);
  rt.Accept("p1", "indicateur_enregistre", {{"indicateur", "autre"}, {"valeur", 1}});  // the project moves on
  uint64_t position = store().LastPosition();
  auto again = rt.Fire("p1", "partenaire_rejoint", data, kCoordinator, "req-42");
  ASSERT_THAT(again, IsOk());
  EXPECT_TRUE(again->deduplicated);
  ASSERT_EQ(again->events.size(), 1u);
  EXPECT_EQ(again->events[0].event_id, first->events[0].event_id);
  EXPECT_EQ(store().LastPosition(), position) << "nothing appended twice";
  EXPECT_EQ(rt.Count("p1", "partenaire_rejoint"), 1u);
  // A key is scoped to its project: the same key elsewhere is a new command.
  rt.Create("p2");
  EXPECT_THAT(rt.Fire("p2", "partenaire_rejoint", data, kCoordinator, "req-42"), IsOk());
}

TEST_P(ProjectServiceTest, ExpectedVersionMismatchIsAConflictWithTheActualVersion) {
  testing::Runtime rt(store(), clock_);
  rt.Create("p1");
  CommandRequest req;
  req.project_id = "p1";
  req.event_type = "partenaire_rejoint";
  req.data = {{"partenaire", "AFPA"}};
  req.actor = kCoordinator;
  req.expected_version = 1;
  auto r = rt.projects.Execute(req);
  EXPECT_THAT(r, StatusIs(StatusCode::kVersionConflict));
  EXPECT_EQ(r.status().actual_version(), 2u);
  req.expected_version = 2;
  EXPECT_THAT(rt.projects.Execute(req), IsOk());
}

TEST_P(ProjectServiceTest, ConcurrentCommandsOnOneProjectAllLand) {
  testing::Runtime rt(store(), clock_);
  rt.Create("busy");
  constexpr int kThreads = 8, kEach = 15;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i) {
        auto out = rt.Fire("busy", "indicateur_enregistre", {{"indicateur", "autre"}, {"valeur", t * 100 + i}});
        ASSERT_THAT(out, IsOk());
        ASSERT_FALSE(out->refusal);
      }
    });
  for (auto& th : threads) th.join();
  auto p = rt.projects.Load("busy");
  EXPECT_EQ(p->version, 2u + kThreads * kEach);
  EXPECT_EQ(p->state.fields["indicateurs"].size(), size_t{kThreads * kEach});
  EXPECT_EQ(rt.projects.LoadFromHistory("busy")->ToJson(), p->ToJson());
}

// ExecuteAsync from one thread that never waits: the commands on a project
// queue on its lock without threads, each is answered once, in the order
// sent, and what was folded equals the history; refusals and conflicts
// among them are answered without holding the project.
TEST_P(ProjectServiceTest, AsynchronousCommandsQueueOnTheirProjectAndAreAnsweredOnceInOrder) {
  testing::Runtime rt(store(), clock_);
  rt.Create("busy");
  rt.Create("calm");
  constexpr int kCommands = 300;
  std::mutex mu;
  std::condition_variable all_done;
  std::vector<int> answered(kCommands, 0);
  std::vector<int> busy_order;
  int done = 0, refused = 0, conflicts = 0;
  for (int i = 0; i < kCommands; ++i) {
    CommandRequest req;
    req.project_id = i % 3 == 2 ? "calm" : "busy";
    req.event_type = "indicateur_enregistre";
    req.data = {{"indicateur", "autre"}, {"valeur", i}};
    req.actor = kCoordinator;
    if (i % 50 == 7) req.actor = kElu;                    // not allowed: refused
    if (i % 50 == 9) req.expected_version = uint64_t{1};  // long past: a conflict
    rt.projects.ExecuteAsync(std::move(req), [&, i](StatusOr<CommandOutcome> out) {
      std::lock_guard lock(mu);
      ++answered[i];
      if (!out.ok()) {
        EXPECT_EQ(out.status().code(), StatusCode::kVersionConflict) << out.status();
        ++conflicts;
      } else if (out->refusal) {
        ++refused;
      } else if (i % 3 != 2) {
        busy_order.push_back(i);
      }
      if (++done == kCommands) all_done.notify_all();
    });
  }
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(all_done.wait_for(lock, std::chrono::seconds(60), [&] { return done == kCommands; }));
  }
  EXPECT_EQ(std::count(answered.begin(), answered.end(), 1), kCommands) << "each answered exactly once";
  EXPECT_EQ(refused, 6);
  EXPECT_EQ(conflicts, 6);
  std::vector<int> sent;
  for (int i = 0; i < kCommands; ++i)
    if (i % 3 != 2 && i % 50 != 7 && i % 50 != 9) sent.push_back(i);
  EXPECT_EQ(busy_order, sent) << "answered in the order sent";
  auto busy = rt.projects.Load("busy");
  ASSERT_THAT(busy, IsOk());
  EXPECT_EQ(busy->version, 2u + sent.size());
  std::vector<int> folded;
  for (const Json& entry : busy->state.fields["indicateurs"]) folded.push_back(entry["valeur"].get<int>());
  EXPECT_EQ(folded, sent) << "folded in the order sent";
  EXPECT_EQ(rt.projects.LoadFromHistory("busy")->ToJson(), busy->ToJson());
  EXPECT_EQ(rt.projects.LoadFromHistory("calm")->ToJson(), rt.projects.Load("calm")->ToJson());
}

// The service's destructor waits for the asynchronous commands in flight:
// each is answered, and the store holds exactly those answered as recorded.
TEST_P(ProjectServiceTest, DestroyingTheServiceAnswersTheCommandsInFlightFirst) {
  std::atomic<int> recorded{0}, answered{0};
  {
    testing::Runtime rt(store(), clock_);
    rt.Create("busy");
    for (int i = 0; i < 100; ++i) {
      CommandRequest req;
      req.project_id = "busy";
      req.event_type = "indicateur_enregistre";
      req.data = {{"indicateur", "autre"}, {"valeur", i}};
      req.actor = kCoordinator;
      rt.projects.ExecuteAsync(std::move(req), [&](StatusOr<CommandOutcome> out) {
        if (out.ok() && !out->refusal) recorded.fetch_add(1);
        answered.fetch_add(1);
      });
    }
  }
  EXPECT_EQ(answered.load(), 100);
  EXPECT_EQ(recorded.load(), 100);
  auto version = store().StreamVersion(ProjectStream("busy"));
  ASSERT_THAT(version, IsOk());
  EXPECT_EQ(*version, 102u);
}

TEST_P(ProjectServiceTest, SnapshotsShortenLoadsAndMatchHistory) {
  RuntimeOptions options;
  options.snapshot_every = 5;
  {
    testing::Runtime rt(store(), clock_, options);
    rt.Create("long");
    for (int i = 0; i < 23; ++i) {
      clock_.Advance(std::chrono::hours(1));
      rt.Accept("long", "indicateur_enregistre", {{"indicateur", "emplois_crees"}, {"valeur", i}});
    }
  }
  auto snapshot = store().LoadSnapshot(ProjectStream("long"));
  ASSERT_TRUE(snapshot.ok() && snapshot->has_value());
  EXPECT_GE((*snapshot)->version, 20u);
  testing::Runtime fresh(store(), clock_, options);  // empty cache: loads snapshot + newer events
  auto loaded = fresh.projects.Load("long");
  ASSERT_THAT(loaded, IsOk());
  EXPECT_EQ(loaded->version, 25u);
  EXPECT_EQ(loaded->ToJson(), fresh.projects.LoadFromHistory("long")->ToJson());
}

TEST_P(ProjectServiceTest, MigrationMovesAProjectToANewVersionWithAPhaseMapping) {
  testing::Runtime rt(store(), clock_);
  rt.Create("p1");
  rt.ToEtude("p1");
  std::string old_hash = rt.projects.Load("p1")->info.workflow_hash;
  std::string source = rt.registry.SourceOf(old_hash);
  auto at = source.find("version: 1");
  ASSERT_NE(at, std::string::npos);
  source.replace(at, 10, "version: 2");
  auto v2 = rt.registry.Deploy(source, "cbe-v2.yaml");
  ASSERT_THAT(v2, IsOk());
  std::string new_hash = v2->definition->content_hash;
  ASSERT_NE(new_hash, old_hash);
  EXPECT_EQ(rt.projects.Load("p1")->info.workflow_hash, old_hash) << "a project stays on its version";
  EXPECT_THAT(rt.projects.Migrate("p1", new_hash, {{"etude", "nulle_part"}}, kCoordinator),
              StatusIs(StatusCode::kInvalidArgument));
  auto moved = rt.projects.Migrate("p1", new_hash, {{"etude", "mobilisation"}}, kCoordinator);
  ASSERT_THAT(moved, IsOk());
  EXPECT_EQ(moved->phase, "mobilisation");
  EXPECT_EQ(rt.projects.Load("p1")->info.workflow_hash, new_hash);
  EXPECT_EQ(rt.projects.Load("p1")->state.phase, "mobilisation");
  EXPECT_EQ(rt.projects.LoadFromHistory("p1")->ToJson(), rt.projects.Load("p1")->ToJson());
}

TEST_P(ProjectServiceTest, EventsStaySmallWhileAListFieldGrows) {
  testing::Runtime rt(store(), clock_);
  rt.Create("p1");
  for (int i = 0; i < 300; ++i)
    rt.Accept("p1", "indicateur_enregistre", {{"indicateur", "personnes_placees"}, {"valeur", i}});
  auto events = store().ReadStream(ProjectStream("p1"), 3, 1000);
  ASSERT_EQ(events->size(), 300u);
  for (const auto& e : *events) ASSERT_LT(e.data_json.size(), 200u) << "event " << e.version << ": " << e.data_json;
  EXPECT_EQ(events->back().Data()["effects"]["append"]["indicateurs"].size(), 1u);
  auto p = rt.projects.LoadFromHistory("p1");
  ASSERT_THAT(p, IsOk());
  EXPECT_EQ(p->state.fields["indicateurs"].size(), 300u);
  EXPECT_EQ(p->state.fields["indicateurs"][299]["valeur"], 299);
}

INSTANTIATE_TEST_SUITE_P(AllStores, ProjectServiceTest,
                         ::testing::ValuesIn(relais::testing::AllStoreKindsWithPostgres()),
                         [](const auto& p) { return p.param.name; });

}  // namespace
}  // namespace relais::runtime

namespace relais::runtime {
namespace {

class LatenessTest : public ::testing::Test {
 protected:
  LatenessTest() : clock_(T("2003-02-03T09:00:00Z")), store_(clock_), rt_(store_, clock_) {}
  // RecordLate's answer, or a failure message.
  ::testing::AssertionResult Recorded(const std::string& id, bool expected) {
    auto r = rt_.projects.RecordLate(id, clock_.Now());
    if (!r.ok()) return ::testing::AssertionFailure() << r.status();
    if (*r != expected) return ::testing::AssertionFailure() << "RecordLate answered " << *r;
    return ::testing::AssertionSuccess();
  }
  size_t LateEvents(const std::string& id) {
    auto events = store_.ReadStream(ProjectStream(id), 1, 1000);
    EXPECT_THAT(events, IsOk());
    return std::count_if(events->begin(), events->end(), [](const RecordedEvent& e) { return e.type == kProjectLate; });
  }
  ManualClock clock_;
  MemoryEventStore store_;
  testing::Runtime rt_;
};

TEST_F(LatenessTest, ALateProjectGetsItsEventOnceByRecordLate) {
  rt_.Create("p1", "3", {{"mobilisation", 2003}});
  EXPECT_TRUE(Recorded("p1", false)) << "2003 is its planned year";
  clock_.Set(T("2004-01-05T09:00:00Z"));
  EXPECT_TRUE(Recorded("p1", true));
  EXPECT_TRUE(Recorded("p1", false)) << "once per stay in the phase";
  EXPECT_EQ(LateEvents("p1"), 1u);
  auto history = rt_.projects.LoadFromHistory("p1");
  ASSERT_THAT(history, IsOk());
  EXPECT_EQ(history->ToJson(), rt_.projects.Load("p1")->ToJson()) << "the event folds as a replay does";
  EXPECT_THAT(rt_.projects.RecordLate("nobody", clock_.Now()), StatusIs(StatusCode::kNotFound));
}

// A phase entered after its planned year is late in the append that enters
// it, not at the next sweep: at creation, and on a change of phase; a
// re-sent command records it once; the sweep then has nothing to add.
TEST_F(LatenessTest, APhaseEnteredLateIsLateInTheAppendThatEntersIt) {
  clock_.Set(T("2004-03-01T09:00:00Z"));
  rt_.Create("p1", "3", {{"mobilisation", 2003}, {"faisabilite", 2003}, {"montage", 2005}});
  EXPECT_EQ(LateEvents("p1"), 1u) << "created in a phase planned for 2003";
  EXPECT_TRUE(rt_.projects.Load("p1")->late_recorded);
  EXPECT_TRUE(Recorded("p1", false)) << "nothing left for the sweep";

  rt_.Accept("p1", "mobilisation_avancee", {{"volet", "partenaires"}, {"etape", "mobilises"}});
  EXPECT_EQ(LateEvents("p1"), 1u) << "no change of phase, no new notice";
  auto entered = rt_.Fire("p1", "etude_lancee", Json::object(), testing::kCoordinator, "etude-1");
  ASSERT_THAT(entered, IsOk());
  ASSERT_FALSE(entered->refusal);
  ASSERT_EQ(entered->events.size(), 2u) << "the phase's event and its lateness, in one batch";
  EXPECT_EQ(entered->events[1].type, kProjectLate);
  EXPECT_EQ(entered->events[1].Data()["phase"], "etude");
  EXPECT_EQ(entered->events[1].Data()["planned_year"], 2003);
  EXPECT_EQ(entered->events[1].version, entered->events[0].version + 1);
  auto again = rt_.Fire("p1", "etude_lancee", Json::object(), testing::kCoordinator, "etude-1");
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(LateEvents("p1"), 2u) << "a re-sent command records nothing new";
  EXPECT_TRUE(Recorded("p1", false));

  // The flag folds from the history alike, and a new service sweeps nothing.
  auto history = rt_.projects.LoadFromHistory("p1");
  ASSERT_THAT(history, IsOk());
  EXPECT_EQ(history->ToJson(), rt_.projects.Load("p1")->ToJson());
  ProjectService fresh(store_, rt_.registry, clock_);
  auto late = fresh.RecordLate("p1", clock_.Now());
  ASSERT_THAT(late, IsOk());
  EXPECT_FALSE(*late);
  EXPECT_EQ(LateEvents("p1"), 2u);
}

TEST_F(LatenessTest, TheSweepRecordsEveryLateProjectOnceAcrossSweepsAndANewService) {
  rt_.Create("late", "3", {{"mobilisation", 2003}});
  rt_.Create("on-time", "3", {{"mobilisation", 2004}});
  rt_.Create("unplanned", "3");
  clock_.Set(T("2004-03-01T09:00:00Z"));
  ProjectIndex index(store_, rt_.projects.definitions());
  ASSERT_THAT(index.Open(), IsOk());
  ASSERT_THAT(index.CatchUp(), IsOk());
  size_t recorded = 0;
  ASSERT_THAT(SweepLate(index, rt_.projects, clock_.Now(), &recorded), IsOk());
  EXPECT_EQ(recorded, 1u);
  ASSERT_THAT(index.CatchUp(), IsOk());
  ASSERT_THAT(SweepLate(index, rt_.projects, clock_.Now(), &recorded), IsOk());
  EXPECT_EQ(recorded, 0u) << "a second sweep writes nothing";
  // A restarted process (new service, no cache) dedups by the event id.
  ProjectService fresh(store_, rt_.registry, clock_);
  ASSERT_THAT(SweepLate(index, fresh, clock_.Now(), &recorded), IsOk());
  EXPECT_EQ(recorded, 0u);
  EXPECT_EQ(LateEvents("late"), 1u);
  EXPECT_EQ(LateEvents("on-time"), 0u);
  EXPECT_EQ(LateEvents("unplanned"), 0u);
}

}  // namespace
}  // namespace relais::runtime

namespace relais::runtime {
namespace {

using relais::testing::IsOk;
using relais::testing::StatusIs;
using ::testing::HasSubstr;
using testing::kCoordinator;
using testing::T;

// Idempotency records over the real store, across a restart.
class IdempotencyRecordTest : public ::testing::Test {
 protected:
  IdempotencyRecordTest() : clock_(T("2003-02-03T09:00:00Z")) {}
  ManualClock clock_;
  relais::testing::TempDir dir_;
};

CreateRequest Creation(const std::string& id, const std::string& title, const std::string& key) {
  CreateRequest req;
  req.info.id = id;
  req.info.title = title;
  req.info.programme = "sud-val-de-marnais";
  req.info.axis = "2A";
  req.info.workflow = "cbe_action";
  req.actor = kCoordinator;
  req.idempotency_key = key;
  return req;
}

TEST_F(IdempotencyRecordTest, AKeyReusedWithAnotherRequestIsRefusedAndTheRefusalSurvivesARestart) {
  const Json data = {{"indicateur", "autre"}, {"valeur", 1}};
  {
    auto store = testing::OpenRocksStore(dir_.Sub("db"), clock_);
    ASSERT_TRUE(store);
    testing::Runtime rt(*store, clock_);
    ASSERT_THAT(rt.projects.Create(Creation("p1", "Action p1", "create-key")), IsOk());
    auto first = rt.Fire("p1", "indicateur_enregistre", data, kCoordinator, "k");
    ASSERT_THAT(first, IsOk());
    ASSERT_FALSE(first->refusal);
    auto same = rt.Fire("p1", "indicateur_enregistre", data, kCoordinator, "k");
    ASSERT_THAT(same, IsOk());
    EXPECT_TRUE(same->deduplicated);
    auto other_body =
        rt.Fire("p1", "indicateur_enregistre", {{"indicateur", "autre"}, {"valeur", 2}}, kCoordinator, "k");
    EXPECT_THAT(other_body, StatusIs(StatusCode::kFailedPrecondition, HasSubstr("'k' was already used")));
    EXPECT_EQ(IdempotencyFaultOf(other_body.status()), IdempotencyFault::kReused);
    auto other_type = rt.Fire("p1", "etude_lancee", Json::object(), kCoordinator, "k");
    EXPECT_EQ(IdempotencyFaultOf(other_type.status()), IdempotencyFault::kReused) << other_type.status();
    auto members =
        rt.projects.ChangeMembers("p1", {{"person:marc.lefort", "elu_referent"}}, kCoordinator, std::nullopt, "m");
    ASSERT_THAT(members, IsOk());
  }
  // A new process over the same files: the records are durable with the events.
  auto store = testing::OpenRocksStore(dir_.Sub("db"), clock_);
  ASSERT_TRUE(store);
  testing::Runtime rt(*store, clock_);
  const uint64_t position = store->LastPosition();
  auto other_body = rt.Fire("p1", "indicateur_enregistre", {{"indicateur", "autre"}, {"valeur", 2}}, kCoordinator, "k");
  EXPECT_EQ(IdempotencyFaultOf(other_body.status()), IdempotencyFault::kReused) << other_body.status();
  auto same = rt.Fire("p1", "indicateur_enregistre", data, kCoordinator, "k");
  ASSERT_THAT(same, IsOk());
  EXPECT_TRUE(same->deduplicated);
  EXPECT_EQ(IdempotencyFaultOf(rt.projects.ChangeMembers("p1", {}, kCoordinator, std::nullopt, "m").status()),
            IdempotencyFault::kReused);
  auto members_again =
      rt.projects.ChangeMembers("p1", {{"person:marc.lefort", "elu_referent"}}, kCoordinator, std::nullopt, "m");
  ASSERT_THAT(members_again, IsOk());
  EXPECT_TRUE(members_again->deduplicated);
  EXPECT_EQ(IdempotencyFaultOf(rt.projects.Create(Creation("p1", "Another title", "create-key")).status()),
            IdempotencyFault::kReused);
  auto created_again = rt.projects.Create(Creation("p1", "Action p1", "create-key"));
  ASSERT_THAT(created_again, IsOk());
  EXPECT_TRUE(created_again->deduplicated);
  // The key of the creation is not the key of a command on the project.
  EXPECT_EQ(IdempotencyFaultOf(rt.Fire("p1", "indicateur_enregistre", data, kCoordinator, "create-key").status()),
            IdempotencyFault::kReused);
  EXPECT_EQ(store->LastPosition(), position) << "refusals and replays write nothing";
  EXPECT_EQ(rt.Count("p1", "indicateur_enregistre"), 1u);
}

TEST_F(IdempotencyRecordTest, ACreationWithoutAnIdTakesItsIdFromTheKey) {
  MemoryEventStore store(clock_);
  testing::Runtime rt(store, clock_);
  auto first = rt.projects.Create(Creation("", "Sans id", "new-1"));
  ASSERT_THAT(first, IsOk());
  auto again = rt.projects.Create(Creation("", "Sans id", "new-1"));
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->project_id, first->project_id);
  EXPECT_TRUE(again->deduplicated);
  auto unkeyed = rt.projects.Create(Creation("", "Sans id", ""));
  ASSERT_THAT(unkeyed, IsOk());
  EXPECT_NE(unkeyed->project_id, first->project_id);
}

TEST_F(IdempotencyRecordTest, ADuplicateWhileTheFirstRunsIsRefusedAsInFlight) {
  MemoryEventStore store(clock_);
  testing::Runtime rt(store, clock_);
  std::atomic<bool> armed{false};
  std::promise<void> entered, release;
  std::shared_future<void> released = release.get_future().share();
  rt.projects.AddAppendHook([&](const ProjectAppend&, KvWrites&) {
    if (!armed.exchange(false)) return Status::Ok();
    entered.set_value();
    released.wait();
    return Status::Ok();
  });
  rt.Create("p1");
  const Json data = {{"indicateur", "autre"}, {"valeur", 1}};
  armed = true;
  StatusOr<CommandOutcome> first_result = Internal("not run");
  std::thread first([&] { first_result = rt.Fire("p1", "indicateur_enregistre", data, kCoordinator, "k"); });
  entered.get_future().wait();
  auto duplicate = rt.Fire("p1", "indicateur_enregistre", data, kCoordinator, "k");
  release.set_value();
  first.join();
  EXPECT_THAT(duplicate, StatusIs(StatusCode::kAlreadyExists, HasSubstr("still being processed")));
  EXPECT_EQ(IdempotencyFaultOf(duplicate.status()), IdempotencyFault::kInFlight);
  ASSERT_THAT(first_result, IsOk());
  EXPECT_FALSE(first_result->deduplicated);
  auto after = rt.Fire("p1", "indicateur_enregistre", data, kCoordinator, "k");
  ASSERT_THAT(after, IsOk());
  EXPECT_TRUE(after->deduplicated) << "the claim ends with its request";
}

TEST(RequestFingerprintTest, CanonicalOverKeyOrderAndDistinctOverEverythingElse) {
  const Json a = Json::parse(R"({"type":"t","data":{"x":1,"y":[1,2]}})");
  const Json b = Json::parse(R"({"data":{"y":[1,2],"x":1},"type":"t"})");
  EXPECT_EQ(RequestFingerprint("command", "p", a), RequestFingerprint("command", "p", b));
  EXPECT_EQ(RequestFingerprint("command", "p", a).size(), 64u);
  EXPECT_NE(RequestFingerprint("command", "p", a), RequestFingerprint("command", "q", a));
  EXPECT_NE(RequestFingerprint("command", "p", a), RequestFingerprint("members", "p", a));
  EXPECT_NE(RequestFingerprint("command", "p", a),
            RequestFingerprint("command", "p", Json::parse(R"({"type":"t","data":{"x":2,"y":[1,2]}})")));
}

TEST(ProjectIdTest, OnePatternForEveryId) {
  for (const std::string& bad : std::vector<std::string>{"", ".", "..", "a/b", "-x", "_x", ".x", "a b",
                                                         std::string("a\nb"), std::string(129, 'p')})
    EXPECT_THAT(ValidateProjectId(bad), StatusIs(StatusCode::kInvalidArgument, HasSubstr("project id"))) << bad;
  EXPECT_THAT(ValidateProjectId(".."),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("project id '..': expected 1 to 128 letters")));
  for (const std::string& good :
       std::vector<std::string>{"own", "ccas-fresnes", "2A", "1-pressing", "p.v2_x", std::string(128, 'p')})
    EXPECT_THAT(ValidateProjectId(good), IsOk()) << good;
}

}  // namespace
}  // namespace relais::runtime
