// The distance kernels (ann_distance.h): the AVX2 one, where this CPU has
// it, gives the plain one's distances to float rounding, on embeddings and
// on widths that leave a tail after the vector loop.
#include "knowledge/ann_distance.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "generated_articles.h"
#include "knowledge/embedder.h"

namespace cscx::knowledge {
namespace {

float reference_distance(const std::vector<float>& a, const std::vector<float>& b) {
  double sum = 0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += double(a[i]) * double(b[i]);
  return static_cast<float>(1.0 - sum);
}

TEST(AnnDistance, PlainKernelIsOneMinusTheInnerProduct) {
  const DistanceFunction plain = distance_function(DistanceKernel::kPlain, kEmbeddingDimensions);
  ASSERT_NE(plain, nullptr);
  const Embedding a = embed_text("renewal playbook for enterprise customers");
  const Embedding b = embed_text("renewal risk signals");
  EXPECT_NEAR(plain(a.data(), b.data(), &kEmbeddingDimensions), 1.0f - similarity(a, b), 1e-6);
  EXPECT_NEAR(plain(a.data(), a.data(), &kEmbeddingDimensions), 0.0f, 1e-6);
}

TEST(AnnDistance, Avx2KernelMatchesThePlainOneWithinFloatTolerance) {
  const DistanceFunction avx2 = distance_function(DistanceKernel::kAvx2, kEmbeddingDimensions);
  if (avx2 == nullptr) GTEST_SKIP() << "no AVX2+FMA on this CPU or build";
  EXPECT_EQ(best_distance_kernel(), DistanceKernel::kAvx2);
  const DistanceFunction plain = distance_function(DistanceKernel::kPlain, kEmbeddingDimensions);

  bench::ArticleGenerator generator(11);
  std::vector<Embedding> vectors;
  for (int i = 0; i < 40; ++i) {
    const auto a = generator.article();
    vectors.push_back(embed_article(a.title, a.content));
    vectors.push_back(embed_text(generator.query()));
  }
  for (const Embedding& a : vectors) {
    for (const Embedding& b : vectors) {
      const float expected = plain(a.data(), b.data(), &kEmbeddingDimensions);
      ASSERT_NEAR(avx2(a.data(), b.data(), &kEmbeddingDimensions), expected, 2e-6f);
    }
  }

  // Widths with a tail of 1-31 floats after the 32-wide loop, random values.
  std::mt19937 random(5);
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  for (std::size_t n : {1u, 7u, 8u, 15u, 33u, 100u, 1535u, 1537u}) {
    std::vector<float> a(n), b(n);
    for (std::size_t i = 0; i < n; ++i) a[i] = value(random), b[i] = value(random);
    const float expected = reference_distance(a, b);
    EXPECT_NEAR(avx2(a.data(), b.data(), &n), expected, 1e-5f * std::sqrt(float(n))) << n;
  }
}

}  // namespace
}  // namespace cscx::knowledge
