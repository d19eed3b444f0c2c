// runtime.max_children_per_project holds under concurrent creations: many
// threads add sub-items to one parent at once (workflows/insertion-recrutement.yaml
// and parcours-personne.yaml), on every store; exactly the cap is created,
// the others are refused with ResourceExhausted, and nothing half-written
// stays behind.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/runtime/runtime_fixture.h"
#include "tests/testing/status_matchers.h"

namespace relais::runtime {
namespace {

using testing::kCoordinator;
using testing::T;

class ChildrenCapTest : public ::testing::TestWithParam<relais::testing::StoreKind> {
 protected:
  ChildrenCapTest() : clock_(T("2026-12-06T09:00:00Z")), sut_(GetParam().make(clock_)) {}

  ManualClock clock_;
  std::unique_ptr<relais::testing::StoreUnderTest> sut_;
};

TEST_P(ChildrenCapTest, ConcurrentCreationsNeverPassTheCap) {
  RuntimeOptions options;
  options.max_children_per_project = 3;
  testing::Runtime rt(sut_->store(), clock_, options);
  CreateRequest parent;
  parent.info.id = "insertion-orly";
  parent.info.title = "Recrutements accompagnés à Orly";
  parent.info.programme = "sud-val-de-marnais";
  parent.info.workflow = "insertion_recrutement";
  parent.create.fields = {{"territoire", "Orly"}, {"objectif_recrutements", 2}};
  parent.actor = kCoordinator;
  auto made = rt.projects.Create(std::move(parent));
  ASSERT_TRUE(made.ok()) << made.status();
  ASSERT_FALSE(made->refusal) << made->refusal->message;

  constexpr int kThreads = 8;
  std::atomic<int> created{0}, exhausted{0}, other{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      CreateRequest child;
      child.info.id = "personne-" + std::to_string(t);
      child.info.title = "Personne " + std::to_string(t);
      child.info.workflow = "parcours_personne";
      child.info.parent = {"insertion-orly", "personnes", ""};
      child.create.fields = {{"reference", "ML-000" + std::to_string(t)}};
      child.actor = kCoordinator;
      auto out = rt.projects.Create(std::move(child));
      if (out.ok() && !out->refusal)
        ++created;
      else if (!out.ok() && out.status().code() == StatusCode::kResourceExhausted)
        ++exhausted;
      else
        ++other;
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(created, 3);
  EXPECT_EQ(exhausted, kThreads - 3);
  EXPECT_EQ(other, 0);
  auto listed = rt.projects.ChildCounts("insertion-orly", *rt.registry.Current("insertion_recrutement"));
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ((*listed)["personnes"]["total"], 3) << *listed;
}

INSTANTIATE_TEST_SUITE_P(AllStores, ChildrenCapTest, ::testing::ValuesIn(relais::testing::AllStoreKindsWithPostgres()),
                         [](const auto& p) { return p.param.name; });

}  // namespace
}  // namespace relais::runtime
