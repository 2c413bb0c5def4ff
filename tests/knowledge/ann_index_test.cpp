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

// Tests of the graph itself (recall per ef_search, build reproducibility)
// turn the exact scan off; a test of what search() promises runs with both.
AnnOptions graph_only(AnnOptions options = {}) {
  options.exact_scan_bytes = 0;
  return options;
}

// Each method search() can take, as options to build an index with.
struct Method {
  std::string name;
  AnnOptions options;
};
const std::vector<Method>& both_methods() {
  static const std::vector<Method> methods{{"graph", graph_only()}, {"exact scan", AnnOptions{}}};
  return methods;
}

struct Corpus {
  std::vector<Embedding> vectors;
  AnnIndex index{graph_only()};
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
  for (const Method& method : both_methods()) {
  SCOPED_TRACE(method.name);
  AnnIndex index(method.options);
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
  EXPECT_TRUE(index.search(embed_text("!!!"), 3).empty());  // no word: the zero vector
  }
}

TEST(AnnIndex, UpsertReplacesAndRemoveHides) {
  for (const Method& method : both_methods()) {
  SCOPED_TRACE(method.name);
  AnnIndex index(method.options);
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
  for (Method method : both_methods()) {
  SCOPED_TRACE(method.name);
  method.options.initial_capacity = 16;
  AnnIndex index(method.options);
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
}


// One batch of generated articles, inserted with `threads` threads.
std::vector<Embedding> generated_vectors(std::size_t n, std::uint32_t seed) {
  std::vector<Embedding> vectors;
  bench::ArticleGenerator generator(seed);
  for (std::size_t i = 0; i < n; ++i) {
    const auto a = generator.article();
    vectors.push_back(embed_article(a.title, a.content));
  }
  return vectors;
}

void insert_batch(AnnIndex& index, const std::vector<Embedding>& vectors) {
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < vectors.size(); ++i) ids.push_back(id_of(i));
  std::vector<AnnItem> items;
  for (std::size_t i = 0; i < vectors.size(); ++i) items.push_back(AnnItem{ids[i], vectors[i]});
  ASSERT_TRUE(index.upsert_batch(items));
}

double recall_at_10(const AnnIndex& index, const std::vector<Embedding>& vectors,
                    std::uint32_t query_seed) {
  bench::ArticleGenerator queries(query_seed);
  std::size_t found = 0, wanted = 0;
  for (int q = 0; q < 100; ++q) {
    const Embedding query = embed_text(queries.query());
    const auto hits = index.search(query, 10);
    for (const std::size_t i : exact_top_k(vectors, query, 10)) {
      wanted += 1;
      found += std::any_of(hits.begin(), hits.end(),
                           [&](const AnnHit& h) { return h.id == id_of(i); });
    }
  }
  return double(found) / double(wanted);
}

TEST(AnnIndex, SetEfSearchIsReportedAndNeverCutsResultsBelowK) {
  AnnIndex index(graph_only(AnnOptions{.ef_search = 64}));
  EXPECT_EQ(index.ef_search(), 64u);
  const auto vectors = generated_vectors(300, 4);
  insert_batch(index, vectors);
  index.set_ef_search(1);
  EXPECT_EQ(index.ef_search(), 1u);
  EXPECT_EQ(index.search(vectors[0], 10).size(), 10u);  // the beam widens to k
  index.set_ef_search(400);  // wider than the index: exhaustive, so exact
  const auto hits = index.search(vectors[7], 10);
  const auto exact = exact_top_k(vectors, vectors[7], 10);
  ASSERT_EQ(hits.size(), 10u);
  for (std::size_t i = 0; i < 10; ++i) {
    EXPECT_NEAR(hits[i].similarity, similarity(vectors[exact[i]], vectors[7]), 1e-5) << i;
  }
}

// Four threads insert one batch; every article is there, finds itself, and
// recall is what the one-by-one build gets (>= 0.95 at this size).
TEST(AnnIndex, ThreadedBatchBuildKeepsEveryArticleAndTheRecall) {
  const auto vectors = generated_vectors(4000, 7);
  AnnIndex index(graph_only(AnnOptions{.build_threads = 4}));
  insert_batch(index, vectors);
  EXPECT_EQ(index.size(), vectors.size());
  for (std::size_t i = 0; i < vectors.size(); i += 97) {
    const auto hits = index.search(vectors[i], 1);
    ASSERT_EQ(hits.size(), 1u);
    EXPECT_NEAR(hits[0].similarity, 1.0f, 1e-4) << i;
  }
  const double recall = recall_at_10(index, vectors, 99);
  RecordProperty("recall_at_10", std::to_string(recall));
  EXPECT_GE(recall, 0.95);
}

// With one build thread the graph depends only on the input: two builds
// answer every query identically (node levels come from the labels, not
// from a generator shared between threads).
TEST(AnnIndex, SingleThreadedBatchBuildIsReproducible) {
  const auto vectors = generated_vectors(1500, 9);
  AnnIndex first(graph_only(AnnOptions{.build_threads = 1}));
  AnnIndex second(graph_only(AnnOptions{.build_threads = 1}));
  insert_batch(first, vectors);
  insert_batch(second, vectors);
  bench::ArticleGenerator queries(12);
  for (int q = 0; q < 50; ++q) {
    const Embedding query = embed_text(queries.query());
    const auto a = first.search(query, 10);
    const auto b = second.search(query, 10);
    ASSERT_EQ(a.size(), b.size());
    for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].id, b[i].id) << q << " " << i;
  }
}

