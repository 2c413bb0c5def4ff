#include "knowledge/embedder.h"

#include <libstemmer.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <memory>
#include <unordered_map>

namespace cscx::knowledge {
namespace {

// Feature weights: a shared word says most, a shared phrase adds order, and
// shared trigrams catch inflections the stemmer misses and typos.
constexpr float kUnigramWeight = 1.0f;
constexpr float kBigramWeight = 0.6f;
constexpr float kTrigramWeight = 0.25f;

// Words too common to say what an article is about. Short on purpose: the
// full-text side of search has PostgreSQL's own list.
constexpr std::array<std::string_view, 40> kStopWords = {
    "a",    "an",   "and",  "are",  "as",   "at",   "be",    "but",  "by",   "can",
    "do",   "does", "for",  "from", "has",  "have", "how",   "i",    "if",   "in",
    "into", "is",   "it",   "its",  "my",   "no",   "not",   "of",   "on",   "or",
    "our",  "so",   "that", "the",  "this", "to",   "was",   "we",   "with", "you"};

bool is_stop_word(std::string_view word) {
  return std::find(kStopWords.begin(), kStopWords.end(), word) != kStopWords.end();
}

// Bytes >= 0x80 belong to words, so non-ASCII letters stay inside them.
bool is_word_byte(unsigned char c) { return std::isalnum(c) != 0 || c >= 0x80; }

struct StemmerDeleter {
  void operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }
};

std::string stem(std::string_view lower_word) {
  // One stemmer per thread: sb_stemmer keeps state between calls.
  thread_local std::unique_ptr<sb_stemmer, StemmerDeleter> stemmer(
      sb_stemmer_new("english", "UTF_8"));
  if (!stemmer) return std::string(lower_word);
  const sb_symbol* s = sb_stemmer_stem(
      stemmer.get(), reinterpret_cast<const sb_symbol*>(lower_word.data()),
      static_cast<int>(lower_word.size()));
  if (s == nullptr) return std::string(lower_word);
  return std::string(reinterpret_cast<const char*>(s),
                     static_cast<std::size_t>(sb_stemmer_length(stemmer.get())));
}

// Lower-cased words, in order, without stop words.
std::vector<std::string> words_of(std::string_view text) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !is_word_byte(static_cast<unsigned char>(text[i]))) ++i;
    std::string word;
    while (i < text.size() && is_word_byte(static_cast<unsigned char>(text[i]))) {
      word += static_cast<char>(std::tolower(static_cast<unsigned char>(text[i])));
      ++i;
    }
    if (!word.empty() && !is_stop_word(word)) words.push_back(std::move(word));
  }
  return words;
}

// FNV-1a, seeded per feature kind so "ab" the word and "ab" the trigram
// land in different places. Fixed, so vectors never depend on the platform.
std::uint64_t feature_hash(std::uint64_t seed, std::string_view text) {
  std::uint64_t h = 14695981039346656037ull ^ seed;
  for (const unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  // FNV's low bits mix poorly; finish with a murmur-style avalanche.
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdull;
  h ^= h >> 33;
  return h;
}

enum class Kind : std::uint64_t { kUnigram = 1, kBigram = 2, kTrigram = 3 };

class FeatureCounts {
 public:
  void add(Kind kind, std::string_view feature, float weight) {
    Feature& f = features_[feature_hash(static_cast<std::uint64_t>(kind), feature)];
    f.weight = weight;
    ++f.count;
  }

  // Sublinear term frequency, signed hashing, then L2 normalisation.
  Embedding to_embedding() const {
    Embedding v(kEmbeddingDimensions, 0.0f);
    for (const auto& [h, f] : features_) {
      const float sign = (h >> 63) != 0 ? -1.0f : 1.0f;
      v[h % kEmbeddingDimensions] +=
          sign * f.weight * (1.0f + std::log(static_cast<float>(f.count)));
    }
    double norm = 0;
    for (const float x : v) norm += double(x) * x;
    if (norm == 0) return v;
    const float scale = static_cast<float>(1.0 / std::sqrt(norm));
    for (float& x : v) x *= scale;
    return v;
  }

 private:
  struct Feature {
    float weight = 0;
    int count = 0;
  };
  std::unordered_map<std::uint64_t, Feature> features_;
};

}  // namespace

Embedding embed_text(std::string_view text) {
  const std::vector<std::string> words = words_of(text);
  FeatureCounts features;
  std::string previous;
  for (const std::string& word : words) {
    const std::string stemmed = stem(word);
    features.add(Kind::kUnigram, stemmed, kUnigramWeight);
    if (!previous.empty()) {
      features.add(Kind::kBigram, previous + ' ' + stemmed, kBigramWeight);
    }
    previous = stemmed;
    const std::string padded = '^' + word + '$';
    for (std::size_t i = 0; i + 3 <= padded.size(); ++i) {
      features.add(Kind::kTrigram, std::string_view(padded).substr(i, 3), kTrigramWeight);
    }
  }
  return features.to_embedding();
}

std::string article_text(std::string_view title, std::string_view content,
                         std::span<const std::string> tags) {
  std::string text;
  text.reserve(2 * title.size() + content.size() + 64);
  text.append(title).append("\n").append(title).append("\n").append(content);
  for (const std::string& tag : tags) text.append("\n").append(tag);
  return text;
}

std::vector<std::string> tags_from_lines(std::string_view lines) {
  std::vector<std::string> tags;
  while (!lines.empty()) {
    const std::size_t end = lines.find('\n');
    tags.emplace_back(lines.substr(0, end));
    lines = end == std::string_view::npos ? std::string_view() : lines.substr(end + 1);
  }
  return tags;
}

Embedding embed_article(std::string_view title, std::string_view content,
                        std::span<const std::string> tags) {
  return embed_text(article_text(title, content, tags));
}

float similarity(std::span<const float> a, std::span<const float> b) {
  float sum = 0;
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

std::string to_pg_array(std::span<const float> embedding) {
  std::string out = "{";
  out.reserve(embedding.size() * 12);
  std::array<char, 32> buf{};
  for (std::size_t i = 0; i < embedding.size(); ++i) {
    if (i > 0) out += ',';
    const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), embedding[i]);
    out.append(buf.data(), r.ptr);
  }
  out += '}';
  return out;
}

Result<Embedding> parse_pg_array(std::string_view text) {
  const auto bad = [] {
    return make_error(Code::kInvalidArgument,
                      "an embedding must be an array of " +
                          std::to_string(kEmbeddingDimensions) + " numbers");
  };
  if (text.size() < 2 || !((text.front() == '{' && text.back() == '}') ||
                           (text.front() == '[' && text.back() == ']'))) {
    return bad();
  }
  Embedding v;
  v.reserve(kEmbeddingDimensions);
  const char* p = text.data() + 1;
  const char* end = text.data() + text.size() - 1;
  while (p < end) {
    while (p < end && *p == ' ') ++p;
    float x = 0;
    const auto r = std::from_chars(p, end, x);
    if (r.ec != std::errc()) return bad();
    v.push_back(x);
    p = r.ptr;
    while (p < end && *p == ' ') ++p;
    if (p < end) {
      if (*p != ',') return bad();
      ++p;
    }
  }
  if (v.size() != kEmbeddingDimensions) return bad();
  return v;
}

}  // namespace cscx::knowledge
