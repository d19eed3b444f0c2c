#include "engine/util/status.h"

#include <gtest/gtest.h>

#include "tests/testing/status_matchers.h"

namespace relais {
namespace {

using testing::IsOk;
using testing::StatusIs;

StatusOr<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgument("odd: " + std::to_string(x));
  return x / 2;
}

StatusOr<int> Quarter(int x) {
  RELAIS_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(StatusTest, OkAndErrors) {
  EXPECT_THAT(Status::Ok(), IsOk());
  EXPECT_THAT(NotFound("x"), StatusIs(StatusCode::kNotFound, "x"));
  EXPECT_EQ(NotFound("x").ToString(), "NOT_FOUND: x");
}

TEST(StatusTest, VersionConflictCarriesActualVersion) {
  Status s = VersionConflict("expected 3", 7);
  EXPECT_THAT(s, StatusIs(StatusCode::kVersionConflict));
  ASSERT_TRUE(s.actual_version().has_value());
  EXPECT_EQ(*s.actual_version(), 7u);
  EXPECT_EQ(*s.WithContext("append").actual_version(), 7u);
  EXPECT_EQ(s.WithContext("append").message(), "append: expected 3");
}

TEST(StatusTest, AssignOrReturnPropagates) {
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_THAT(Quarter(6), StatusIs(StatusCode::kInvalidArgument, "odd: 3"));
}

TEST(StatusTest, StatusOrFromOkStatusIsInternalError) {
  StatusOr<int> v(Status::Ok());
  EXPECT_THAT(v, StatusIs(StatusCode::kInternal));
}

}  // namespace
}  // namespace relais
