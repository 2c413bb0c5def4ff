// The built-in embedder: deterministic unit vectors of the schema's width,
// in which texts that share words and stems are closer than unrelated ones.
#include "knowledge/embedder.h"

#include <gtest/gtest.h>

#include <cmath>

namespace cscx::knowledge {
namespace {

double norm(const Embedding& v) {
  double sum = 0;
  for (const float x : v) sum += double(x) * x;
  return std::sqrt(sum);
}

TEST(Embedder, HasTheSchemaWidthAndUnitLength) {
  const Embedding v = embed_text("How do I reset my password?");
  ASSERT_EQ(v.size(), 1536u);
  EXPECT_NEAR(norm(v), 1.0, 1e-5);
}

TEST(Embedder, IsDeterministic) {
  const std::string text = "Renewal playbook: start ninety days before the contract ends.";
  EXPECT_EQ(embed_text(text), embed_text(text));
  EXPECT_EQ(embed_text(text), embed_text(std::string(text)));
}

TEST(Embedder, TextWithoutWordsIsTheZeroVector) {
  for (const char* text : {"", "   \n\t", "?!.,;", "the and of a"}) {
    const Embedding v = embed_text(text);
    ASSERT_EQ(v.size(), 1536u) << text;
    EXPECT_EQ(norm(v), 0.0) << text;
  }
}

TEST(Embedder, SimilarTextsAreCloserThanUnrelatedOnes) {
  const Embedding query = embed_text("reset a forgotten password");
  const Embedding related = embed_text("How to reset your password when you forgot it");
  const Embedding unrelated = embed_text("Quarterly invoices are billed in advance in USD");
  EXPECT_GT(similarity(query, related), similarity(query, unrelated) + 0.2f);
  EXPECT_GT(similarity(query, related), 0.3f);
}

TEST(Embedder, StemmingAndCaseMakeInflectionsClose) {
  const Embedding a = embed_text("Renewals and Expansions");
  const Embedding b = embed_text("renewal expansion");
  const Embedding c = embed_text("onboarding checklist");
  EXPECT_GT(similarity(a, b), 0.6f);
  EXPECT_LT(similarity(a, c), 0.2f);
}

TEST(Embedder, WordOrderCountsThroughBigrams) {
  const Embedding a = embed_text("customer health score");
  EXPECT_GT(similarity(a, embed_text("customer health score drops")),
            similarity(a, embed_text("score health customer drops")));
}

TEST(Embedder, ArticleTitleWeighsMoreThanItsContent) {
  const Embedding article = embed_article("Executive business reviews",
                                          "Prepare slides about adoption and usage.");
  EXPECT_GT(similarity(article, embed_text("executive business reviews")),
            similarity(article, embed_text("adoption usage slides")));
}

TEST(Embedder, PgArrayRoundTripsEveryFloat) {
  const Embedding v = embed_text("round trip through PostgreSQL");
  auto parsed = parse_pg_array(to_pg_array(v));
  ASSERT_TRUE(parsed) << parsed.error().message;
  EXPECT_EQ(*parsed, v);
}

TEST(Embedder, PgArrayRejectsWrongWidthAndGarbage) {
  EXPECT_FALSE(parse_pg_array("{1,2,3}"));
  EXPECT_FALSE(parse_pg_array(""));
  EXPECT_FALSE(parse_pg_array("{a,b}"));
  std::string text = to_pg_array(Embedding(1536, 0.5f));
  EXPECT_TRUE(parse_pg_array(text));
  text.insert(1, "x");
  EXPECT_FALSE(parse_pg_array(text));
  // pgvector's text form.
  std::string vector_form = to_pg_array(Embedding(1536, 0.25f));
  vector_form.front() = '[';
  vector_form.back() = ']';
  EXPECT_TRUE(parse_pg_array(vector_form));
}

}  // namespace
}  // namespace cscx::knowledge
