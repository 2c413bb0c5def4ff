// Due-date resolution: "by Tuesday", "end of next week", "EOM", "Friday the
// 14th", "tomorrow", "in two weeks", "March 3rd", "2024-03-14".
//
// Conventions (docs/meetings.md): a bare weekday is its next occurrence after
// the meeting day; "this <day>" may be the meeting day itself; "next <day>"
// is that day in the following Monday-to-Sunday week; "end of (the) week" is
// Friday. Vague timing ("next week", "soon", "ASAP") resolves to nothing.
#include <array>
#include <cctype>
#include <charconv>

#include "meetings/transcript_internal.h"

namespace cscx::meetings::internal {
namespace {

using std::chrono::days;
using std::chrono::sys_days;
using std::chrono::year_month_day;
using std::chrono::year_month_day_last;

constexpr std::array<std::string_view, 7> kWeekdays = {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"};
constexpr std::array<std::string_view, 7> kWeekdayShort = {"mon", "tue", "wed", "thu",
                                                           "fri", "sat", "sun"};
constexpr std::array<std::string_view, 12> kMonths = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};
constexpr std::array<std::string_view, 12> kMonthShort = {
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::array<std::string_view, 13> kNumbers = {
    "zero", "one", "two", "three", "four", "five", "six",
    "seven", "eight", "nine", "ten", "eleven", "twelve"};

// Monday = 0.
int weekday_index(std::string_view w, bool allow_short) {
  for (int i = 0; i < 7; ++i) {
    if (w == kWeekdays[i]) return i;
    if (allow_short && (w == kWeekdayShort[i] || (i == 1 && w == "tues") ||
                        (i == 3 && (w == "thur" || w == "thurs")))) {
      return i;
    }
  }
  return -1;
}

int month_index(std::string_view w) {  // 1..12
  for (int i = 0; i < 12; ++i) {
    if (w == kMonths[i] || w == kMonthShort[i] || (i == 8 && w == "sept")) return i + 1;
  }
  return 0;
}

// "14", "14th", "1st" -> day of month (1..31) or 0.
int day_number(std::string_view w) {
  std::string_view digits = w;
  for (std::string_view suffix : {"st", "nd", "rd", "th"}) {
    if (digits.ends_with(suffix)) {
      digits.remove_suffix(2);
      break;
    }
  }
  int v = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc() || p != digits.data() + digits.size() || v < 1 || v > 31) return 0;
  return v;
}

int count_number(std::string_view w) {
  if (w == "a" || w == "an") return 1;
  for (int i = 1; i < 13; ++i) {
    if (w == kNumbers[i]) return i;
  }
  int v = 0;
  auto [p, ec] = std::from_chars(w.data(), w.data() + w.size(), v);
  if (ec != std::errc() || p != w.data() + w.size() || v < 1 || v > 366) return 0;
  return v;
}

int weekday_of(sys_days d) {  // Monday = 0
  return static_cast<int>((std::chrono::weekday(d).c_encoding() + 6) % 7);
}

sys_days last_of_month(std::chrono::year y, std::chrono::month m) {
  return sys_days(year_month_day_last(y, std::chrono::month_day_last(m)));
}

struct Cursor {
  const std::vector<Token>& t;
  std::size_t i;
  std::string_view at(std::size_t k) const {
    return i + k < t.size() ? std::string_view(t[i + k].lower) : std::string_view();
  }
};

// "period" words of "end of the <period>".
enum class Period { kNone, kDay, kWeek, kMonth, kQuarter, kYear };
Period period_of(std::string_view w) {
  if (w == "day" || w == "today") return Period::kDay;
  if (w == "week") return Period::kWeek;
  if (w == "month") return Period::kMonth;
  if (w == "quarter") return Period::kQuarter;
  if (w == "year") return Period::kYear;
  return Period::kNone;
}

sys_days end_of(Period p, sys_days m, int ahead) {
  year_month_day ymd(m);
  switch (p) {
    case Period::kDay:
      return m + days(ahead);
    case Period::kWeek: {
      int w = weekday_of(m);
      sys_days friday = m + days(4 - w);
      if (w > 4 && ahead == 0) friday += days(7);  // said at the weekend
      return friday + days(7 * ahead);
    }
    case Period::kMonth: {
      auto ym = std::chrono::year_month(ymd.year(), ymd.month()) + std::chrono::months(ahead);
      return last_of_month(ym.year(), ym.month());
    }
    case Period::kQuarter: {
      unsigned q = (static_cast<unsigned>(ymd.month()) - 1) / 3;
      auto ym = std::chrono::year_month(ymd.year(), std::chrono::month(q * 3 + 3)) +
                std::chrono::months(3 * ahead);
      return last_of_month(ym.year(), ym.month());
    }
    case Period::kYear:
      return sys_days((ymd.year() + std::chrono::years(ahead)) / std::chrono::December / 31);
    case Period::kNone:
      break;
  }
  return m;
}

// The first date on or after `from` whose day is `day` (and weekday, if >= 0).
std::optional<sys_days> next_day_of_month(sys_days from, int day, int weekday) {
  year_month_day f(from);
  auto ym = std::chrono::year_month(f.year(), f.month());
  for (int k = 0; k < 28; ++k, ym += std::chrono::months(1)) {
    year_month_day cand(ym.year(), ym.month(), std::chrono::day(static_cast<unsigned>(day)));
    if (!cand.ok() || sys_days(cand) < from) continue;
    if (weekday >= 0 && weekday_of(sys_days(cand)) != weekday) continue;
    return sys_days(cand);
  }
  return std::nullopt;
}

enum class Outcome { kNoMatch, kVague, kDate };
struct Parsed {
  Outcome outcome = Outcome::kNoMatch;
  sys_days date{};
};

Parsed date(sys_days d) { return {Outcome::kDate, d}; }

Parsed parse_at(const Cursor& c, std::optional<sys_days> meeting) {
  std::string_view w0 = c.at(0), w1 = c.at(1), w2 = c.at(2);
  // ISO 2024-03-14 (tokenized as "2024" "03" "14"): needs no meeting date.
  if (w0.size() == 4 && count_number(w0) == 0 && day_number(w2) && !w1.empty()) {
    int y = 0, m = 0;
    std::from_chars(w0.data(), w0.data() + 4, y);
    std::from_chars(w1.data(), w1.data() + w1.size(), m);
    year_month_day ymd{std::chrono::year(y), std::chrono::month(static_cast<unsigned>(m)),
                       std::chrono::day(static_cast<unsigned>(day_number(w2)))};
    if (y >= 1970 && ymd.ok()) return date(sys_days(ymd));
  }
  if (w0 == "soon" || w0 == "asap" || w0 == "shortly" || w0 == "eventually" ||
      w0 == "sometime" || (w0 == "at" && w1 == "some" && w2 == "point") ||
      (w0 == "coming" && (w1 == "weeks" || w1 == "days" || w1 == "months"))) {
    return {Outcome::kVague};
  }
  if (!meeting) return {};
  sys_days m = *meeting;
  int wd_m = weekday_of(m);
  // "EOD tomorrow", "end of day Friday": the later word names the day.
  if (w0 == "eod" || w0 == "cob" || (w0 == "close" && w1 == "of" && w2 == "business") ||
      (w0 == "end" && w1 == "of" && (w2 == "day" || (w2 == "the" && c.at(3) == "day")))) {
    std::size_t k = w0 == "eod" || w0 == "cob" ? 1 : w2 == "the" ? 4 : 3;
    if (c.at(k) == "tomorrow") return date(m + days(1));
    if (c.at(k) == "today") ++k;
    if (weekday_index(c.at(k), true) < 0) return date(m);
    return {};  // the weekday, further on, gives the date
  }
  if (w0 == "today" || w0 == "tonight" ||
      (w0 == "this" && (w1 == "afternoon" || w1 == "morning" || w1 == "evening"))) {
    return date(m);
  }
  if (w0 == "tomorrow") return date(m + days(1));
  if (w0 == "eow") return date(end_of(Period::kWeek, m, 0));
  if (w0 == "eom") return date(end_of(Period::kMonth, m, 0));
  if (w0 == "eoq") return date(end_of(Period::kQuarter, m, 0));
  if (w0 == "eoy") return date(end_of(Period::kYear, m, 0));
  if ((w0 == "month" || w0 == "quarter" || w0 == "year") && w1 == "end") {
    return date(end_of(period_of(w0), m, 0));
  }
  if (w0 == "end" && w1 == "of") {
    std::size_t k = 2;
    if (c.at(k) == "the" || c.at(k) == "this") ++k;
    int ahead = 0;
    if (c.at(k) == "next") {
      ahead = 1;
      ++k;
    }
    if (Period p = period_of(c.at(k)); p != Period::kNone) return date(end_of(p, m, ahead));
  }
  if (w0 == "next" && (w1 == "week" || w1 == "month" || w1 == "quarter" || w1 == "year")) {
    return {Outcome::kVague};
  }
  if ((w0 == "this" || w0 == "later") && (w1 == "week" || w1 == "month")) return {Outcome::kVague};
  if (w0 == "in" || w0 == "within") {
    std::size_t k = 1;
    if (c.at(k) == "the" && c.at(k + 1) == "next") k += 2;
    if (c.at(k) == "a" && (c.at(k + 1) == "couple" || c.at(k + 1) == "few")) return {Outcome::kVague};
    if (int n = count_number(c.at(k)); n > 0) {
      std::string_view unit = c.at(k + 1);
      if (unit == "business" || unit == "working") unit = c.at(k + 2);
      if (unit == "day" || unit == "days") return date(m + days(n));
      if (unit == "week" || unit == "weeks") return date(m + days(7 * n));
      if (unit == "month" || unit == "months") {
        year_month_day ymd(m);
        auto ym = std::chrono::year_month(ymd.year(), ymd.month()) + std::chrono::months(n);
        year_month_day out(ym.year(), ym.month(), ymd.day());
        if (!out.ok()) out = year_month_day(last_of_month(ym.year(), ym.month()));
        return date(sys_days(out));
      }
    }
  }
  bool next = w0 == "next", this_ = w0 == "this";
  std::size_t k = next || this_ ? 1 : 0;
  // "sat", "sun" and "wed" are words too: short names only after a preposition.
  std::string_view prev = c.i > 0 ? std::string_view(c.t[c.i - 1].lower) : std::string_view();
  bool allow_short = k > 0 || prev == "by" || prev == "on" || prev == "until" || prev == "before";
  if (int wd = weekday_index(c.at(k), allow_short); wd >= 0) {
    std::string_view after = c.at(k + 1), after2 = c.at(k + 2), after3 = c.at(k + 3);
    if (after == "the" && day_number(after2)) {  // "Friday the 14th"
      if (auto d = next_day_of_month(m + days(1), day_number(after2), wd)) return date(*d);
      if (auto d = next_day_of_month(m + days(1), day_number(after2), -1)) return date(*d);
    }
    if (after == "next" && after2 == "week") next = true;
    if (after == "week" && (after2 == "after" && after3 == "next")) {
      return date(m - days(wd_m) + days(14 + wd));
    }
    if (next) return date(m - days(wd_m) + days(7 + wd));
    int ahead = (wd - wd_m + 7) % 7;
    if (!this_ && ahead == 0) ahead = 7;
    return date(m + days(ahead));
  }
  // "March 14", "March 14th", "14 March", "14th of March", "the 14th".
  int month = 0, day = 0;
  if ((month = month_index(w0)) && (day = day_number(w1))) {
    if (w0 == "may" && !std::isdigit(static_cast<unsigned char>(w1.front()))) month = 0;
  } else if ((day = day_number(w0)) && ((month = month_index(w1)) ||
                                        (w1 == "of" && (month = month_index(w2))))) {
  } else if (w0 == "the" && (day = day_number(w1)) && w1.size() > 2 &&
             !std::isdigit(static_cast<unsigned char>(w1.back()))) {
    if (auto d = next_day_of_month(m, day, -1)) return date(*d);
    return {};
  }
  if (month && day) {
    year_month_day ymd(m);
    year_month_day cand{ymd.year(), std::chrono::month(static_cast<unsigned>(month)),
                        std::chrono::day(static_cast<unsigned>(day))};
    if (!cand.ok()) return {};
    if (sys_days(cand) < m) cand = cand.year() / cand.month() / cand.day() + std::chrono::years(1);
    if (cand.ok()) return date(sys_days(cand));
  }
  return {};
}

}  // namespace

std::optional<year_month_day> resolve_due_date(const std::vector<Token>& tokens,
                                               std::optional<year_month_day> meeting_date) {
  std::optional<sys_days> meeting;
  if (meeting_date && meeting_date->ok()) meeting = sys_days(*meeting_date);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    Parsed p = parse_at(Cursor{tokens, i}, meeting);
    if (p.outcome == Outcome::kVague) return std::nullopt;
    if (p.outcome == Outcome::kDate) return year_month_day(p.date);
  }
  return std::nullopt;
}

}  // namespace cscx::meetings::internal
