// The list helpers every workspace list shares (src/api/list_query.h).
#include "api/list_query.h"

#include <gtest/gtest.h>

namespace cscx::api {
namespace {

TEST(ListQuery, CursorsRoundTripWithinTheirScopeOnly) {
  const std::string cursor =
      encode_cursor("customers:name", {"Line\nbreak", "a0000000-0000-0000-0000-000000000010"});
  auto back = cursor_param("limit=2&cursor=" + cursor, "customers:name");
  ASSERT_TRUE(back);
  ASSERT_TRUE(back->has_value());
  EXPECT_EQ((*back)->key, "Line\nbreak");
  EXPECT_EQ((*back)->id, "a0000000-0000-0000-0000-000000000010");
  EXPECT_FALSE(cursor_param("cursor=" + cursor, "customers:arr"));
  EXPECT_FALSE(cursor_param("cursor=%%%", "customers:name"));
  EXPECT_FALSE(cursor_param("cursor=" + encode_cursor("x", {"k", "not-a-uuid"}), "x"));
  auto none = cursor_param("limit=2", "x");
  ASSERT_TRUE(none);
  EXPECT_FALSE(none->has_value());
}

TEST(ListQuery, LimitDefaultsAndBounds) {
  EXPECT_EQ(*limit_param(""), 20);
  EXPECT_EQ(*limit_param("limit=100"), 100);
  EXPECT_FALSE(limit_param("limit=101"));
  EXPECT_FALSE(limit_param("limit=0"));
  EXPECT_FALSE(limit_param("limit=1x"));
  EXPECT_FALSE(limit_param("limit="));
}

TEST(ListQuery, UnknownParametersAreNamed) {
  EXPECT_TRUE(only_params("a=1&b=2", {"a", "b"}));
  auto refused = only_params("a=1&c=2", {"a", "b"});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "unknown query parameter 'c' (expected a, b)");
}

TEST(ListQuery, InstantsFromDatesAndDateTimes) {
  EXPECT_EQ(**instant_param("from=2026-02-28", "from"), "2026-02-28T00:00:00Z");
  EXPECT_EQ(**instant_param("to=2026-02-28", "to", true), "2026-03-01T00:00:00Z");
  EXPECT_EQ(**instant_param("to=2026-12-31", "to", true), "2027-01-01T00:00:00Z");
  EXPECT_EQ(**instant_param("t=2026-02-28T10:00:00%2B02:00", "t"), "2026-02-28T10:00:00+02:00");
  EXPECT_FALSE(instant_param("t=2026-02-30", "t"));
  EXPECT_FALSE(instant_param("t=2026-02-28T10:00:00", "t"));  // no offset
  EXPECT_FALSE(instant_param("t=yesterday", "t"));
  EXPECT_FALSE(instant_param("t=", "t"));
}

}  // namespace
}  // namespace cscx::api
