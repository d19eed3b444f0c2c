// PersonDirectory on a real RocksDB store (reopened to show entries last),
// PersonFields' refusals naming the field, and DisplayName's fallbacks.
#include "engine/people/person_directory.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "engine/store/rocksdb_event_store.h"
#include "engine/util/clock.h"
#include "tests/testing/status_matchers.h"
#include "tests/testing/temp_dir.h"

namespace relais::people {
namespace {

using relais::testing::IsOk;
using relais::testing::StatusIs;
using ::testing::HasSubstr;

class PersonDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }
  void Open() {
    directory_.reset();
    store_.reset();
    RocksDbStoreOptions o;
    o.path = dir_.Sub("store");
    o.clock = &clock_;
    auto opened = RocksDbEventStore::Open(o);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = std::move(opened).value();
    directory_ = std::make_unique<PersonDirectory>(*store_);
  }
  static PersonFields Fields(const Json& body) {
    auto f = PersonFields::FromJson(body);
    EXPECT_TRUE(f.ok()) << f.status();
    return f.ok() ? *f : PersonFields{};
  }

  relais::testing::TempDir dir_;
  SystemClock clock_;
  std::unique_ptr<RocksDbEventStore> store_;
  std::unique_ptr<PersonDirectory> directory_;
};

TEST_F(PersonDirectoryTest, RegistersGetsAndKeepsAPersonAcrossAReopen) {
  auto p = directory_->Register("nadia.benali@ville.example", Fields({{"civility", "Mme"},
                                                                      {"first_name", "Nadia"},
                                                                      {"last_name", "Benali"},
                                                                      {"organisation", "Ville de L'Haÿ-les-Roses"},
                                                                      {"function", "Adjointe à l'emploi"},
                                                                      {"partner", "ville-lhay"}}));
  ASSERT_TRUE(p.ok()) << p.status();
  EXPECT_EQ(p->email, "nadia.benali@ville.example") << "the e-mail address defaults to the id";
  EXPECT_EQ(p->language, "fr");
  EXPECT_TRUE(p->active);
  Open();
  auto got = directory_->Get("nadia.benali@ville.example");
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->organisation, "Ville de L'Haÿ-les-Roses");
  EXPECT_EQ(got->partner, "ville-lhay");
  EXPECT_EQ(DisplayName(*got), "Mme Nadia Benali");
  EXPECT_EQ(DisplayName(*got, "en"), "Ms Nadia Benali");
  EXPECT_EQ(got->ToJson()["display_name"], "Mme Nadia Benali");
  EXPECT_THAT(directory_->Register("nadia.benali@ville.example", {}), StatusIs(StatusCode::kAlreadyExists));
}

