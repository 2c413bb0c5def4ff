// The HNSW index: recall against exact search on generated articles, the
// effect of upsert/remove, and searches running while updates arrive.
#include "knowledge/ann_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <thread>

#include "generated_articles.h"
#include "knowledge/embedder.h"

namespace cscx::knowledge {
namespace {

std::string id_of(std::size_t i) { return "article-" + std::to_string(i); }

struct Corpus {
  std::vector<Embedding> vectors;
  AnnIndex index;
};

std::unique_ptr<Corpus> generated_corpus(std::size_t n, std::uint32_t seed) {
  auto corpus = std::make_unique<Corpus>();
  bench::ArticleGenerator generator(seed);
  for (std::size_t i = 0; i < n; ++i) {
    const auto a = generator.article();
    corpus->vectors.push_back(embed_article(a.title, a.content));
    EXPECT_TRUE(corpus->index.upsert(id_of(i), corpus->vectors.back()));
  }
  return corpus;
}

TEST(AnnIndex, RecallAtTenAgainstExactSearchIsAtLeast95Percent) {
  const auto corpus = generated_corpus(5000, 7);
  bench::ArticleGenerator queries(99);
  std::size_t found = 0, wanted = 0;
  for (int q = 0; q < 200; ++q) {
    const Embedding query = embed_text(queries.query());
    const auto exact = exact_top_k(corpus->vectors, query, 10);
    const auto hits = corpus->index.search(query, 10);
    ASSERT_EQ(hits.size(), 10u);
    for (const std::size_t i : exact) {
      wanted += 1;
      found += std::any_of(hits.begin(), hits.end(),
                           [&](const AnnHit& h) { return h.id == id_of(i); });
    }
  }
  const double recall = double(found) / double(wanted);
  RecordProperty("recall_at_10", std::to_string(recall));
  EXPECT_GE(recall, 0.95);
}

TEST(AnnIndex, HitsAreOrderedAndCarryTheCosine) {
  AnnIndex index;
  const Embedding a = embed_text("renewal playbook for enterprise customers");
  const Embedding b = embed_text("renewal risk signals");
  const Embedding c = embed_text("office party planning");
  ASSERT_TRUE(index.upsert("a", a));
  ASSERT_TRUE(index.upsert("b", b));
  ASSERT_TRUE(index.upsert("c", c));
  const auto hits = index.search(a, 3);
  ASSERT_EQ(hits.size(), 3u);
  EXPECT_EQ(hits[0].id, "a");
  EXPECT_NEAR(hits[0].similarity, 1.0f, 1e-4);
  EXPECT_EQ(hits[1].id, "b");
  EXPECT_NEAR(hits[1].similarity, similarity(a, b), 1e-4);
  EXPECT_GE(hits[1].similarity, hits[2].similarity);
}

TEST(AnnIndex, UpsertReplacesAndRemoveHides) {
  AnnIndex index;
  const Embedding pricing = embed_text("pricing tiers and discounts");
  const Embedding onboarding = embed_text("onboarding kickoff agenda");
  ASSERT_TRUE(index.upsert("x", pricing));
  ASSERT_TRUE(index.upsert("y", onboarding));
  EXPECT_EQ(index.size(), 2u);

  ASSERT_TRUE(index.upsert("x", onboarding));  // x is now about onboarding
  EXPECT_EQ(index.size(), 2u);
  EXPECT_NEAR(index.search(onboarding, 2)[1].similarity, 1.0f, 1e-4);

  index.remove("y");
  index.remove("y");        // twice is harmless
  index.remove("missing");  // so is an unknown id
  EXPECT_EQ(index.size(), 1u);
  auto hits = index.search(onboarding, 5);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].id, "x");

  ASSERT_TRUE(index.upsert("y", pricing));  // back again
  EXPECT_EQ(index.size(), 2u);
  EXPECT_EQ(index.search(pricing, 1)[0].id, "y");

  index.clear();
  EXPECT_EQ(index.size(), 0u);
  EXPECT_TRUE(index.search(pricing, 5).empty());
}

TEST(AnnIndex, RefusesVectorsOfTheWrongWidth) {
  AnnIndex index;
  const std::vector<float> short_vector(10, 0.1f);
  auto r = index.upsert("x", short_vector);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kInvalidArgument);
  EXPECT_EQ(index.size(), 0u);
  EXPECT_TRUE(index.search(short_vector, 3).empty());
}

TEST(AnnIndex, GrowsPastItsInitialCapacity) {
  AnnIndex index(AnnOptions{.initial_capacity = 8});
  bench::ArticleGenerator generator(3);
  for (int i = 0; i < 100; ++i) {
    const auto a = generator.article();
    ASSERT_TRUE(index.upsert(id_of(i), embed_article(a.title, a.content)));
  }
  EXPECT_EQ(index.size(), 100u);
  EXPECT_GT(index.memory_bytes(), 100u * 1536 * sizeof(float));
}

// Searches keep answering with valid ids while another thread inserts,
// replaces and removes; under TSan this is also the data-race check.
TEST(AnnIndex, SearchesRunWhileUpdatesArrive) {
  AnnIndex index(AnnOptions{.initial_capacity = 16});
  bench::ArticleGenerator generator(5);
  std::vector<Embedding> vectors;
  for (int i = 0; i < 400; ++i) {
    const auto a = generator.article();
    vectors.push_back(embed_article(a.title, a.content));
  }
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(index.upsert(id_of(i), vectors[i]));

  std::atomic<bool> done{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&, t] {
      std::size_t q = static_cast<std::size_t>(t);
      while (!done) {
        for (const AnnHit& h : index.search(vectors[q % vectors.size()], 10)) {
          if (h.id.rfind("article-", 0) != 0) ++bad;
        }
        q += 7;
      }
    });
  }
  std::set<std::string> live;
  for (int i = 0; i < 50; ++i) live.insert(id_of(i));
  for (std::size_t i = 50; i < vectors.size(); ++i) {
    ASSERT_TRUE(index.upsert(id_of(i), vectors[i]));
    live.insert(id_of(i));
    if (i % 3 == 0) {
      index.remove(id_of(i - 40));
      live.erase(id_of(i - 40));
    }
    if (i % 5 == 0) {
      ASSERT_TRUE(index.upsert(id_of(i - 10), vectors[i - 11]));
      live.insert(id_of(i - 10));
    }
  }
  done = true;
  for (auto& r : readers) r.join();
  EXPECT_EQ(bad.load(), 0);
  EXPECT_EQ(index.size(), live.size());
}

}  // namespace
}  // namespace cscx::knowledge
