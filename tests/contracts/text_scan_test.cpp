#include "contracts/text_scan.h"

#include <algorithm>
#include <cstdint>
#include <string>

#include <gtest/gtest.h>

#include "contracts/lexicon.h"

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

// The fast searches must give exactly the answers of the std::string_view
// searches they replace (the parser's output may not change). A small
// alphabet makes partial matches frequent; lengths cross the 16-byte steps
// of the SSE2 loop.
std::string pseudo_text(std::size_t n, std::uint32_t seed) {
  static constexpr char kAlphabet[] = "ab ,\nab";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    seed = seed * 1103515245u + 12345u;
    out.push_back(kAlphabet[(seed >> 16) % 8]);
  }
  return out;
}

TEST(FindIn, AgreesWithStringViewFindAndRfind) {
  for (std::size_t n : {0u, 1u, 5u, 15u, 16u, 17u, 31u, 33u, 64u, 200u, 700u}) {
    std::string hay = pseudo_text(n, static_cast<std::uint32_t>(n) + 7);
    for (std::string_view needle : {"a", "ab", "b ", "  ", "   ", ", a", "ab,\n", "a b a", "bb", "", "\n\n"}) {
      std::string_view h = hay;
      for (std::size_t from = 0; from <= n + 1; from += (n < 40 ? 1 : 13)) {
        ASSERT_EQ(find_in(h, needle, from), h.find(needle, from)) << n << " '" << needle << "' " << from;
      }
      ASSERT_EQ(rfind_in(h, needle), h.rfind(needle)) << n << " '" << needle << "'";
      ASSERT_EQ(find_fast(h, needle, 3), h.find(needle, 3)) << n << " '" << needle << "'";
    }
  }
}

TEST(FindAny, IsTheFirstOfTheNeedlesBelowTheLimit) {
  std::string hay = pseudo_text(300, 11);
  std::initializer_list<std::string_view> needles = {"b b", ",\na", "aaa", "  ,"};
  std::size_t first = std::string_view::npos;
  for (std::string_view n : needles) first = std::min(first, std::string_view(hay).find(n));
  ASSERT_NE(first, std::string_view::npos);
  EXPECT_EQ(find_any(hay, needles), first);
  EXPECT_EQ(find_any(hay, needles, first + 1), first);
  EXPECT_EQ(find_any(hay, needles, first), std::string_view::npos);
  EXPECT_EQ(find_any("no match here", {"xyz", "qq"}), std::string_view::npos);
}

TEST(TextIndex, LowercasesAsciiOnly) {
  std::string text;
  for (int c = 1; c < 256; ++c) text.push_back(static_cast<char>(c));
  text += "MiXeD Case \xc3\x84NDERUNG";
  TextIndex ix(text);
  std::string expected = text;
  for (char& c : expected) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  EXPECT_EQ(ix.lower(), expected);
}

TEST(TextIndex, FindsAnchorWordsLikeAScanOfTheLowercasedText) {
  std::string text = "Renewrenewal NON-RENEWAL; the Term (terms) shall renew. Net 30, net-45, NET. "
                     "Number of users: between us. Invoiced\ninvoice payable within 30 days, paid within ";
  for (std::string_view w : lexicon::kAnchorWords) {
    text += std::string(w) + " x" + std::string(w) + "\n" + std::string(w.substr(0, w.size() - 1)) + " ";
  }
  text += "ter";  // a word's head at the very end
  TextIndex ix(text);
  std::vector<std::string_view> needles(std::begin(lexicon::kAnchorWords), std::end(lexicon::kAnchorWords));
  needles.push_back("shall");  // not an anchor: answered by a scan
  for (std::string_view needle : needles) {
    for (std::size_t from = 0; from <= text.size() + 1; from += 7) {
      ASSERT_EQ(ix.find(needle, from), find_fast(ix.lower(), needle, from)) << needle << " " << from;
      ASSERT_EQ(ix.find_word(needle, from), find_word(ix.lower(), needle, from)) << needle << " " << from;
      for (std::size_t end : {std::size_t{40}, std::size_t{101}, text.size() - 3}) {
        ASSERT_EQ(ix.find_word(needle, from, end), find_word(ix.lower().substr(0, end), needle, from))
            << needle << " " << from << " " << end;
      }
    }
  }
}

}  // namespace
}  // namespace cscx::contracts::internal