TEST(AnnIndex, BatchKeepsTheLastVectorOfARepeatedIdAndRefusesBadWidths) {
  for (const Method& method : both_methods()) {
  SCOPED_TRACE(method.name);
  AnnIndex index(method.options);
  const Embedding pricing = embed_text("pricing tiers and discounts");
  const Embedding onboarding = embed_text("onboarding kickoff agenda");
  const std::vector<float> short_vector(10, 0.1f);
  const std::vector<AnnItem> bad{{"a", pricing}, {"b", short_vector}};
  auto refused = index.upsert_batch(bad);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, Code::kInvalidArgument);
  EXPECT_EQ(index.size(), 0u);  // nothing written

  const std::vector<AnnItem> items{{"a", pricing}, {"b", pricing}, {"a", onboarding}};
  ASSERT_TRUE(index.upsert_batch(items));
  EXPECT_EQ(index.size(), 2u);
  EXPECT_EQ(index.search(onboarding, 1)[0].id, "a");
  const std::vector<AnnItem> again{{"b", onboarding}, {"b", pricing}};  // known id, twice
  ASSERT_TRUE(index.upsert_batch(again));
  EXPECT_EQ(index.size(), 2u);
  EXPECT_EQ(index.search(pricing, 1)[0].id, "b");
  }
}

// The kernel changes only rounding: indexes built with either give the
// same recall on the same articles (built one thread, so comparable).
TEST(AnnIndex, EitherDistanceKernelBuildsAnEquallyGoodIndex) {
  if (distance_function(DistanceKernel::kAvx2, kEmbeddingDimensions) == nullptr) {
    GTEST_SKIP() << "no AVX2+FMA on this CPU or build";
  }
  const auto vectors = generated_vectors(1500, 13);
  AnnIndex plain(graph_only(AnnOptions{.build_threads = 1, .kernel = DistanceKernel::kPlain}));
  AnnIndex avx2(graph_only(AnnOptions{.build_threads = 1, .kernel = DistanceKernel::kAvx2}));
  EXPECT_EQ(plain.kernel(), DistanceKernel::kPlain);
  EXPECT_EQ(avx2.kernel(), DistanceKernel::kAvx2);
  insert_batch(plain, vectors);
  insert_batch(avx2, vectors);
  EXPECT_NEAR(recall_at_10(plain, vectors, 21), recall_at_10(avx2, vectors, 21), 0.02);
  EXPECT_GE(recall_at_10(avx2, vectors, 21), 0.95);
}

