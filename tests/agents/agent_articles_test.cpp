// Which knowledge search results the agent cites (agents/agent_articles.h):
// full-text matches always, semantic-only hits when they stand out from the
// noise of the message against the corpus, at most three, best first.
#include "agents/agent_articles.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <string>
#include <vector>

namespace cscx::agents::internal {
namespace {
namespace json = boost::json;

// A search result: `similarity` < 0 means the semantic half did not find
// it; `text` whether full text did.
json::object result(const std::string& id, double similarity, bool text) {
  json::object r{{"id", id}, {"title", "T " + id}, {"snippet", "S " + id}, {"score", 0.01}};
  r["vector"] = similarity < 0 ? json::value(nullptr)
                               : json::value(json::object{{"rank", 1}, {"similarity", similarity}});
  r["text"] = text ? json::value(json::object{{"rank", 1}, {"ts_rank", 0.1}}) : json::value(nullptr);
  return r;
}

std::vector<std::string> cited(const std::vector<json::object>& results) {
  json::array array;
  for (const json::object& r : results) array.push_back(r);
  const auto articles =
      articles_to_cite(json::serialize(json::object{{"results", std::move(array)}}));
  EXPECT_TRUE(articles);
  std::vector<std::string> ids;
  if (!articles) return ids;
  for (const json::value& a : *articles) ids.emplace_back(a.at("id").as_string());
  return ids;
}

TEST(AgentArticles, FullTextMatchesAreAlwaysCitedAtMostThree) {
  EXPECT_EQ(cited({result("a", -1, true), result("b", 0.01, true), result("c", -1, true),
                   result("d", -1, true)}),
            (std::vector<std::string>{"a", "b", "c"}));
}

TEST(AgentArticles, FewSemanticHitsNeedOnlyTheFloor) {
  // A small knowledge base: a misspelt word's match (0.12) is cited, an
  // unrelated article (0.05) is not.
  EXPECT_EQ(cited({result("typo", 0.12, false), result("other", 0.05, false)}),
            std::vector<std::string>{"typo"});
}

TEST(AgentArticles, ManyHitsAtTheNoiseLevelAreNotCited) {
  // A message about nothing against a large corpus: the nearest ten are all
  // the tail of the noise, the best 0.19.
  std::vector<json::object> noise;
  for (int i = 0; i < 10; ++i) noise.push_back(result(std::to_string(i), 0.19 - 0.005 * i, false));
  EXPECT_TRUE(cited(noise).empty());
  // One article that shares the message's words stands out and is cited.
  noise.insert(noise.begin(), result("match", 0.45, false));
  EXPECT_EQ(cited(noise), std::vector<std::string>{"match"});
}

TEST(AgentArticles, AnAnswerWithoutResultsIsAnInternalError) {
  for (const std::string body : {"", "[]", "{}", R"({"results": 3})"}) {
    const auto articles = articles_to_cite(body);
    ASSERT_FALSE(articles) << body;
    EXPECT_EQ(articles.error().code, Code::kInternal) << body;
  }
}

}  // namespace
}  // namespace cscx::agents::internal
