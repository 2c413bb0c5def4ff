#include "contracts/text_scan.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstring>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <iterator>

#include "contracts/lexicon.h"

namespace cscx::contracts::internal {
namespace {

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_space(char c) { return c == ' ' || c == '\t'; }

// Byte by byte: the prefixes are a few bytes long, shorter than a memcmp call.
bool starts_with(std::string_view s, std::size_t pos, std::string_view p) {
  if (s.size() < pos + p.size()) return false;
  for (std::size_t k = 0; k < p.size(); ++k) {
    if (s[pos + k] != p[k]) return false;
  }
  return true;
}

// The two bytes at `p` as a table index.
unsigned bigram(const char* p) {
  return static_cast<unsigned char>(p[0]) | (static_cast<unsigned>(static_cast<unsigned char>(p[1])) << 8);
}

std::uint16_t load2(const char* p) {
  std::uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}

bool same_bytes(const char* a, const char* b, std::size_t n) {
  for (std::size_t k = 0; k < n; ++k) {
    if (a[k] != b[k]) return false;
  }
  return true;
}

}  // namespace

// A table: find_dates asks this of nearly every byte of the document.
constexpr auto kWordChars = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 256; ++c) {
    char ch = static_cast<char>(c);
    table[static_cast<std::size_t>(c)] = is_digit(ch) || is_alpha(ch) || ch == '_' || c >= 0x80;
  }
  return table;
}();

bool is_word_char(char c) { return kWordChars[static_cast<unsigned char>(c)]; }

std::size_t find_fast(std::string_view hay, std::string_view needle, std::size_t from) {
  if (from > hay.size() || needle.size() > hay.size() - from) return std::string_view::npos;
  if (needle.empty()) return from;
  // memmem's setup costs more than it saves on short strings.
  if (hay.size() - from < 256) return find_in(hay, needle, from);
  const void* p = memmem(hay.data() + from, hay.size() - from, needle.data(), needle.size());
  return p == nullptr ? std::string_view::npos
                      : static_cast<std::size_t>(static_cast<const char*>(p) - hay.data());
}

std::size_t find_in(std::string_view hay, std::string_view needle, std::size_t from) {
  if (needle.empty()) return from <= hay.size() ? from : std::string_view::npos;
  if (from >= hay.size() || needle.size() > hay.size() - from) return std::string_view::npos;
  const std::size_t last = hay.size() - needle.size();
  if (needle.size() == 1) {
    const void* p = std::memchr(hay.data() + from, needle[0], last + 1 - from);
    return p == nullptr ? std::string_view::npos
                        : static_cast<std::size_t>(static_cast<const char*>(p) - hay.data());
  }
  std::size_t p = from;
#if defined(__SSE2__)
  // Sixteen offsets at a time: those where both the first and the last byte
  // of the needle match, in ascending order, are the only ones compared in
  // full.
  const std::size_t k = needle.size() - 1;
  const __m128i first = _mm_set1_epi8(needle[0]);
  const __m128i tail = _mm_set1_epi8(needle[k]);
  for (; p + 16 <= last + 1; p += 16) {
    __m128i at_first = _mm_loadu_si128(reinterpret_cast<const __m128i*>(hay.data() + p));
    __m128i at_final = _mm_loadu_si128(reinterpret_cast<const __m128i*>(hay.data() + p + k));
    unsigned mask = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(at_first, first), _mm_cmpeq_epi8(at_final, tail))));
    while (mask != 0) {
      std::size_t q = p + static_cast<std::size_t>(__builtin_ctz(mask));
      if (same_bytes(hay.data() + q + 1, needle.data() + 1, k)) return q;
      mask &= mask - 1;
    }
  }
#endif
  // The first two bytes as one integer: a space or a comma starts many
  // needles and is common in text, a pair of bytes much less so.
  const std::uint16_t head = load2(needle.data());
  for (; p <= last; ++p) {
    if (load2(hay.data() + p) == head && same_bytes(hay.data() + p + 2, needle.data() + 2, needle.size() - 2)) {
      return p;
    }
  }
  return std::string_view::npos;
}

std::size_t find_any(std::string_view hay, std::initializer_list<std::string_view> needles, std::size_t limit) {
  std::array<bool, 256> starts{};
  for (std::string_view n : needles) {
    if (n.empty()) return 0;
    starts[static_cast<unsigned char>(n[0])] = true;
  }
  limit = std::min(limit, hay.size());
  for (std::size_t p = 0; p < limit; ++p) {
    if (!starts[static_cast<unsigned char>(hay[p])]) continue;
    for (std::string_view n : needles) {
      if (n[0] == hay[p] && n.size() <= hay.size() - p && same_bytes(hay.data() + p + 1, n.data() + 1, n.size() - 1)) {
        return p;
      }
    }
  }
  return std::string_view::npos;
}

