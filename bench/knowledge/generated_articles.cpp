#include "generated_articles.h"

#include <array>
#include <string_view>

namespace cscx::knowledge::bench {
namespace {

constexpr std::array<std::string_view, 20> kSyllables = {
    "ka", "lo", "mi", "ren", "tu", "sa", "vor", "el", "dan", "pi",
    "qu", "bra", "no", "te", "xil", "fa", "gor", "hu", "ji", "wes"};

}  // namespace

ArticleGenerator::ArticleGenerator(std::uint32_t seed, int topics) : state_(seed * 2654435761ull + 1) {
  auto word = [this] {
    std::string w;
    const int n = 2 + static_cast<int>(next() % 3);
    for (int i = 0; i < n; ++i) w += kSyllables[next() % kSyllables.size()];
    return w;
  };
  for (int i = 0; i < 600; ++i) common_.push_back(word());
  topics_.resize(static_cast<std::size_t>(topics));
  for (auto& topic : topics_) {
    for (int i = 0; i < 40; ++i) topic.push_back(word());
  }
}

// splitmix64: fast, and the same sequence on every platform.
std::uint32_t ArticleGenerator::next() {
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return static_cast<std::uint32_t>((z ^ (z >> 31)) >> 32);
}

std::string ArticleGenerator::words(const std::vector<std::string>& topic, int count,
                                    double topic_share) {
  std::string out;
  for (int i = 0; i < count; ++i) {
    if (i > 0) out += ' ';
    const bool from_topic = (next() % 1000) < topic_share * 1000;
    out += from_topic ? topic[next() % topic.size()] : common_[next() % common_.size()];
  }
  return out;
}

GeneratedArticle ArticleGenerator::article() {
  const auto& topic = topics_[next() % topics_.size()];
  GeneratedArticle a;
  a.title = words(topic, 4 + static_cast<int>(next() % 5), 0.8);
  a.content = words(topic, 60 + static_cast<int>(next() % 90), 0.5);
  return a;
}

std::string ArticleGenerator::query() {
  const auto& topic = topics_[next() % topics_.size()];
  return words(topic, 3 + static_cast<int>(next() % 4), 0.9);
}

std::string ArticleGenerator::query_from(const GeneratedArticle& article, int min_words,
                                         int max_words) {
  std::vector<std::string_view> pool;
  for (const std::string* text : {&article.title, &article.content}) {
    std::string_view rest = *text;
    while (!rest.empty()) {
      const std::size_t space = rest.find(' ');
      pool.push_back(rest.substr(0, space));
      rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
    }
  }
  std::string out;
  const int count = min_words + static_cast<int>(next() % unsigned(max_words - min_words + 1));
  for (int i = 0; i < count && !pool.empty(); ++i) {
    if (i > 0) out += ' ';
    out += pool[next() % pool.size()];
  }
  return out;
}

}  // namespace cscx::knowledge::bench