// With a compact codec the graph is walked on approximations, and the hits
// are re-ranked by the exact inner product: sorted by it, and carrying it.
TEST(AnnIndex, CompactCodecsReturnHitsSortedByTheExactSimilarity) {
  const auto vectors = generated_vectors(2000, 17);
  for (const VectorCodec codec : {VectorCodec::kInt8, VectorCodec::kFloat16}) {
    for (const std::size_t rerank : {0u, 10u, 40u}) {
    for (const std::size_t scan_bytes : {std::size_t{0}, AnnOptions{}.exact_scan_bytes}) {
      SCOPED_TRACE(std::string(codec_name(codec)) + " rerank " + std::to_string(rerank) +
                   " exact_scan_bytes " + std::to_string(scan_bytes));
      AnnIndex index(AnnOptions{.ef_search = 64, .codec = codec, .rerank_candidates = rerank,
                                .exact_scan_bytes = scan_bytes});
      insert_batch(index, vectors);
      bench::ArticleGenerator queries(23);
      for (int q = 0; q < 30; ++q) {
        const Embedding query = embed_text(queries.query());
        const auto hits = index.search(query, 10);
        ASSERT_EQ(hits.size(), 10u);
        for (std::size_t i = 0; i < hits.size(); ++i) {
          const std::size_t article = std::stoul(hits[i].id.substr(hits[i].id.find('-') + 1));
          EXPECT_NEAR(hits[i].similarity, similarity(vectors[article], query), 1e-5) << i;
          if (i > 0) {
            EXPECT_GE(hits[i - 1].similarity, hits[i].similarity) << i;
          }
        }
      }
    }
    }
  }
}

// Re-ranking fewer candidates than k still returns k hits (the beam is
// asked for at least k).
TEST(AnnIndex, RerankDepthBelowKStillReturnsK) {
  const auto vectors = generated_vectors(500, 18);
  AnnIndex index(graph_only(AnnOptions{.ef_search = 16, .rerank_candidates = 3}));
  insert_batch(index, vectors);
  EXPECT_EQ(index.search(vectors[5], 10).size(), 10u);
  EXPECT_EQ(index.search(vectors[5], 10)[0].id, id_of(5));
  index.set_rerank_candidates(0);
  EXPECT_EQ(index.options().rerank_candidates, 0u);
  EXPECT_EQ(index.search(vectors[5], 25).size(), 25u);
}

// The compact graphs find the exact top 10 as well as the float one does,
// on the same articles and queries, each built by one thread.
TEST(AnnIndex, CompactCodecsKeepTheRecallOfTheFloatGraph) {
  const auto vectors = generated_vectors(3000, 19);
  AnnIndex float32(graph_only(AnnOptions{.build_threads = 1, .codec = VectorCodec::kFloat32}));
  insert_batch(float32, vectors);
  const double baseline = recall_at_10(float32, vectors, 29);
  RecordProperty("recall_float32", std::to_string(baseline));
  for (const VectorCodec codec : {VectorCodec::kInt8, VectorCodec::kFloat16}) {
    AnnIndex compact(graph_only(AnnOptions{.build_threads = 1, .codec = codec}));
    insert_batch(compact, vectors);
    const double recall = recall_at_10(compact, vectors, 29);
    RecordProperty(std::string("recall_") + std::string(codec_name(codec)), std::to_string(recall));
    EXPECT_GE(recall, baseline - 0.005) << codec_name(codec);
    EXPECT_GE(recall, 0.95) << codec_name(codec);
  }
}

// A short query is answered by the exact scan: the same top 10 as
// exhaustive float search, hit by hit, whatever the graph would find.
// For `count` topic queries from `query_seed`: the index scans, and its top
// 10 are the exhaustive float search's, hit by hit (compared by similarity,
// so an exact tie in either order passes).
void expect_scan_finds_exact_top_ten(const AnnIndex& index, const std::vector<Embedding>& vectors,
                                     std::uint32_t query_seed, int count) {
  bench::ArticleGenerator queries(query_seed);
  for (int q = 0; q < count; ++q) {
    const Embedding query = embed_text(queries.query());
    ASSERT_EQ(index.method_for(query), SearchMethod::kExactScan);
    const auto hits = index.search(query, 10);
    const auto exact = exact_top_k(vectors, query, 10);
    ASSERT_EQ(hits.size(), 10u);
    for (std::size_t i = 0; i < 10; ++i) {
      EXPECT_NEAR(hits[i].similarity, similarity(vectors[exact[i]], query), 1e-6) << q << " " << i;
    }
  }
}

