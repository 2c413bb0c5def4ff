// Sentences, tokens, Snowball stems and phrase matching for the analyser.
#include <libstemmer.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>

#include "meetings/transcript_internal.h"

namespace cscx::meetings::internal {
namespace {

bool is_word_byte(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return std::isalnum(u) || u >= 0x80;
}

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

bool equals_lower(std::string_view word, std::string_view lower_word) {
  if (word.size() != lower_word.size()) return false;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (lower(word[i]) != lower_word[i]) return false;
  }
  return true;
}

// Disfluencies dropped from every sentence: they carry no meaning for the
// rules and make quotes and summaries hard to read.
constexpr std::array<std::string_view, 12> kFillers = {
    "um", "uh", "umm", "uhh", "erm", "er", "hmm", "mm", "mm-hmm", "uh-huh", "ah", "eh"};

bool is_filler(std::string_view word) {
  return std::any_of(kFillers.begin(), kFillers.end(),
                     [&](std::string_view f) { return equals_lower(word, f); });
}

// Abbreviations whose period does not end a sentence.
constexpr std::array<std::string_view, 24> kAbbreviations = {
    "mr", "mrs", "ms", "dr", "st", "vs", "etc", "e.g", "i.e", "inc", "ltd", "co",
    "jr", "sr", "no", "approx", "dept", "a.m", "p.m", "u.s", "corp", "jan", "feb", "sept"};

struct StemmerDeleter {
  void operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }
};

}  // namespace

std::string clean_utterance(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::string_view last_word;
  std::size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    // {vocalsound}, {disfmarker}: AMI annotations; [inaudible], (laughs): captions.
    if (c == '{' || c == '[' || c == '(') {
      char close = c == '{' ? '}' : c == '[' ? ']' : ')';
      std::size_t end = text.find(close, i);
      if (end != std::string_view::npos && end - i <= 40) {
        std::string_view inner = text.substr(i + 1, end - i - 1);
        bool annotation = c == '{' || std::all_of(inner.begin(), inner.end(), [](char ch) {
                            return std::isalpha(static_cast<unsigned char>(ch)) || ch == ' ';
                          });
        if (annotation && (c != '(' || inner.find(' ') == std::string_view::npos)) {
          i = end + 1;
          continue;
        }
      }
    }
    if (is_word_byte(c)) {
      std::size_t end = i;
      while (end < text.size() &&
             (is_word_byte(text[end]) || ((text[end] == '\'' || text[end] == '-') &&
                                          end + 1 < text.size() && is_word_byte(text[end + 1])))) {
        ++end;
      }
      std::string_view word = text.substr(i, end - i);
      bool repeat = !last_word.empty() && word.size() == last_word.size() &&
                    std::equal(word.begin(), word.end(), last_word.begin(),
                               [](char a, char b) { return lower(a) == lower(b); }) &&
                    !std::isdigit(static_cast<unsigned char>(word.front()));
      if (is_filler(word) || repeat) {
        i = end;
        // Drop the filler's trailing comma too ("um, so" -> "so").
        while (i < text.size() && (text[i] == ',' || text[i] == ' ')) ++i;
        continue;
      }
      if (!out.empty() && out.back() != ' ' && is_word_byte(out.back())) out += ' ';
      out.append(word);
      last_word = word;
      i = end;
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!out.empty() && out.back() != ' ') out += ' ';
      ++i;
      continue;
    }
    // Punctuation: glue to the previous word ("done ." -> "done.").
    if ((c == '.' || c == ',' || c == '?' || c == '!' || c == ';' || c == ':') && !out.empty() &&
        out.back() == ' ') {
      out.pop_back();
    }
    if (c != ',' || (!out.empty() && out.back() != ',')) out += c;
    if (c != '\'' && c != '-') last_word = {};
    ++i;
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == ',')) out.pop_back();
  std::size_t lead = 0;
  while (lead < out.size() && (out[lead] == ',' || out[lead] == ' ' || out[lead] == '.')) ++lead;
  return out.substr(lead);
}

