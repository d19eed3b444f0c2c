#include "engine/util/uuid.h"

#include <gtest/gtest.h>

#include <set>

namespace relais {
namespace {

TEST(UuidTest, RandomUuidsAreWellFormedAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string u = NewUuid();
    EXPECT_TRUE(IsUuid(u)) << u;
    EXPECT_EQ(u[14], '4') << "version 4";
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(UuidTest, NameUuidIsStableAndVersion8) {
  std::string a = NameUuid("project-1/command-7/0");
  EXPECT_EQ(a, NameUuid("project-1/command-7/0"));
  EXPECT_NE(a, NameUuid("project-1/command-7/1"));
  EXPECT_TRUE(IsUuid(a));
  EXPECT_EQ(a[14], '8');
  EXPECT_TRUE(a[19] == '8' || a[19] == '9' || a[19] == 'a' || a[19] == 'b') << a;
}

TEST(UuidTest, IsUuidRejectsMalformed) {
  EXPECT_FALSE(IsUuid(""));
  EXPECT_FALSE(IsUuid("0b5f6a52-1111-4c1e-9a55-0123456789a"));
  EXPECT_FALSE(IsUuid("0b5f6a52x1111-4c1e-9a55-0123456789ab"));
  EXPECT_FALSE(IsUuid("0b5f6a52-1111-4c1e-9a55-0123456789ag"));
  EXPECT_TRUE(IsUuid("0B5F6A52-1111-4C1E-9A55-0123456789AB"));
}

}  // namespace
}  // namespace relais
