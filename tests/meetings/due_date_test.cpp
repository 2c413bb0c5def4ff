// Due-date resolution against the meeting date (issue 6). The meeting is on
// Wednesday 2024-03-06 unless a test says otherwise.
#include <gtest/gtest.h>

#include "meetings/transcript_internal.h"

namespace cscx::meetings::internal {
namespace {

std::string due(std::string_view phrase, std::string_view meeting = "2024-03-06") {
  auto date = resolve_due_date(tokenize(phrase), parse_iso_date(meeting).value());
  return date ? format_iso_date(*date) : "null";
}

TEST(DueDate, BareWeekdayIsItsNextOccurrence) { EXPECT_EQ(due("by Tuesday"), "2024-03-12"); }
TEST(DueDate, SameWeekdayMeansNextWeek) { EXPECT_EQ(due("on Wednesday"), "2024-03-13"); }
TEST(DueDate, ThisFridayIsThisWeek) { EXPECT_EQ(due("this Friday"), "2024-03-08"); }
TEST(DueDate, NextWeekdayIsInTheFollowingWeek) { EXPECT_EQ(due("next Friday"), "2024-03-15"); }
TEST(DueDate, Tomorrow) { EXPECT_EQ(due("tomorrow"), "2024-03-07"); }
TEST(DueDate, EndOfDayTomorrow) { EXPECT_EQ(due("by end of day tomorrow"), "2024-03-07"); }
TEST(DueDate, TodayAndThisAfternoon) {
  EXPECT_EQ(due("today"), "2024-03-06");
  EXPECT_EQ(due("this afternoon"), "2024-03-06");
}
TEST(DueDate, EndOfTheWeekIsFriday) { EXPECT_EQ(due("by the end of the week"), "2024-03-08"); }
TEST(DueDate, EndOfNextWeekIsNextFriday) { EXPECT_EQ(due("end of next week"), "2024-03-15"); }
TEST(DueDate, EomIsLastDayOfMonth) {
  EXPECT_EQ(due("by EOM"), "2024-03-31");
  EXPECT_EQ(due("end of the month", "2024-02-10"), "2024-02-29");
}
TEST(DueDate, EndOfQuarter) { EXPECT_EQ(due("by end of quarter"), "2024-03-31"); }
TEST(DueDate, WeekdayWithOrdinalFindsMatchingDate) {
  EXPECT_EQ(due("by Friday the 14th"), "2024-06-14");  // the next Friday that is a 14th
}
TEST(DueDate, OrdinalAlone) { EXPECT_EQ(due("by the 15th"), "2024-03-15"); }
TEST(DueDate, MonthAndDayRollToNextYearWhenPast) {
  EXPECT_EQ(due("by March 14th"), "2024-03-14");
  EXPECT_EQ(due("by 3rd of February"), "2025-02-03");
}
TEST(DueDate, InTwoWeeks) { EXPECT_EQ(due("in two weeks"), "2024-03-20"); }
TEST(DueDate, IsoDateNeedsNoMeetingDate) {
  auto date = resolve_due_date(tokenize("by 2024-04-01"), std::nullopt);
  ASSERT_TRUE(date);
  EXPECT_EQ(format_iso_date(*date), "2024-04-01");
}
TEST(DueDate, VagueTimingIsNull) {
  EXPECT_EQ(due("next week"), "null");
  EXPECT_EQ(due("soon"), "null");
  EXPECT_EQ(due("ASAP"), "null");
  EXPECT_EQ(due("in a couple of weeks"), "null");
}
TEST(DueDate, RelativeDatesNeedAMeetingDate) {
  EXPECT_FALSE(resolve_due_date(tokenize("by Tuesday"), std::nullopt));
}
TEST(DueDate, ShortWeekdayNamesOnlyAfterAPreposition) {
  EXPECT_EQ(due("we sat down"), "null");
  EXPECT_EQ(due("by Thu"), "2024-03-07");
}

}  // namespace
}  // namespace cscx::meetings::internal