std::vector<std::string> split_sentences(std::string_view text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  auto emit = [&](std::size_t end) {
    std::string_view s = text.substr(start, end - start);
    while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
    if (std::any_of(s.begin(), s.end(), is_word_byte)) out.emplace_back(s);
    start = end;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c != '.' && c != '?' && c != '!') continue;
    std::size_t end = i + 1;
    while (end < text.size() && (text[end] == '.' || text[end] == '?' || text[end] == '!' ||
                                 text[end] == '"' || text[end] == ')')) {
      ++end;
    }
    if (end < text.size() && text[end] != ' ') continue;  // 3.5, e.g.x, URLs
    if (c == '.' && end == i + 1) {
      std::size_t w = i;
      while (w > 0 && (is_word_byte(text[w - 1]) || text[w - 1] == '.')) --w;
      std::string_view word = text.substr(w, i - w);
      if (word.size() == 1 && std::isupper(static_cast<unsigned char>(word[0]))) continue;
      if (std::any_of(kAbbreviations.begin(), kAbbreviations.end(),
                      [&](std::string_view a) { return equals_lower(word, a); })) {
        continue;
      }
    }
    emit(end);
    i = end - 1;
  }
  emit(text.size());
  return out;
}

std::string stem_word(std::string_view lower_word) {
  thread_local std::unique_ptr<sb_stemmer, StemmerDeleter> stemmer(
      sb_stemmer_new("english", "UTF_8"));
  if (!stemmer || lower_word.empty()) return std::string(lower_word);
  const sb_symbol* s = sb_stemmer_stem(
      stemmer.get(), reinterpret_cast<const sb_symbol*>(lower_word.data()),
      static_cast<int>(lower_word.size()));
  if (s == nullptr) return std::string(lower_word);
  return std::string(reinterpret_cast<const char*>(s),
                     static_cast<std::size_t>(sb_stemmer_length(stemmer.get())));
}

std::vector<Token> tokenize(std::string_view sentence) {
  std::vector<Token> tokens;
  bool boundary = true;
  std::size_t i = 0;
  while (i < sentence.size()) {
    char c = sentence[i];
    if (!is_word_byte(c)) {
      if (c == ',' || c == ';' || c == ':' || c == '-' || c == '(' || c == ')' || c == '"') {
        boundary = true;
      }
      ++i;
      continue;
    }
    std::size_t end = i;
    // Apostrophes stay inside words ("i'll", "don't"); hyphens split them.
    while (end < sentence.size() &&
           (is_word_byte(sentence[end]) ||
            (sentence[end] == '\'' && end + 1 < sentence.size() && is_word_byte(sentence[end + 1])))) {
      ++end;
    }
    Token t;
    t.begin = i;
    t.end = end;
    t.lower.reserve(end - i);
    for (std::size_t k = i; k < end; ++k) t.lower += lower(sentence[k]);
    t.stem = stem_word(t.lower);
    t.lower_hash = std::hash<std::string>{}(t.lower);
    t.stem_hash = std::hash<std::string>{}(t.stem);
    t.capitalized = std::isupper(static_cast<unsigned char>(c)) != 0;
    t.boundary_before = boundary;
    boundary = false;
    tokens.push_back(std::move(t));
    i = end;
  }
  return tokens;
}