TEST(AnnIndex, ExactScanFindsTheExactTopTen) {
  const auto vectors = generated_vectors(3000, 31);
  for (const VectorCodec codec : {VectorCodec::kInt8, VectorCodec::kFloat16}) {
    SCOPED_TRACE(codec_name(codec));
    // A one-node beam: a graph search would miss most of the top 10.
    AnnIndex index(AnnOptions{.ef_search = 1, .codec = codec});
    insert_batch(index, vectors);
    expect_scan_finds_exact_top_ten(index, vectors, 37, 100);
  }
}

// The scan's columns are copied when the capacity doubles: articles
// upserted one by one from a capacity of 8 (so the columns grow six times
// with codes in them) are scanned as exactly as a batch.
TEST(AnnIndex, ExactScanKeepsItsColumnsAcrossGrowth) {
  const auto vectors = generated_vectors(300, 47);
  AnnIndex index(AnnOptions{.initial_capacity = 8});
  for (std::size_t i = 0; i < vectors.size(); ++i) ASSERT_TRUE(index.upsert(id_of(i), vectors[i]));
  expect_scan_finds_exact_top_ten(index, vectors, 53, 50);
}

// Removed articles never come back from the scan, replaced ones come back
// with their new vector, and a block's unused lanes are never hits.
TEST(AnnIndex, ExactScanSeesRemovalsAndReplacements) {
  const auto vectors = generated_vectors(130, 41);  // three blocks of 64, the last partial
  AnnIndex index;
  insert_batch(index, vectors);
  for (std::size_t i = 0; i < vectors.size(); i += 2) index.remove(id_of(i));
  ASSERT_TRUE(index.upsert(id_of(3), vectors[4]));  // 3 now reads as 4 did
  const Embedding query = embed_text("renewal");
  ASSERT_EQ(index.method_for(query), SearchMethod::kExactScan);
  const auto hits = index.search(query, 200);
  EXPECT_EQ(hits.size(), vectors.size() / 2);  // the odd ones
  for (const AnnHit& hit : hits) {
    const std::size_t i = std::stoul(hit.id.substr(hit.id.find('-') + 1));
    EXPECT_EQ(i % 2, 1u) << hit.id;
    EXPECT_NEAR(hit.similarity, similarity(vectors[i == 3 ? 4 : i], query), 1e-6) << hit.id;
  }
  EXPECT_EQ(index.search(vectors[4], 1)[0].id, id_of(3));
}

// The scan is chosen by the bytes it would read (non-zero values x
// articles); the graph otherwise, always with 0, and always with kFloat32
// (no float rows to re-rank from, no int8 copy).
TEST(AnnIndex, SearchMethodFollowsTheScanBudget) {
  const auto vectors = generated_vectors(200, 43);  // 4 blocks: 256 lanes
  const Embedding word = embed_text("renewal");
  std::size_t nonzero = 0;
  for (const float x : word) nonzero += x != 0.0f;
  ASSERT_GT(nonzero, 0u);
  AnnIndex index(AnnOptions{.exact_scan_bytes = nonzero * 256});
  insert_batch(index, vectors);
  EXPECT_EQ(index.method_for(word), SearchMethod::kExactScan);
  EXPECT_EQ(index.method_for(vectors[0]), SearchMethod::kGraph);  // an article: hundreds of values
  EXPECT_EQ(index.search(vectors[0], 1)[0].id, id_of(0));
  index.set_exact_scan_bytes(nonzero * 256 - 1);
  EXPECT_EQ(index.method_for(word), SearchMethod::kGraph);
  index.set_exact_scan_bytes(0);
  EXPECT_EQ(index.method_for(word), SearchMethod::kGraph);

  AnnIndex float32(AnnOptions{.codec = VectorCodec::kFloat32});
  insert_batch(float32, vectors);
  EXPECT_EQ(float32.method_for(word), SearchMethod::kGraph);
}

}  // namespace
}  // namespace cscx::knowledge