std::size_t rfind_in(std::string_view hay, std::string_view needle) {
  if (needle.size() > hay.size()) return std::string_view::npos;
  if (needle.empty()) return hay.size();
  const char first = needle[0];
  for (std::size_t p = hay.size() - needle.size() + 1; p-- > 0;) {
    if (hay[p] == first && same_bytes(hay.data() + p + 1, needle.data() + 1, needle.size() - 1)) return p;
  }
  return std::string_view::npos;
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool is_blank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return is_space(c) || c == '\n'; });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (is_space(s.front()) || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (is_space(s.back()) || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

std::string_view trim_value(std::string_view s) {
  auto framing = [](char c) {
    return is_space(c) || c == '\n' || c == ':' || c == '|' || c == '"' || c == '\'' ||
           c == '*' || c == '_' || c == '=' || c == '#';
  };
  while (!s.empty() && (framing(s.front()) || s.front() == '-')) s.remove_prefix(1);
  while (!s.empty() && (framing(s.back()) || s.back() == ',' || s.back() == ';')) {
    s.remove_suffix(1);
  }
  return s;
}

std::size_t find_word(std::string_view hay, std::string_view needle, std::size_t from) {
  while (true) {
    std::size_t p = find_fast(hay, needle, from);
    if (p == std::string_view::npos) return p;
    bool left = p == 0 || !is_word_char(hay[p - 1]) || !is_word_char(needle.front());
    std::size_t e = p + needle.size();
    bool right = e >= hay.size() || !is_word_char(hay[e]) || !is_word_char(needle.back());
    if (left && right) return p;
    from = p + 1;
  }
}

bool contains_word(std::string_view hay, std::string_view needle) {
  return find_word(hay, needle) != std::string_view::npos;
}

std::size_t bullet_length(std::string_view line) {
  std::size_t i = 0;
  while (i < line.size() && is_space(line[i])) ++i;
  if (i >= line.size()) return 0;
  auto after = [&](std::size_t j) -> std::size_t {
    if (j < line.size() && is_space(line[j])) {
      while (j < line.size() && is_space(line[j])) ++j;
      return j;
    }
    return 0;
  };
  char c = line[i];
  if (c == '-' || c == '*' || c == '+' || c == 'o') {
    if (c == 'o' && !(i + 1 < line.size() && is_space(line[i + 1]))) return 0;
    return after(i + 1);
  }
  // Every bullet here starts with a non-ASCII byte; most lines start with ASCII.
  if (static_cast<unsigned char>(c) >= 0x80) {
    for (std::string_view b : {"\xe2\x80\xa2", "\xe2\x97\xa6", "\xe2\x96\xaa", "\xe2\x97\x8f",
                               "\xe2\x80\xa3", "\xe2\x88\x99", "\xc2\xb7", "\xef\x82\xb7"}) {
      if (starts_with(line, i, b)) {
        std::size_t j = i + b.size();
        while (j < line.size() && is_space(line[j])) ++j;
        return j;
      }
    }
  }
  if (c == '(') {
    std::size_t j = i + 1;
    while (j < line.size() && j < i + 5 && (is_alpha(line[j]) || is_digit(line[j]))) ++j;
    if (j < line.size() && line[j] == ')' && j > i + 1) return after(j + 1);
    return 0;
  }
  std::size_t j = i;
  while (j < line.size() && is_digit(line[j]) && j < i + 3) ++j;
  if (j == i && j < line.size() && is_alpha(line[j]) && j + 1 < line.size() &&
      line[j + 1] == ')') {
    return after(j + 2);
  }
  if (j > i && j < line.size() && (line[j] == '.' || line[j] == ')')) return after(j + 1);
  return 0;
}

std::vector<Span> split_cells(std::string_view line, bool loose, bool keep_empty) {
  std::vector<Span> cells;
  bool pipes = line.find('|') != std::string_view::npos;
  // Most lines are prose: one cell, found without walking the line.
  if (!pipes && line.find('\t') == std::string_view::npos &&
      find_in(line, loose ? std::string_view("  ") : std::string_view("   ")) == std::string_view::npos) {
    std::string_view t = trim(line);
    if (!t.empty()) {
      std::size_t b = static_cast<std::size_t>(t.data() - line.data());
      cells.push_back({b, b + t.size()});
    }
    return cells;
  }
  std::size_t start = 0;
  if (pipes && keep_empty) {
    std::string_view t = trim(line);
    if (!t.empty() && t.front() == '|') start = line.find('|') + 1;
    if (!t.empty() && t.back() == '|' && t.size() > 1) line = line.substr(0, line.rfind('|'));
  }
  auto push = [&](std::size_t b, std::size_t e) {
    while (b < e && is_space(line[b])) ++b;
    while (e > b && is_space(line[e - 1])) --e;
    if (e > b || (keep_empty && pipes)) cells.push_back({b, std::max(b, e)});
  };
  std::size_t i = start;
  while (i < line.size()) {
    if (pipes) {
      if (line[i] == '|') {
        push(start, i);
        start = i + 1;
      }
      ++i;
      continue;
    }
    if (line[i] == '\t') {
      push(start, i);
      start = ++i;
      continue;
    }
    if (line[i] == ' ') {
      std::size_t j = i;
      while (j < line.size() && line[j] == ' ') ++j;
      if (j - i >= (loose ? 2u : 3u)) {
        push(start, i);
        start = j;
      }
      i = j;
      continue;
    }
    ++i;
  }
  push(start, line.size());
  return cells;
}

namespace {

// The anchor words by their first three bytes: at each offset of the text
// one table lookup says which words (usually none) may start there. A byte
// counts as its letter (1-26), a space (27) or anything else (0), so the
// table stays small enough for the L1 cache; a word whose first bytes are
// neither letters nor spaces still works, it only shares a key with more
// offsets. Three bytes, not two, because pairs such as "te" or "in" start
// too many offsets of any text.
constexpr bool anchors_have_three_bytes() {
  for (std::string_view w : lexicon::kAnchorWords) {
    if (w.size() < 3) return false;
  }
  return true;
}
static_assert(anchors_have_three_bytes(), "lexicon::kAnchorWords: at least three bytes each");

struct AnchorTable {
  static constexpr unsigned kClasses = 28;
  std::array<std::uint8_t, 256> byte_class{};
  unsigned key(const char* p) const {
    return (byte_class[static_cast<unsigned char>(p[0])] * kClasses +
            byte_class[static_cast<unsigned char>(p[1])]) * kClasses +
           byte_class[static_cast<unsigned char>(p[2])];
  }
  // The words' first four bytes (fewer for shorter words, the rest masked
  // off), compared as one integer before the rest of the word.
  struct Word {
    std::uint32_t head = 0;
    std::uint32_t mask = 0;
    std::uint8_t id = 0;
  };
  std::array<std::uint8_t, kClasses * kClasses * kClasses> slot{};  // key -> 1 + index into `words`
  std::vector<std::vector<Word>> words;  // anchors sharing a key
};

std::uint32_t load4(const char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

const AnchorTable& anchor_table() {
  static_assert(std::size(lexicon::kAnchorWords) < 255);
  static const AnchorTable table = [] {
    AnchorTable t;
    for (char c = 'a'; c <= 'z'; ++c) t.byte_class[static_cast<unsigned char>(c)] = static_cast<std::uint8_t>(c - 'a' + 1);
    t.byte_class[' '] = 27;
    for (std::size_t id = 0; id < std::size(lexicon::kAnchorWords); ++id) {
      std::string_view w = lexicon::kAnchorWords[id];
      unsigned key = t.key(w.data());
      if (t.slot[key] == 0) {
        t.words.emplace_back();
        t.slot[key] = static_cast<std::uint8_t>(t.words.size());
      }
      char head[4] = {};
      char mask[4] = {};
      for (std::size_t k = 0; k < 4 && k < w.size(); ++k) {
        head[k] = w[k];
        mask[k] = '\xff';
      }
      t.words[t.slot[key] - 1u].push_back({load4(head), load4(mask), static_cast<std::uint8_t>(id)});
    }
    return t;
  }();
  return table;
}

int anchor_id(std::string_view needle) {
  for (std::size_t id = 0; id < std::size(lexicon::kAnchorWords); ++id) {
    if (lexicon::kAnchorWords[id] == needle) return static_cast<int>(id);
  }
  return -1;
}

}  // namespace

TextIndex::TextIndex(std::string_view text) : text_(text), lower_(text) {
  // Eight bytes at a time: set bit 0x20 of every byte in 'A'..'Z' (bytes of
  // 0x80 and above, UTF-8, are left alone).
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  char* d = lower_.data();
  std::size_t k = 0;
  for (; k + 8 <= lower_.size(); k += 8) {
    std::uint64_t x;
    std::memcpy(&x, d + k, 8);
    std::uint64_t low7 = x & (0x7F * kOnes);
    std::uint64_t from_a = low7 + (0x80 - 'A') * kOnes;      // high bit: byte >= 'A'
    std::uint64_t past_z = low7 + (0x80 - 'Z' - 1) * kOnes;  // high bit: byte > 'Z'
    x |= ((from_a ^ past_z) & ~x & (0x80 * kOnes)) >> 2;
    std::memcpy(d + k, &x, 8);
  }
  for (; k < lower_.size(); ++k) {
    if (d[k] >= 'A' && d[k] <= 'Z') d[k] = static_cast<char>(d[k] - 'A' + 'a');
  }
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    lines_.push_back({start, nl});
    start = nl + 1;
  }
  const AnchorTable& table = anchor_table();
  anchors_.resize(std::size(lexicon::kAnchorWords));
  const char* s = lower_.data();
  const std::size_t n = lower_.size();
  for (std::size_t p = 0; p + 2 < n; ++p) {
    std::uint8_t slot = table.slot[table.key(s + p)];
    if (slot == 0) continue;
    // Near the end, fewer than four bytes are left to load at once.
    const bool four = p + 4 <= n;
    std::uint32_t here = four ? load4(s + p) : 0;
    for (const AnchorTable::Word& aw : table.words[slot - 1u]) {
      std::string_view w = lexicon::kAnchorWords[aw.id];
      if (w.size() > n - p) continue;
      if (four ? (here & aw.mask) != aw.head : !same_bytes(s + p, w.data(), 2)) continue;
      if (same_bytes(s + p + 2, w.data() + 2, w.size() - 2)) anchors_[aw.id].push_back(p);
    }
  }
}

std::size_t TextIndex::find(std::string_view needle, std::size_t from) const {
  int id = anchor_id(needle);
  if (id < 0) return find_fast(lower_, needle, from);
  const std::vector<std::size_t>& at = anchors_[static_cast<std::size_t>(id)];
  auto it = std::lower_bound(at.begin(), at.end(), from);
  return it == at.end() ? std::string_view::npos : *it;
}

std::size_t TextIndex::find_word(std::string_view needle, std::size_t from, std::size_t end) const {
  std::string_view hay = std::string_view(lower_).substr(0, end);
  if (anchor_id(needle) < 0) return internal::find_word(hay, needle, from);
  // The same boundary test as internal::find_word on `hay`: its end counts
  // as a boundary.
  for (std::size_t p = find(needle, from); p != std::string_view::npos && p + needle.size() <= hay.size();
       p = find(needle, p + 1)) {
    bool left = p == 0 || !is_word_char(hay[p - 1]) || !is_word_char(needle.front());
    std::size_t e = p + needle.size();
    bool right = e >= hay.size() || !is_word_char(hay[e]) || !is_word_char(needle.back());
    if (left && right) return p;
  }
  return std::string_view::npos;
}

std::string_view TextIndex::line_lower(std::size_t i) const { return slice_lower(lines_[i]); }

std::string_view TextIndex::slice_lower(Span s) const {
  return std::string_view(lower_).substr(s.begin, s.end - s.begin);
}

std::size_t TextIndex::line_of(std::size_t offset) const {
  auto it = std::upper_bound(lines_.begin(), lines_.end(), offset,
                             [](std::size_t off, const Span& l) { return off < l.begin; });
  return it == lines_.begin() ? 0 : static_cast<std::size_t>(it - lines_.begin() - 1);
}

namespace {

bool is_abbreviation_before(std::string_view text, std::size_t dot) {
  std::size_t b = dot;
  while (b > 0 && is_alpha(text[b - 1])) --b;
  std::string_view word = text.substr(b, dot - b);
  if (word.size() == 1) return true;  // initials, "U.S."
  for (std::string_view a : {"Inc", "Corp", "Ltd", "Co", "No", "Mr", "Ms", "Mrs", "Dr", "St",
                             "Jr", "Sr", "vs", "approx", "Nr", "Art", "Sec", "Fig", "Ave"}) {
    if (word == a) return true;
  }
  return false;
}

bool starts_structured_line(std::string_view line) {
  if (bullet_length(line) > 0) return true;
  if (line.find('|') != std::string_view::npos) return true;
  std::size_t colon = line.find(':');
  return colon != std::string_view::npos && colon < 40;
}

}  // namespace

Span TextIndex::sentence_around(std::size_t offset) const {
  std::size_t li = line_of(offset);
  // Backwards: stop at sentence punctuation or at a line that begins a
  // structure (or is blank).
  std::size_t limit = offset > 600 ? offset - 600 : 0;
  // Bounded: a megabyte-long line must not make every lookup read all of it.
  std::size_t begin = std::max(lines_[li].begin, limit);
  for (std::size_t p = offset; p > begin; --p) {
    char c = text_[p - 1];
    if ((c == '.' || c == ';' || c == '!' || c == '?') && p < text_.size() &&
        is_space(text_[p]) && (c != '.' || !is_abbreviation_before(text_, p - 1))) {
      begin = p;
      break;
    }
  }
  if (begin == lines_[li].begin && !starts_structured_line(line_text(li).substr(0, 200))) {
    std::size_t l = li;
    while (l > 0 && lines_[l - 1].begin >= limit) {
      std::string_view prev = line_text(l - 1);
      if (is_blank(prev) || starts_structured_line(line_text(l))) break;
      std::string_view t = trim(prev);
      std::size_t dot = std::string_view::npos;
      for (std::size_t k = t.size(); k > 0; --k) {
        char c = t[k - 1];
        if ((c == '.' || c == ';' || c == ':') &&
            (k == t.size() || is_space(t[k])) &&
            (c != '.' || !is_abbreviation_before(t, k - 1))) {
          dot = k;
          break;
        }
      }
      --l;
      if (dot != std::string_view::npos) {
        begin = static_cast<std::size_t>(t.data() - text_.data()) + dot;
        break;
      }
      begin = lines_[l].begin;
    }
  }
  // Forwards.
  std::size_t end = lines_[li].end;
  std::size_t hi = std::min(text_.size(), offset + 600);
  std::size_t l = li;
  std::size_t p = offset;
  while (p < hi) {
    if (p >= lines_[l].end) {
      if (l + 1 >= lines_.size()) break;
      if (is_blank(line_text(l + 1)) || starts_structured_line(line_text(l + 1))) {
        end = lines_[l].end;
        break;
      }
      ++l;
      p = lines_[l].begin;
      end = lines_[l].end;
      continue;
    }
    char c = text_[p];
    if ((c == '.' || c == ';' || c == '!' || c == '?') &&
        (p + 1 >= text_.size() || is_space(text_[p + 1]) || text_[p + 1] == '\n') &&
        (c != '.' || !is_abbreviation_before(text_, p))) {
      end = p + 1;
      break;
    }
    ++p;
    end = p;
  }
  return {begin, std::max(begin, end)};
}

Span TextIndex::context_around(std::size_t offset) const {
  std::size_t li = line_of(offset);
  std::string_view line = line_text(li);
  // Table rows and labels are read alone; prose and bullets by sentence.
  if (line.size() > 2000) return sentence_around(offset);  // not a row or a label
  std::size_t colon = line.find(':');
  if (line.find('|') != std::string_view::npos || line.find('\t') != std::string_view::npos ||
      (colon != std::string_view::npos && colon < 40 && line.size() <= 160)) {
    return lines_[li];
  }
  return sentence_around(offset);
}

std::string Date::iso() const {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", year, month, day);
  return buf;
}

// Howard Hinnant's days_from_civil.
long Date::days_since_epoch() const {
  long y = year - (month <= 2);
  long era = (y >= 0 ? y : y - 399) / 400;
  long yoe = y - era * 400;
  long mp = (month + 9) % 12;
  long doy = (153 * mp + 2) / 5 + day - 1;
  long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

Date Date::from_days(long z) {
  z += 719468;
  long era = (z >= 0 ? z : z - 146096) / 146097;
  long doe = z - era * 146097;
  long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long y = yoe + era * 400;
  long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  long mp = (5 * doy + 2) / 153;
  long d = doy - (153 * mp + 2) / 5 + 1;
  long m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

namespace {

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
  return kDays[m - 1];
}

bool valid(const Date& d) {
  return d.year >= 1950 && d.year <= 2150 && d.month >= 1 && d.month <= 12 && d.day >= 1 &&
         d.day <= days_in_month(d.year, d.month);
}

}  // namespace

Date Date::add_months(int months) const {
  int total = year * 12 + (month - 1) + months;
  Date d{total / 12, total % 12 + 1, day};
  d.day = std::min(d.day, days_in_month(d.year, d.month));
  return d;
}

namespace {

// Reads up to `max` digits at pos; returns the count read.
std::size_t read_digits(std::string_view s, std::size_t pos, std::size_t max, int& value) {
  std::size_t n = 0;
  value = 0;
  while (pos + n < s.size() && is_digit(s[pos + n]) && n < max) {
    value = value * 10 + (s[pos + n] - '0');
    ++n;
  }
  if (pos + n < s.size() && is_digit(s[pos + n])) return 0;  // longer than max
  return n;
}

int month_at(std::string_view s, std::size_t pos, std::size_t& len) {
  int best = 0;
  len = 0;
  // Every month name starts with one of these letters; most words do not,
  // and this runs at every word of the document.
  if (pos + 2 >= s.size()) return 0;
  switch (s[pos]) {
    case 'j': case 'f': case 'm': case 'a': case 's': case 'o': case 'n': case 'd':
      break;
    default:
      return 0;
  }
  // Month names by their first two bytes (in lexicon order), built once:
  // most words share none.
  struct ByHead {
    std::array<std::uint8_t, 65536> slot{};  // first two bytes -> 1 + index into `names`
    std::vector<std::vector<const lexicon::MonthName*>> names;
  };
  static const ByHead by_head = [] {
    ByHead t;
    for (const auto& m : lexicon::kMonths) {
      unsigned key = bigram(m.name.data());
      if (t.slot[key] == 0) {
        t.names.emplace_back();
        t.slot[key] = static_cast<std::uint8_t>(t.names.size());
      }
      t.names[t.slot[key] - 1u].push_back(&m);
    }
    return t;
  }();
  std::uint8_t slot = by_head.slot[bigram(s.data() + pos)];
  if (slot == 0) return 0;
  for (const lexicon::MonthName* mp : by_head.names[slot - 1u]) {
    const auto& m = *mp;
    if (m.name.size() > len && starts_with(s, pos, m.name)) {
      std::size_t e = pos + m.name.size();
      if (e < s.size() && is_word_char(s[e])) continue;
      best = m.month;
      len = m.name.size();
    }
  }
  if (best != 0 && pos + len < s.size() && s[pos + len] == '.') ++len;
  return best;
}

std::size_t skip_spaces(std::string_view s, std::size_t p) {
  while (p < s.size() && (s[p] == ' ' || s[p] == '\t' || s[p] == '\n')) ++p;
  return p;
}

std::size_t skip_ordinal(std::string_view s, std::size_t p) {
  for (std::string_view suf : {"st", "nd", "rd", "th"}) {
    if (starts_with(s, p, suf) && !(p + 2 < s.size() && is_word_char(s[p + 2]))) return p + 2;
  }
  return p;
}

int four_digit_year(std::string_view s, std::size_t pos, std::size_t& end) {
  int y = 0;
  std::size_t n = read_digits(s, pos, 4, y);
  if (n != 4) return 0;
  end = pos + 4;
  return y;
}

int expand_year(int y, std::size_t digits) {
  if (digits == 4) return y;
  if (digits == 2) return y < 70 ? 2000 + y : 1900 + y;
  return 0;
}

// "1 March 2024", "1st of March, 2024", "1st day of March 2024", "1. März 2024".
bool day_month_year(std::string_view s, std::size_t pos, DateHit& hit) {
  int day = 0;
  std::size_t n = read_digits(s, pos, 2, day);
  if (n == 0) return false;
  std::size_t p = skip_ordinal(s, pos + n);
  if (p < s.size() && s[p] == '.') ++p;
  p = skip_spaces(s, p);
  if (starts_with(s, p, "day ")) p = skip_spaces(s, p + 3);
  if (starts_with(s, p, "of ")) p = skip_spaces(s, p + 2);
  std::size_t len = 0;
  int month = month_at(s, p, len);
  if (month == 0) return false;
  p += len;
  if (p < s.size() && s[p] == ',') ++p;
  p = skip_spaces(s, p);
  std::size_t end = 0;
  int year = four_digit_year(s, p, end);
  if (year == 0) return false;
  hit = {{year, month, day}, pos, end};
  return valid(hit.date);
}

// "March 1, 2024", "Mar. 1st 2024".
bool month_day_year(std::string_view s, std::size_t pos, DateHit& hit) {
  std::size_t len = 0;
  int month = month_at(s, pos, len);
  if (month == 0) return false;
  std::size_t p = skip_spaces(s, pos + len);
  int day = 0;
  std::size_t n = read_digits(s, p, 2, day);
  if (n == 0) return false;
  p = skip_ordinal(s, p + n);
  if (p < s.size() && s[p] == ',') ++p;
  p = skip_spaces(s, p);
  std::size_t end = 0;
  int year = four_digit_year(s, p, end);
  if (year == 0) return false;
  hit = {{year, month, day}, pos, end};
  return valid(hit.date);
}

// ISO, DD.MM.YYYY, MM/DD/YYYY, DD/MM/YYYY, M/D/YY.
bool numeric_date(std::string_view s, std::size_t pos, bool day_first, DateHit& hit) {
  int a = 0;
  std::size_t na = read_digits(s, pos, 4, a);
  if (na == 0 || na == 3) return false;
  std::size_t p = pos + na;
  if (p >= s.size()) return false;
  char sep = s[p];
  if (sep != '-' && sep != '/' && sep != '.') return false;
  int b = 0;
  std::size_t nb = read_digits(s, p + 1, 2, b);
  if (nb == 0) return false;
  p += 1 + nb;
  if (p >= s.size() || s[p] != sep) return false;
  int c = 0;
  std::size_t nc = read_digits(s, p + 1, 4, c);
  if (nc == 0 || nc == 3 || (nc == 1 && na != 4)) return false;
  p += 1 + nc;
  // "1.2.3.4" is a version or an IP address, not a date.
  if (p + 1 < s.size() && s[p] == sep && is_digit(s[p + 1])) return false;
  if (p < s.size() && (is_alpha(s[p]) || is_digit(s[p]))) return false;
  Date d;
  if (na == 4) {
    if (nc > 2) return false;
    d = {a, b, c};
  } else {
    int year = expand_year(c, nc);
    if (year == 0) return false;
    bool dmy = sep == '.' || day_first || a > 12;
    if (b > 12 && a <= 12) dmy = false;
    d = dmy ? Date{year, b, a} : Date{year, a, b};
  }
  hit = {d, pos, p};
  return valid(d);
}

}  // namespace

std::vector<DateHit> find_dates(std::string_view s, bool day_first) {
  std::vector<DateHit> hits;
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    bool boundary = i == 0 || !is_word_char(s[i - 1]);
    if (boundary && is_digit(c)) {
      DateHit hit;
      if (numeric_date(s, i, day_first, hit) || day_month_year(s, i, hit)) {
        hits.push_back(hit);
        i = hit.end;
        continue;
      }
      while (i < s.size() && is_digit(s[i])) ++i;
      continue;
    }
    if (boundary && (is_alpha(c) || static_cast<unsigned char>(c) >= 0x80)) {
      DateHit hit;
      if (month_day_year(s, i, hit)) {
        hits.push_back(hit);
        i = hit.end;
        continue;
      }
      while (i < s.size() && is_word_char(s[i])) ++i;
      continue;
    }
    ++i;
  }
  return hits;
}

std::optional<NumberHit> scan_number(std::string_view s, std::size_t pos) {
  if (pos >= s.size() || !is_digit(s[pos])) return std::nullopt;
  std::size_t p = pos;
  std::string digits;  // with '.' or ',' kept for now
  std::vector<std::pair<char, std::size_t>> seps;  // separator, digits after it
  std::size_t group = 0;
  while (p < s.size()) {
    char c = s[p];
    if (is_digit(c)) {
      digits.push_back(c);
      ++group;
      ++p;
      continue;
    }
    bool sep_char = c == ',' || c == '.' || c == '\'' || c == ' ';
    if (sep_char && p + 1 < s.size() && is_digit(s[p + 1])) {
      if (c == ' ' || c == '\'') {
        // Only a thousands separator when exactly three digits follow.
        std::size_t k = p + 1;
        while (k < s.size() && is_digit(s[k])) ++k;
        if (k - (p + 1) != 3 || group > 3 || (k < s.size() && (s[k] == '.' && c == ' '))) break;
      }
      if (!seps.empty()) seps.back().second = group;
      seps.push_back({c, 0});
      digits.push_back(c == ',' || c == '.' ? c : '\'');
      group = 0;
      ++p;
      continue;
    }
    break;
  }
  if (!seps.empty()) seps.back().second = group;
  // Decide which separator, if any, is the decimal point.
  char decimal = 0;
  if (!seps.empty()) {
    char last = seps.back().first;
    bool mixed = std::any_of(seps.begin(), seps.end(),
                             [&](const auto& sp) { return sp.first != last; });
    std::size_t same = static_cast<std::size_t>(std::count_if(
        seps.begin(), seps.end(), [&](const auto& sp) { return sp.first == last; }));
    if ((last == ',' || last == '.') && (mixed || (same == 1 && seps.back().second != 3))) {
      decimal = last;
    }
  }
  double value = 0;
  double scale = 0;
  for (char c : digits) {
    if (is_digit(c)) {
      if (scale == 0) {
        value = value * 10 + (c - '0');
      } else {
        value += (c - '0') * scale;
        scale /= 10;
      }
    } else if (c == decimal) {
      scale = 0.1;
    }
  }
  return NumberHit{value, pos, p};
}

namespace {

// A currency mark ending exactly at `end` (text before an amount).
const lexicon::CurrencyMark* mark_before(std::string_view s, std::size_t end) {
  for (const auto& m : lexicon::kCurrencyMarks) {
    if (end >= m.mark.size() && end <= s.size() &&
        same_bytes(s.data() + end - m.mark.size(), m.mark.data(), m.mark.size())) {
      std::size_t b = end - m.mark.size();
      if (is_alpha(m.mark.front()) && b > 0 && is_word_char(s[b - 1])) continue;
      if (m.mark == "$" && b > 0 && is_alpha(s[b - 1])) continue;
      return &m;
    }
  }
  return nullptr;
}

const lexicon::CurrencyMark* mark_after(std::string_view s, std::string_view lower,
                                        std::size_t pos, std::size_t& end) {
  for (const auto& m : lexicon::kCurrencyMarks) {
    if (starts_with(s, pos, m.mark)) {
      std::size_t e = pos + m.mark.size();
      if (is_alpha(m.mark.back()) && e < s.size() && is_word_char(s[e])) continue;
      end = e;
      return &m;
    }
  }
  for (const auto& m : lexicon::kCurrencyWords) {
    if (starts_with(lower, pos, m.mark)) {
      end = pos + m.mark.size();
      return &m;
    }
  }
  return nullptr;
}

}  // namespace

std::vector<MoneyHit> find_money(std::string_view s, std::string_view lower) {
  std::vector<MoneyHit> hits;
  std::size_t i = 0;
  while (i < s.size()) {
    if (!is_digit(s[i]) || (i > 0 && (is_digit(s[i - 1]) || is_alpha(s[i - 1])))) {
      ++i;
      continue;
    }
    auto num = scan_number(s, i);
    std::size_t after = num->end;
    double value = num->value;
    // Multipliers: "120k", "1.2 million", "1.5m".
    std::size_t q = after;
    if (q < s.size() && s[q] == ' ') ++q;
    if (starts_with(lower, q, "million") || starts_with(lower, q, "mio")) {
      value *= 1e6;
      after = q + (starts_with(lower, q, "million") ? 7 : 3);
      if (after < s.size() && s[after] == '.') ++after;
    } else if (after < s.size() && (lower[after] == 'k' || lower[after] == 'm') &&
               (after + 1 >= s.size() || !is_word_char(s[after + 1]))) {
      value *= lower[after] == 'k' ? 1e3 : 1e6;
      ++after;
    }
    // Currency before: "$1,200", "EUR 1.234,56", "USD $5,000".
    std::size_t b = i;
    while (b > 0 && s[b - 1] == ' ' && i - b < 2) --b;
    const lexicon::CurrencyMark* mark = mark_before(s, b);
    std::size_t begin = i;
    if (mark != nullptr) {
      begin = b - mark->mark.size();
    }
    std::size_t end = after;
    if (mark == nullptr) {
      std::size_t a = after;
      if (a < s.size() && s[a] == ' ') ++a;
      std::size_t mend = 0;
      mark = mark_after(s, lower, a, mend);
      if (mark != nullptr) end = mend;
    }
    if (mark != nullptr) hits.push_back({value, std::string(mark->code), begin, end});
    i = std::max(num->end, i + 1);
  }
  return hits;
}

namespace {

std::optional<int> number_word_ending_at(std::string_view lower, std::size_t end,
                                         std::size_t& begin) {
  int best = -1;
  std::size_t best_len = 0;
  for (const auto& w : lexicon::kNumberWords) {
    if (w.word.size() > end || w.word.size() <= best_len) continue;
    std::size_t b = end - w.word.size();
    if (end > lower.size() || !same_bytes(lower.data() + b, w.word.data(), w.word.size())) continue;
    if (b > 0 && is_word_char(lower[b - 1])) continue;
    best = w.value;
    best_len = w.word.size();
  }
  if (best < 0) return std::nullopt;
  begin = end - best_len;
  return best;
}

}  // namespace

std::optional<CountHit> count_before(std::string_view lower, std::size_t pos) {
  std::size_t p = pos;
  while (p > 0 && (lower[p - 1] == ' ' || lower[p - 1] == '-' || lower[p - 1] == '\'')) --p;
  // "thirty (30)": take the digits, then also cover the word.
  if (p > 0 && lower[p - 1] == ')') {
    std::size_t close = p - 1;
    std::size_t open = lower.rfind('(', close);
    if (open != std::string_view::npos && close - open <= 12) {
      auto num = scan_number(lower, open + 1);
      if (num && num->end == close && num->value < 1e6) {
        std::size_t begin = open;
        std::size_t wb = open;
        while (wb > 0 && lower[wb - 1] == ' ') --wb;
        std::size_t word_begin = 0;
        if (number_word_ending_at(lower, wb, word_begin)) begin = word_begin;
        return CountHit{static_cast<long long>(num->value), begin, pos};
      }
    }
    return std::nullopt;
  }
  if (p > 0 && is_digit(lower[p - 1])) {
    std::size_t b = p;
    while (b > 0 && (is_digit(lower[b - 1]) || lower[b - 1] == ',' || lower[b - 1] == '.')) --b;
    while (b < p && !is_digit(lower[b])) ++b;
    if (b > 0 && is_alpha(lower[b - 1])) return std::nullopt;
    auto num = scan_number(lower, b);
    // Counts are small; a 20-digit "count" is an account number.
    if (!num || num->end != p || num->value >= 1e9) return std::nullopt;
    return CountHit{static_cast<long long>(num->value), b, pos};
  }
  std::size_t begin = 0;
  if (auto v = number_word_ending_at(lower, p, begin)) return CountHit{*v, begin, pos};
  return std::nullopt;
}

std::vector<Duration> find_durations(std::string_view lower, Span span) {
  std::vector<Duration> out;
  static constexpr std::string_view kUnits[] = {"day", "week", "month", "year"};
  std::string_view hay = lower.substr(0, span.end);
  for (std::size_t p = span.begin; p < span.end; ++p) {
    char c = hay[p];
    if (c != 'd' && c != 'w' && c != 'm' && c != 'y') continue;
    if (p > 0 && is_alpha(hay[p - 1])) continue;
    for (std::string_view unit : kUnits) {
      if (!starts_with(hay, p, unit)) continue;
      std::size_t e = p + unit.size();
      if (e < hay.size() && hay[e] == 's') ++e;
      if (e < hay.size() && is_alpha(hay[e])) continue;
      if (e < hay.size() && hay[e] == '\'') ++e;
      auto count = count_before(hay, p);
      if (!count || count->begin < span.begin || count->value <= 0) continue;
      out.push_back({count->value, unit, count->begin, e});
    }
  }
  return out;
}

}  // namespace cscx::contracts::internal