PhraseSet::PhraseSet(Match match, std::initializer_list<Entry> entries) : match_(match) {
  for (const Entry& e : entries) {
    Phrase p;
    p.weight = e.weight;
    p.source = e.text;
    // Split on spaces so "*" survives (tokenize() skips it), then tokenize
    // each piece, so a hyphenated entry ("add-on") gives several words.
    std::string_view text = e.text;
    std::size_t pos = 0;
    while (pos < text.size()) {
      std::size_t end = text.find(' ', pos);
      if (end == std::string_view::npos) end = text.size();
      std::string_view piece = text.substr(pos, end - pos);
      if (piece == "*") {
        p.words.emplace_back("*");
      } else if (piece.size() > 1 && piece.front() == '=') {
        // "=pleased": this exact word only (its stem "pleas" is also "please's").
        for (const Token& t : tokenize(piece.substr(1))) p.words.push_back("=" + t.lower);
      } else {
        for (const Token& t : tokenize(piece)) {
          p.words.push_back(match == Match::kStem ? t.stem : t.lower);
        }
      }
      pos = end + 1;
    }
    if (p.words.empty()) continue;
    if (p.words.front() == "*") {
      wildcard_first_.push_back(std::move(p));
    } else if (p.words.front().front() == '=') {
      std::size_t key = std::hash<std::string>{}(p.words.front().substr(1));
      by_exact_first_[key].push_back(std::move(p));
    } else {
      std::size_t key = std::hash<std::string>{}(p.words.front());
      by_first_[key].push_back(std::move(p));
    }
  }
  for (auto& [first, phrases] : by_first_) {
    std::stable_sort(phrases.begin(), phrases.end(), [](const Phrase& a, const Phrase& b) {
      return a.words.size() > b.words.size();
    });
  }
}

std::optional<PhraseSet::Hit> PhraseSet::match_at(const std::vector<Token>& tokens,
                                                  std::size_t pos) const {
  auto word_of = [&](const Token& t) -> const std::string& {
    return match_ == Match::kStem ? t.stem : t.lower;
  };
  auto same = [&](const std::string& word, const Token& t) {
    if (word == "*") return true;
    if (word.front() == '=') return std::string_view(word).substr(1) == t.lower;
    return word == word_of(t);
  };
  auto try_phrase = [&](const Phrase& p) -> bool {
    if (pos + p.words.size() > tokens.size()) return false;
    for (std::size_t k = 0; k < p.words.size(); ++k) {
      if (!same(p.words[k], tokens[pos + k])) return false;
    }
    return true;
  };
  std::optional<Hit> best;
  const Token& first = tokens[pos];
  for (const auto* index : {&by_first_, &by_exact_first_}) {
    if (index->empty()) continue;
    std::size_t key = index == &by_exact_first_ || match_ == Match::kExact ? first.lower_hash
                                                                           : first.stem_hash;
    auto it = index->find(key);
    if (it == index->end()) continue;
    for (const Phrase& p : it->second) {
      if (try_phrase(p) && (!best || p.words.size() > best->end - best->begin)) {
        best = Hit{pos, pos + p.words.size(), p.weight, p.source};
      }
    }
  }
  if (best) return best;
  for (const Phrase& p : wildcard_first_) {
    if (try_phrase(p)) return Hit{pos, pos + p.words.size(), p.weight, p.source};
  }
  return std::nullopt;
}

std::vector<PhraseSet::Hit> PhraseSet::find(const std::vector<Token>& tokens) const {
  std::vector<Hit> hits;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (auto hit = match_at(tokens, i)) {
      hits.push_back(*hit);
      i = hit->end - 1;  // no overlapping hits: "not sure" is not also "sure"
    }
  }
  return hits;
}

bool negated_before(const std::vector<Token>& tokens, std::size_t pos, std::size_t window) {
  static const PhraseSet kNegators(
      PhraseSet::Match::kExact,
      {{"not"}, {"no"}, {"never"}, {"without"}, {"hardly"}, {"barely"}, {"neither"},
       {"nor"}, {"nothing"}, {"nobody"}, {"cannot"}, {"none"}, {"zero"}, {"lack"}});
  for (std::size_t k = 1; k <= window && k <= pos; ++k) {
    const Token& t = tokens[pos - k];
    if (t.lower.ends_with("n't") || kNegators.match_at(tokens, pos - k)) return true;
    if (t.boundary_before || t.lower == "but") break;  // the clause starts here
  }
  return false;
}

}  // namespace cscx::meetings::internal
