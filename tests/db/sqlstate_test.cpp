#include "db/sqlstate.h"

#include <gtest/gtest.h>

namespace cscx::db {
namespace {

struct Case {
  const char* sqlstate;
  Code code;
};

// Every entry of the table in sqlstate.cpp, exact codes and classes.
TEST(Sqlstate, MapsEveryEntryOfTheTable) {
  const Case cases[] = {
      {"23505", Code::kConflict},        {"40001", Code::kConflict},
      {"40P01", Code::kConflict},        {"42501", Code::kPermissionDenied},
      {"42P01", Code::kNotFound},        {"42883", Code::kNotFound},
      {"57014", Code::kUnavailable},     {"P0001", Code::kFailedPrecondition},
      {"P0002", Code::kNotFound},        {"08006", Code::kUnavailable},
      {"53300", Code::kUnavailable},     {"57P01", Code::kUnavailable},
      {"22P02", Code::kInvalidArgument}, {"23503", Code::kInvalidArgument},
      {"23514", Code::kInvalidArgument}, {"28P01", Code::kUnauthenticated},
      {"42601", Code::kInvalidArgument}, {"55000", Code::kFailedPrecondition},
      {"XX000", Code::kInternal},        {"", Code::kInternal},
      {"2350", Code::kInternal},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(code_from_sqlstate(c.sqlstate), c.code) << c.sqlstate;
  }
}

}  // namespace
}  // namespace cscx::db
