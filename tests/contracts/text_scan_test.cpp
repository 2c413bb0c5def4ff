#include "contracts/text_scan.h"

#include <gtest/gtest.h>

namespace cscx::contracts::internal {
namespace {

std::string first_date(std::string_view lower, bool day_first = false) {
  auto hits = find_dates(lower, day_first);
  return hits.empty() ? std::string("none") : hits.front().date.iso();
}

double number(std::string_view s) { return scan_number(s, 0)->value; }

TEST(FindDates, ReadsIso) { EXPECT_EQ(first_date("from 2024-03-01 on"), "2024-03-01"); }

TEST(FindDates, ReadsDottedDayMonthYear) { EXPECT_EQ(first_date("ab 01.04.2024"), "2024-04-01"); }

TEST(FindDates, ReadsUsSlashDates) { EXPECT_EQ(first_date("on 05/01/2024"), "2024-05-01"); }

TEST(FindDates, ReadsSlashDatesDayFirstWhenTheDayIsOverTwelve) {
  EXPECT_EQ(first_date("until 30/09/2027"), "2027-09-30");
}

TEST(FindDates, ReadsSlashDatesDayFirstWhenAsked) {
  EXPECT_EQ(first_date("from 01/10/2024", true), "2024-10-01");
}

TEST(FindDates, ReadsMonthDayYear) { EXPECT_EQ(first_date("as of march 1, 2024."), "2024-03-01"); }

TEST(FindDates, ReadsOrdinalOfMonth) { EXPECT_EQ(first_date("on the 1st of june 2023"), "2023-06-01"); }

TEST(FindDates, ReadsOrdinalDayOfMonthWithComma) {
  EXPECT_EQ(first_date("made on the 1st day of february, 2024 by"), "2024-02-01");
}

TEST(FindDates, ReadsDayMonthYear) { EXPECT_EQ(first_date("start: 1 september 2024"), "2024-09-01"); }

TEST(FindDates, ReadsGermanMonthNames) { EXPECT_EQ(first_date("1. m\xc3\xa4rz 2024"), "2024-03-01"); }

TEST(FindDates, ExpandsTwoDigitYears) { EXPECT_EQ(first_date("dated 9/9/97"), "1997-09-09"); }

TEST(FindDates, RejectsImpossibleDates) { EXPECT_EQ(first_date("on 31.02.2024"), "none"); }

TEST(FindDates, IgnoresVersionNumbers) { EXPECT_EQ(first_date("version 1.2.2024.5"), "none"); }

TEST(ScanNumber, ReadsUsThousandsAndDecimals) { EXPECT_DOUBLE_EQ(number("1,234.56"), 1234.56); }

TEST(ScanNumber, ReadsEuropeanThousandsAndDecimals) { EXPECT_DOUBLE_EQ(number("1.234,56"), 1234.56); }

TEST(ScanNumber, ReadsALoneDotBeforeThreeDigitsAsThousands) {
  EXPECT_DOUBLE_EQ(number("27.600"), 27600);
}

TEST(ScanNumber, ReadsALoneCommaBeforeTwoDigitsAsDecimal) { EXPECT_DOUBLE_EQ(number("12,50"), 12.5); }

TEST(ScanNumber, ReadsSwissApostrophes) { EXPECT_DOUBLE_EQ(number("1'250.00"), 1250); }

TEST(ScanNumber, ReadsSpacesAsThousands) { EXPECT_DOUBLE_EQ(number("1 234 567,89"), 1234567.89); }

TEST(FindMoney, ReadsSymbolBefore) {
  std::string_view t = "a fee of $1,200.50 per year";
  auto hits = find_money(t, t);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_DOUBLE_EQ(hits[0].value, 1200.5);
  EXPECT_EQ(hits[0].currency, "USD");
  EXPECT_EQ(t.substr(hits[0].begin, hits[0].end - hits[0].begin), "$1,200.50");
}

TEST(FindMoney, ReadsCodeBeforeWithEuropeanNumber) {
  std::string_view t = "EUR 4.250,00";
  auto hits = find_money(t, "eur 4.250,00");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_DOUBLE_EQ(hits[0].value, 4250);
  EXPECT_EQ(hits[0].currency, "EUR");
}

TEST(FindMoney, ReadsSymbolAfter) {
  std::string_view t = "9.500,00 \xe2\x82\xac monthly";
  auto hits = find_money(t, t);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_DOUBLE_EQ(hits[0].value, 9500);
  EXPECT_EQ(hits[0].currency, "EUR");
}

TEST(FindMoney, ReadsPrefixedDollarSigns) {
  std::string_view t = "A$210,000";
  auto hits = find_money(t, t);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].currency, "AUD");
}

TEST(FindMoney, ReadsMultipliers) {
  std::string_view t = "USD 1.2 million";
  auto hits = find_money(t, "usd 1.2 million");
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_DOUBLE_EQ(hits[0].value, 1.2e6);
}

TEST(FindMoney, IgnoresBareNumbers) {
  std::string_view t = "250 users and 12 sites";
  EXPECT_TRUE(find_money(t, t).empty());
}

TEST(FindDurations, ReadsWordsWithDigitsInParentheses) {
  std::string_view t = "within thirty (30) days of invoice";
  auto d = find_durations(t, {0, t.size()});
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].count, 30);
  EXPECT_EQ(d[0].unit, "day");
  EXPECT_EQ(t.substr(d[0].begin, d[0].end - d[0].begin), "thirty (30) days");
}

TEST(FindDurations, ReadsHyphenatedLengths) {
  std::string_view t = "a 36-month term";
  auto d = find_durations(t, {0, t.size()});
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].count, 36);
  EXPECT_EQ(d[0].unit, "month");
}

TEST(FindDurations, ReadsNumberWords) {
  std::string_view t = "for three years";
  auto d = find_durations(t, {0, t.size()});
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].count, 3);
  EXPECT_EQ(d[0].unit, "year");
}

TEST(SplitCells, SplitsPipesTabsAndWideGaps) {
  EXPECT_EQ(split_cells("| a | b |").size(), 2u);
  EXPECT_EQ(split_cells("a\tb\tc").size(), 3u);
  EXPECT_EQ(split_cells("Core Seats     50     $2,500").size(), 3u);
  EXPECT_EQ(split_cells("one sentence with  two spaces").size(), 1u);
}

TEST(BulletLength, RecognisesCommonBullets) {
  EXPECT_EQ(bullet_length("- item"), 2u);
  EXPECT_EQ(bullet_length("\xe2\x80\xa2 item"), 4u);
  EXPECT_EQ(bullet_length("(a) item"), 4u);
  EXPECT_EQ(bullet_length("2. item"), 3u);
  EXPECT_EQ(bullet_length("plain text"), 0u);
}

TEST(Date, AddsMonthsClampingTheDay) {
  EXPECT_EQ((Date{2024, 1, 31}.add_months(1).iso()), "2024-02-29");
}

}  // namespace
}  // namespace cscx::contracts::internal
