// LruMap: capacity is never exceeded; the least recently used entry goes first.
#include "engine/util/lru_map.h"

#include <gtest/gtest.h>

#include <string>

namespace relais {
namespace {

TEST(LruMapTest, DropsTheLeastRecentlyUsedBeyondCapacity) {
  LruMap<std::string, int> map(2);
  map.Put("a", 1);
  map.Put("b", 2);
  ASSERT_NE(map.Find("a"), nullptr);  // a is now the most recent
  map.Put("c", 3);                    // drops b
  EXPECT_EQ(map.size(), 2u);
  EXPECT_EQ(map.Find("b"), nullptr);
  ASSERT_NE(map.Find("a"), nullptr);
  EXPECT_EQ(*map.Find("a"), 1);
  ASSERT_NE(map.Find("c"), nullptr);
  EXPECT_EQ(*map.Find("c"), 3);
}

TEST(LruMapTest, PutReplacesAndErasesForget) {
  LruMap<std::string, int> map(3);
  map.Put("a", 1);
  map.Put("a", 7);
  EXPECT_EQ(map.size(), 1u);
  EXPECT_EQ(*map.Find("a"), 7);
  map.Erase("a");
  map.Erase("missing");
  EXPECT_EQ(map.size(), 0u);
  EXPECT_EQ(map.Find("a"), nullptr);
  for (int i = 0; i < 100; ++i) map.Put(std::to_string(i), i);
  EXPECT_EQ(map.size(), 3u);
  EXPECT_NE(map.Find("99"), nullptr);
  EXPECT_NE(map.Find("97"), nullptr);
  EXPECT_EQ(map.Find("96"), nullptr);
}

TEST(LruMapTest, ACapacityOfZeroKeepsOne) {
  LruMap<int, int> map(0);
  map.Put(1, 1);
  map.Put(2, 2);
  EXPECT_EQ(map.size(), 1u);
  EXPECT_NE(map.Find(2), nullptr);
}

}  // namespace
}  // namespace relais