TEST_F(PersonDirectoryTest, UpdatesOnlyTheGivenFieldsAndDeactivates) {
  ASSERT_THAT(directory_->Register("marc@asp.example", Fields({{"first_name", "Marc"}, {"civility", "M."}})).status(),
              IsOk());
  auto updated = directory_->Update("marc@asp.example", Fields({{"last_name", "Lefebvre"}, {"language", "en"}}));
  ASSERT_TRUE(updated.ok()) << updated.status();
  EXPECT_EQ(updated->first_name, "Marc");
  EXPECT_EQ(DisplayName(*updated, updated->language), "Mr Marc Lefebvre");
  EXPECT_EQ(updated->ToJson()["display_name"], "M. Marc Lefebvre") << "as others see them, in French";
  auto off = directory_->Deactivate("marc@asp.example");
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off->active);
  EXPECT_FALSE(directory_->Get("marc@asp.example")->active);
  EXPECT_THAT(directory_->Update("nobody@x.example", {}), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(directory_->Deactivate("nobody@x.example"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(directory_->Update("marc@asp.example", Fields({{"email", ""}})), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(PersonDirectoryTest, ListsByPagesAndByPartner) {
  for (int i = 0; i < 300; ++i) {
    const std::string id = "p" + std::to_string(1000 + i) + "@x.example";
    ASSERT_THAT(directory_->Register(id, Fields({{"partner", i % 3 == 0 ? "ccas" : "anpe"}})).status(), IsOk());
  }
  auto first = directory_->List("", 100);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 100u);
  auto second = directory_->List(first->back().id, 250);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->size(), 200u);
  EXPECT_LT(first->back().id, second->front().id);
  auto ccas = directory_->ByPartner("ccas");
  ASSERT_TRUE(ccas.ok());
  EXPECT_EQ(ccas->size(), 100u) << "300 people over more than one scan page (kPeopleScanPage)";
  for (const Person& p : *ccas) EXPECT_EQ(p.partner, "ccas");
}

TEST_F(PersonDirectoryTest, RefusesBadIdsAndFieldsNamingTheField) {
  EXPECT_THAT(directory_->Register("Nadia@Ville.example", {}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("lower case")));
  EXPECT_THAT(directory_->Register("bad id", {}), StatusIs(StatusCode::kInvalidArgument, HasSubstr("person id")));
  EXPECT_THAT(directory_->Register("system:import", {}),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("'email' is required")));
  EXPECT_THAT(directory_->Register("system:import", Fields({{"email", "ops@relais.example"}})).status(), IsOk());

  const std::vector<std::pair<Json, std::string>> bad = {
      {{{"civility", "Dr"}}, "'civility'"},
      {{{"language", "de"}}, "'language'"},
      {{{"email", "not-an-address"}}, "'email'"},
      {{{"email", "a@b"}}, "'email'"},
      {{{"partner", "bad partner"}}, "'partner'"},
      {{{"first_name", std::string(kMaxNameBytes + 1, 'a')}}, "'first_name' is longer"},
      {{{"organisation", 3}}, "'organisation' must be a string"},
      {{{"active", "yes"}}, "'active'"},
      {{{"nickname", "Nad"}}, "unknown member 'nickname'"},
      {{{"function", "a\nb"}}, "'function'"},
  };
  for (const auto& [body, words] : bad)
    EXPECT_THAT(PersonFields::FromJson(body), StatusIs(StatusCode::kInvalidArgument, HasSubstr(words))) << body;
  EXPECT_THAT(PersonFields::FromJson(Json::array()), StatusIs(StatusCode::kInvalidArgument));
}

TEST_F(PersonDirectoryTest, NamesFallBackWithoutEverShowingTheAddress) {
  Person bare;
  bare.id = "claire.vasseur@cbe.example";
  EXPECT_EQ(DisplayName(bare), "claire.vasseur");
  bare.last_name = "Vasseur";
  EXPECT_EQ(DisplayName(bare), "Vasseur");
  Person empty;
  EXPECT_EQ(DisplayName(empty), "") << "no id, no name: never a crash";
  Person odd;
  odd.id = "@x";
  EXPECT_EQ(DisplayName(odd), "@x");

  ASSERT_THAT(directory_->Register("h@ccas.example", Fields({{"civility", "Mme"}, {"first_name", "Hélène"}})).status(),
              IsOk());
  EXPECT_EQ(directory_->NameOf("h@ccas.example"), "Mme Hélène");
  EXPECT_EQ(directory_->NameOf("unknown@x.example"), "unknown@x.example") << "an unknown id is named by itself";
  EXPECT_EQ(directory_->NameOf("not valid"), "not valid");
}

TEST_F(PersonDirectoryTest, StageUpsertWritesNothingUntilTheCallerCommitsThenRegistersOrUpdates) {
  KvWrites writes;
  auto staged = directory_->StageUpsert("nadia.benali@ccas.example", Fields({{"first_name", "Nadia"}}), writes);
  ASSERT_THAT(staged, IsOk());
  EXPECT_EQ(staged->email, "nadia.benali@ccas.example");
  EXPECT_THAT(directory_->Get("nadia.benali@ccas.example"), StatusIs(StatusCode::kNotFound)) << "not yet committed";
  ASSERT_THAT(store_->KvWrite(writes), IsOk());
  Open();  // read back from disk
  ASSERT_THAT(directory_->Update("nadia.benali@ccas.example", Fields({{"organisation", "CCAS"}})), IsOk());
  KvWrites update;
  ASSERT_THAT(directory_->StageUpsert("nadia.benali@ccas.example",
                                      Fields({{"last_name", "Benali"}, {"partner", "ccas-fresnes"}}), update),
              IsOk());
  ASSERT_THAT(store_->KvWrite(update), IsOk());
  auto person = directory_->Get("nadia.benali@ccas.example");
  ASSERT_THAT(person, IsOk());
  EXPECT_EQ(DisplayName(*person), "Nadia Benali");
  EXPECT_EQ(person->organisation, "CCAS") << "kept: not given";
  EXPECT_EQ(person->partner, "ccas-fresnes");
  KvWrites none;
  EXPECT_THAT(directory_->StageUpsert("claire", PersonFields{}, none), StatusIs(StatusCode::kInvalidArgument))
      << "an id that is not an address needs an email";
  EXPECT_TRUE(none.empty());
}

}  // namespace
}  // namespace relais::people
