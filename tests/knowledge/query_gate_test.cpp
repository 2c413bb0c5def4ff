// The search path's guards in front of the embedding provider (issue 8
// review): query cache, circuit breaker, in-flight cap and the warning
// throttle, driven with explicit time points (no sleeping, no clock).
#include "knowledge/query_gate.h"

#include <gtest/gtest.h>

namespace cscx::knowledge::internal {
namespace {

using std::chrono::seconds;

const QueryClock::time_point t0{};

Embedding vector_of(float x) { return Embedding(4, x); }

TEST(QueryCache, ForgetsTheLeastRecentlyUsedText) {
  QueryCache cache(2);
  EXPECT_FALSE(cache.find("a"));
  cache.insert("a", vector_of(1));
  cache.insert("b", vector_of(2));
  ASSERT_TRUE(cache.find("a"));  // "a" is now the most recent
  cache.insert("c", vector_of(3));
  EXPECT_FALSE(cache.find("b"));
  EXPECT_EQ(*cache.find("a"), vector_of(1));
  EXPECT_EQ(*cache.find("c"), vector_of(3));
  cache.insert("c", vector_of(4));
  EXPECT_EQ(*cache.find("c"), vector_of(4));
}

TEST(QueryGate, RefusesPastTheInFlightCapWithoutQueueing) {
  QueryGate gate(QueryGateOptions{2, 5, seconds(30)});
  auto first = gate.enter(t0);
  auto second = gate.enter(t0);
  ASSERT_TRUE(first && second);
  auto third = gate.enter(t0);
  ASSERT_FALSE(third);
  EXPECT_EQ(third.error().code, Code::kUnavailable);
  EXPECT_NE(third.error().message.find("2 query requests under way"), std::string::npos);
  gate.finish(*first, false, t0);
  EXPECT_TRUE(gate.enter(t0));
}

TEST(QueryGate, OpensAfterConsecutiveTransientFailures) {
  QueryGate gate(QueryGateOptions{8, 3, seconds(30)});
  for (int i = 0; i < 2; ++i) {
    auto admitted = gate.enter(t0);
    ASSERT_TRUE(admitted);
    gate.finish(*admitted, true, t0);
  }
  // A success in between resets the count.
  auto ok = gate.enter(t0);
  ASSERT_TRUE(ok);
  gate.finish(*ok, false, t0);
  for (int i = 0; i < 3; ++i) {
    auto admitted = gate.enter(t0);
    ASSERT_TRUE(admitted) << i;
    gate.finish(*admitted, true, t0);
  }
  auto refused = gate.enter(t0 + seconds(29));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Code::kUnavailable);
}

TEST(QueryGate, LetsOneProbeThroughAfterTheCoolDownAndClosesOnItsSuccess) {
  QueryGate gate(QueryGateOptions{8, 1, seconds(30)});
  auto failing = gate.enter(t0);
  ASSERT_TRUE(failing);
  gate.finish(*failing, true, t0);
  ASSERT_FALSE(gate.enter(t0 + seconds(10)));
  auto probe = gate.enter(t0 + seconds(30));
  ASSERT_TRUE(probe);
  EXPECT_TRUE(*probe);
  EXPECT_FALSE(gate.enter(t0 + seconds(31))) << "one probe at a time";
  gate.finish(*probe, false, t0 + seconds(31));
  auto after = gate.enter(t0 + seconds(31));
  ASSERT_TRUE(after);
  EXPECT_FALSE(*after) << "closed: an ordinary request";
}

TEST(QueryGate, AFailedProbeOpensItForAnotherCoolDown) {
  QueryGate gate(QueryGateOptions{8, 1, seconds(30)});
  auto failing = gate.enter(t0);
  ASSERT_TRUE(failing);
  gate.finish(*failing, true, t0);
  auto probe = gate.enter(t0 + seconds(30));
  ASSERT_TRUE(probe && *probe);
  gate.finish(*probe, true, t0 + seconds(32));
  EXPECT_FALSE(gate.enter(t0 + seconds(61)));
  auto next = gate.enter(t0 + seconds(62));
  ASSERT_TRUE(next);
  EXPECT_TRUE(*next);
}

TEST(QueryGate, APermanentFailureDoesNotCount) {
  QueryGate gate(QueryGateOptions{8, 2, seconds(30)});
  for (int i = 0; i < 5; ++i) {
    auto admitted = gate.enter(t0);
    ASSERT_TRUE(admitted) << i;
    gate.finish(*admitted, false, t0);
  }
}

TEST(QueryGate, AnAbandonedRequestFreesItsSlotAndCountsNothing) {
  QueryGate gate(QueryGateOptions{1, 1, seconds(30)});
  auto first = gate.enter(t0);
  ASSERT_TRUE(first);
  ASSERT_FALSE(gate.enter(t0));
  gate.abandon(*first);
  auto second = gate.enter(t0);
  ASSERT_TRUE(second) << "the slot is free and the breaker still closed";
  EXPECT_FALSE(*second);
}

TEST(WarningThrottle, LogsOncePerIntervalWithTheCountHeldBack) {
  WarningThrottle throttle(seconds(30));
  EXPECT_EQ(throttle.allow(t0), std::optional<std::size_t>(0));
  EXPECT_FALSE(throttle.allow(t0 + seconds(1)));
  EXPECT_FALSE(throttle.allow(t0 + seconds(29)));
  EXPECT_EQ(throttle.allow(t0 + seconds(30)), std::optional<std::size_t>(2));
  EXPECT_EQ(throttle.allow(t0 + seconds(90)), std::optional<std::size_t>(0));
}

}  // namespace
}  // namespace cscx::knowledge::internal
