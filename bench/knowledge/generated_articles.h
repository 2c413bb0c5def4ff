// Generated knowledge-base articles and queries for the index's recall test
// (tests/knowledge) and its benchmark (bench/knowledge): topic-clustered
// pseudo-words, so embeddings have the structure of a real corpus (articles
// on one topic share words) without shipping one. Deterministic per seed.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace cscx::knowledge::bench {

struct GeneratedArticle {
  std::string title;
  std::string content;
};

class ArticleGenerator {
 public:
  explicit ArticleGenerator(std::uint32_t seed, int topics = 200);
  GeneratedArticle article();
  // Three to six words of one topic, as a user would type. Mostly the
  // topic's 40 words, so hundreds of articles tie or nearly tie with it:
  // the hard case for recall, kept as the benchmark's first figure.
  std::string query();
  // Three to six words picked from `article` (its title and content), as a
  // user looking for an article they half remember would type: a mix of
  // topic and common words, whose nearest articles are far fewer. Other
  // bounds make longer queries (a pasted passage).
  std::string query_from(const GeneratedArticle& article, int min_words = 3, int max_words = 6);

 private:
  std::string words(const std::vector<std::string>& topic, int count, double topic_share);
  std::uint32_t next();

  std::uint64_t state_;
  std::vector<std::vector<std::string>> topics_;
  std::vector<std::string> common_;
};

}  // namespace cscx::knowledge::bench
