// Internal: the scanning layer under the contract rules. Lines, sentences,
// dates, numbers, amounts of money and counted durations, found by hand-written
// scanners (no std::regex: the parser must read > 20 MB/s).
#pragma once

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cscx::contracts::internal {

struct Span {
  std::size_t begin = 0;
  std::size_t end = 0;
  bool empty() const { return end <= begin; }
};

// The text plus an ASCII-lowercased copy with the same byte offsets.
class TextIndex {
 public:
  explicit TextIndex(std::string_view text);

  std::string_view text() const { return text_; }
  std::string_view lower() const { return lower_; }
  std::size_t line_count() const { return lines_.size(); }
  Span line(std::size_t i) const { return lines_[i]; }
  std::string_view line_text(std::size_t i) const { return slice(lines_[i]); }
  std::string_view line_lower(std::size_t i) const;
  std::size_t line_of(std::size_t offset) const;
  std::string_view slice(Span s) const { return text_.substr(s.begin, s.end - s.begin); }
  std::string_view slice_lower(Span s) const;

  // The sentence around `offset`: bounded by sentence punctuation, a blank
  // line, or a line that starts a bullet, label or table row; at most ~600
  // bytes either side.
  Span sentence_around(std::size_t offset) const;
  // The line when it is a table row or a label, otherwise the sentence.
  Span context_around(std::size_t offset) const;

  // find_fast(lower(), needle, from): for the words of lexicon::kAnchorWords
  // a lookup in the occurrences found by the constructor's single pass.
  std::size_t find(std::string_view needle, std::size_t from = 0) const;
  // find_word(lower().substr(0, end), needle, from), the same way.
  std::size_t find_word(std::string_view needle, std::size_t from = 0,
                        std::size_t end = std::string_view::npos) const;

 private:
  std::string_view text_;
  std::string lower_;
  std::vector<Span> lines_;
  // Offsets of every occurrence (overlapping ones too) of each anchor word
  // in lower_, ascending; indexed like lexicon::kAnchorWords.
  std::vector<std::vector<std::size_t>> anchors_;
};

// `hay.find(needle, from)` with glibc's memmem: string_view::find compares
// at every occurrence of the needle's first byte, which is slow on whole
// documents.
std::size_t find_fast(std::string_view hay, std::string_view needle, std::size_t from = 0);

// `hay.find(needle, from)` and `hay.rfind(needle)` for the short spans the
// rules read (a sentence, a cell, a window): libstdc++ calls memchr and then
// memcmp per candidate (find) or memcmp at every position (rfind); these
// compare the first byte inline and the rest only when it matches.
std::size_t find_in(std::string_view hay, std::string_view needle, std::size_t from = 0);
std::size_t rfind_in(std::string_view hay, std::string_view needle);
// The lowest offset below `limit` at which any of `needles` occurs in `hay`
// (the minimum of find_in(hay, needle) over the needles), found in one pass
// that stops at the first hit; npos when there is none below `limit`.
std::size_t find_any(std::string_view hay, std::initializer_list<std::string_view> needles,
                     std::size_t limit = std::string_view::npos);

// ASCII lowercase copy: the same bytes as std::tolower in the "C" locale
// (the only one the parser runs in), without a library call per byte.
std::string lower_ascii(std::string_view s);

bool is_blank(std::string_view s);
std::string_view trim(std::string_view s);
// Trims spaces and the punctuation that frames a value (":", "-", "|", quotes).
std::string_view trim_value(std::string_view s);
bool is_word_char(char c);  // ASCII alnum, '_' or any non-ASCII byte
// True when `needle` occurs in `hay` at a word boundary on both sides.
bool contains_word(std::string_view hay, std::string_view needle);
std::size_t find_word(std::string_view hay, std::string_view needle, std::size_t from = 0);

// A bullet ("-", "*", "•", "1.", "(a)", "a)") at the start of a line: the
// number of bytes it takes, or 0.
std::size_t bullet_length(std::string_view line);

// Splits a table row into cells on "|", tabs, or runs of 3+ spaces (2+ when
// `loose`). Cells are trimmed spans relative to `line`.
// With `keep_empty`, empty cells between pipes are kept (so columns stay
// aligned) and the empty edges of "| a | b |" are dropped.
std::vector<Span> split_cells(std::string_view line, bool loose = false, bool keep_empty = false);

struct Date {
  int year = 0;
  int month = 0;
  int day = 0;
  std::string iso() const;
  long days_since_epoch() const;
  static Date from_days(long days);
  Date add_months(int months) const;
  bool operator==(const Date&) const = default;
};

struct DateHit {
  Date date;
  std::size_t begin = 0;
  std::size_t end = 0;
};

// Every date in `lower` (the lowercased text): ISO, DD.MM.YYYY, MM/DD/YYYY
// (DD/MM/YYYY when the day is over 12 or `day_first`), "March 1, 2024",
// "1 March 2024", "1st of March 2024", "the 1st day of March, 2024", with
// English, German and French month names.
std::vector<DateHit> find_dates(std::string_view lower, bool day_first);

struct NumberHit {
  double value = 0;
  std::size_t begin = 0;
  std::size_t end = 0;
};

// Reads a number at `pos` with thousands and decimal separators in either
// convention: 1,234.56 1.234,56 1 234,56 1'234.56 (a lone separator followed
// by exactly three digits is a thousands separator).
std::optional<NumberHit> scan_number(std::string_view text, std::size_t pos);

struct MoneyHit {
  double value = 0;
  std::string currency;  // ISO 4217
  std::size_t begin = 0;
  std::size_t end = 0;
};

// Amounts with a currency symbol or code before or after them ("$1,200",
// "EUR 1.234,56", "9.500,00 €", "USD 120k", "1.2 million euros").
std::vector<MoneyHit> find_money(std::string_view text, std::string_view lower);

struct CountHit {
  long long value = 0;
  std::size_t begin = 0;
  std::size_t end = 0;
};

// The count written just before `pos` (which starts a unit word): "30",
// "thirty (30)", "thirty", "36-", "1,000". Skips spaces, quotes and hyphens.
std::optional<CountHit> count_before(std::string_view lower, std::size_t pos);

// "<count> <unit>" inside `span` of `lower`, unit in {"day","month","year",
// "week"} (plural, possessive and "-month" forms too); returns the duration
// in the asked unit family: days for "day"/"week"/"month", months for
// "month"/"year".
struct Duration {
  long long count = 0;
  std::string_view unit;  // "day", "week", "month" or "year"
  std::size_t begin = 0;
  std::size_t end = 0;
};
std::vector<Duration> find_durations(std::string_view lower, Span span);

}  // namespace cscx::contracts::internal
