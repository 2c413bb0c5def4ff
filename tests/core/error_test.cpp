#include "core/error.h"

#include <gtest/gtest.h>

#include <set>

#include "core/sha256.h"

namespace cscx {
namespace {

TEST(Error, ToStringShowsCodeMessageAndDetail) {
  Error e = make_error(Code::kConflict, "duplicate email", "SQLSTATE 23505");
  EXPECT_EQ(e.to_string(), "conflict: duplicate email (SQLSTATE 23505)");
}

TEST(Error, EveryCodeHasADistinctName) {
  const Code all[] = {
      Code::kInvalidArgument, Code::kUnauthenticated, Code::kPermissionDenied,
      Code::kNotFound,        Code::kConflict,        Code::kFailedPrecondition,
      Code::kPayloadTooLarge, Code::kUnavailable,     Code::kDependencyFailed,
      Code::kInternal};
  std::set<std::string_view> names;
  for (Code c : all) names.insert(code_name(c));
  EXPECT_EQ(names.size(), std::size(all));
}

TEST(Result, ValueOnErrorThrowsWithTheMessage) {
  Result<int> r = make_error(Code::kNotFound, "no such customer");
  EXPECT_FALSE(r);
  EXPECT_THROW((void)r.value(), std::runtime_error);
}

TEST(Sha256, MatchesKnownVector) {
  EXPECT_EQ(core::sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace cscx
