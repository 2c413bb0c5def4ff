// The distance kernels (ann_distance.h): the AVX2 ones, where this CPU has
// them, give the plain ones' distances (to float rounding for float32 and
// float16, exactly for int8), on embeddings and on widths that leave a tail
// after the vector loop; the compact encodings round as documented and
// stay within their error bounds of the exact distance.
#include "knowledge/ann_distance.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
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

std::vector<unsigned char> encoded(VectorCodec codec, const std::vector<float>& v) {
  std::vector<unsigned char> out(encoded_size(codec, v.size()));
  encode_vector(codec, v, out.data());
  return out;
}

std::vector<Embedding> generated_embeddings(std::uint32_t seed) {
  bench::ArticleGenerator generator(seed);
  std::vector<Embedding> vectors;
  for (int i = 0; i < 40; ++i) {
    const auto a = generator.article();
    vectors.push_back(embed_article(a.title, a.content));
    vectors.push_back(embed_text(generator.query()));
  }
  return vectors;
}

TEST(AnnDistance, EncodedSizes) {
  EXPECT_EQ(encoded_size(VectorCodec::kFloat32, 1536), 6144u);
  EXPECT_EQ(encoded_size(VectorCodec::kFloat16, 1536), 3072u);
  EXPECT_EQ(encoded_size(VectorCodec::kInt8, 1536), 1540u);  // the scale, then the codes
}

// The float16 encoding is IEEE binary16, rounded to nearest even, with
// subnormals and overflow to infinity.
TEST(AnnDistance, Float16EncodingRoundsToNearestEven) {
  const std::vector<float> values{1.0f,    -2.0f,  65504.0f, 70000.0f, 0.1f,     1e-7f,
                                  0.0f,    -0.0f,  1.0f + 0x1p-11f,  // a tie: to even, down
                                  1.0f + 0x3p-11f,                   // a tie: to even, up
                                  0x1p-14f, 0x1p-24f, 0x1p-25f};
  const std::vector<std::uint16_t> expected{0x3c00, 0xc000, 0x7bff, 0x7c00, 0x2e66, 0x0002, 0x0000,
                                            0x8000, 0x3c00, 0x3c02, 0x0400, 0x0001, 0x0000};
  const auto bytes = encoded(VectorCodec::kFloat16, values);
  std::vector<std::uint16_t> halves(values.size());
  std::memcpy(halves.data(), bytes.data(), bytes.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(halves[i], expected[i]) << values[i];
  }
}

// int8: the scale is max |x| / 127, each code round(x / scale), so the
// largest value is +-127 and -128 never occurs.
TEST(AnnDistance, Int8EncodingScalesByTheLargestValue) {
  const std::vector<float> values{0.5f, -1.0f, 0.25f, 0.0f, 0.004f, -0.9999f};
  const auto bytes = encoded(VectorCodec::kInt8, values);
  float scale = 0;
  std::memcpy(&scale, bytes.data(), sizeof scale);
  EXPECT_FLOAT_EQ(scale, 1.0f / 127.0f);
  const std::vector<std::int8_t> expected{64, -127, 32, 0, 1, -127};
  for (std::size_t i = 0; i < values.size(); ++i) {
    EXPECT_EQ(static_cast<std::int8_t>(bytes[sizeof(float) + i]), expected[i]) << i;
  }
  const auto zeros = encoded(VectorCodec::kInt8, std::vector<float>(8, 0.0f));
  std::memcpy(&scale, zeros.data(), sizeof scale);
  EXPECT_EQ(scale, 0.0f);
}

// Values a float16 holds exactly give the exact distance; embeddings give
// it to about 1e-3 (each value has 11 significant bits).
TEST(AnnDistance, Float16DistanceIsExactOnRepresentableValuesAndCloseOnEmbeddings) {
  const std::size_t n = 4;
  const std::vector<float> a{0.5f, -0.25f, 0.125f, 0.75f}, b{0.5f, 0.5f, -0.375f, 0.0625f};
  const float exact = reference_distance(a, b);
  for (const DistanceKernel kernel : {DistanceKernel::kPlain, DistanceKernel::kAvx2}) {
    const DistanceFunction f = distance_function(VectorCodec::kFloat16, kernel, n);
    if (f == nullptr) continue;
    EXPECT_EQ(f(encoded(VectorCodec::kFloat16, a).data(), encoded(VectorCodec::kFloat16, b).data(),
                &n),
              exact)
        << kernel_name(kernel);
  }
  const DistanceFunction plain = distance_function(VectorCodec::kFloat16, DistanceKernel::kPlain,
                                                   kEmbeddingDimensions);
  for (const Embedding& x : generated_embeddings(3)) {
    for (const Embedding& y : generated_embeddings(4)) {
      const float d = plain(encoded(VectorCodec::kFloat16, x).data(),
                            encoded(VectorCodec::kFloat16, y).data(), &kEmbeddingDimensions);
      // |x_i - half(x_i)| <= 2^-11 |x_i|, so the inner product moves by at
      // most about 2 * 2^-11 * sum |x_i y_i| <= 2^-10 for unit vectors.
      ASSERT_NEAR(d, reference_distance(x, y), 1e-3f);
    }
  }
}

// int8's error is bounded by the rounding of each code (half a step of the
// vector's scale): |<a, b> - <a', b'>| <= |a|_1 sb / 2 + |b|_1 sa / 2 + n sa sb / 4.
TEST(AnnDistance, Int8DistanceStaysWithinItsRoundingBound) {
  const DistanceFunction plain =
      distance_function(VectorCodec::kInt8, DistanceKernel::kPlain, kEmbeddingDimensions);
  auto l1 = [](const Embedding& v) {
    double sum = 0;
    for (const float x : v) sum += std::fabs(x);
    return sum;
  };
  auto scale = [](const Embedding& v) {
    float largest = 0;
    for (const float x : v) largest = std::max(largest, std::fabs(x));
    return double(largest) / 127.0;
  };
  double worst_share = 0;
  for (const Embedding& x : generated_embeddings(3)) {
    for (const Embedding& y : generated_embeddings(4)) {
      const float d = plain(encoded(VectorCodec::kInt8, x).data(),
                            encoded(VectorCodec::kInt8, y).data(), &kEmbeddingDimensions);
      const double bound = l1(x) * scale(y) / 2 + l1(y) * scale(x) / 2 +
                           double(kEmbeddingDimensions) * scale(x) * scale(y) / 4 + 1e-6;
      const double error = std::fabs(double(d) - double(reference_distance(x, y)));
      ASSERT_LE(error, bound);
      worst_share = std::max(worst_share, error / bound);
    }
  }
  RecordProperty("worst_error_share_of_bound", std::to_string(worst_share));
}

// The AVX2 kernels of the compact encodings against the plain ones: float16
// to float rounding (different summation order), int8 exactly (an integer
// sum, then the same float expression).
TEST(AnnDistance, Avx2KernelsOfTheEncodingsMatchThePlainOnes) {
  if (distance_function(VectorCodec::kInt8, DistanceKernel::kAvx2, 8) == nullptr) {
    GTEST_SKIP() << "no AVX2+FMA+F16C on this CPU or build";
  }
  const auto vectors = generated_embeddings(11);
  std::mt19937 random(5);
  std::uniform_real_distribution<float> value(-1.0f, 1.0f);
  for (const VectorCodec codec : {VectorCodec::kFloat16, VectorCodec::kInt8}) {
    SCOPED_TRACE(std::string(codec_name(codec)));
    const std::size_t n = kEmbeddingDimensions;
    const DistanceFunction avx2 = distance_function(codec, DistanceKernel::kAvx2, n);
    const DistanceFunction plain = distance_function(codec, DistanceKernel::kPlain, n);
    for (const Embedding& a : vectors) {
      const auto ea = encoded(codec, a);
      for (const Embedding& b : vectors) {
        const auto eb = encoded(codec, b);
        if (codec == VectorCodec::kInt8) {
          ASSERT_EQ(avx2(ea.data(), eb.data(), &n), plain(ea.data(), eb.data(), &n));
        } else {
          // The plain kernel sums 1536 products one by one in float.
          ASSERT_NEAR(avx2(ea.data(), eb.data(), &n), plain(ea.data(), eb.data(), &n), 1e-5f);
        }
      }
    }
    // Widths that leave a tail after each loop, random values.
    for (std::size_t w : {1u, 7u, 8u, 15u, 31u, 33u, 63u, 65u, 100u, 1535u, 1537u}) {
      std::vector<float> a(w), b(w);
      for (std::size_t i = 0; i < w; ++i) a[i] = value(random), b[i] = value(random);
      const auto ea = encoded(codec, a), eb = encoded(codec, b);
      const float fast = distance_function(codec, DistanceKernel::kAvx2, w)(ea.data(), eb.data(), &w);
      const float slow = distance_function(codec, DistanceKernel::kPlain, w)(ea.data(), eb.data(), &w);
      if (codec == VectorCodec::kInt8) {
        EXPECT_EQ(fast, slow) << w;
      } else {
        EXPECT_NEAR(fast, slow, 1e-5f * std::sqrt(float(w))) << w;
      }
    }
  }
}

// The scan's kernel: out[j] = sum of weights[i] * dims[i]'s code of lane j.
// The plain kernel against a sum written here, the AVX2 one against the
// plain one (FMA rounds once per step, so within float tolerance).
TEST(AnnDistance, ScanKernelsSumTheChosenColumnsOfEachLane) {
  std::mt19937 random(9);
  std::uniform_int_distribution<int> code(-127, 127);
  std::uniform_real_distribution<float> weight(-1.0f, 1.0f);
  const std::size_t stride = 3 * kScanLanes;  // three blocks of lanes per column
  std::vector<std::int8_t> columns(stride * kEmbeddingDimensions);
  for (auto& c : columns) c = static_cast<std::int8_t>(code(random));
  for (const std::size_t count : {0u, 1u, 7u, 50u, 1536u}) {
    SCOPED_TRACE(count);
    std::vector<std::uint32_t> dims(count);
    std::vector<float> weights(count);
    for (std::size_t i = 0; i < count; ++i) {
      dims[i] = count == kEmbeddingDimensions ? std::uint32_t(i)
                                              : std::uint32_t(random() % kEmbeddingDimensions);
      weights[i] = weight(random);
    }
    const std::int8_t* first = columns.data() + kScanLanes;  // the middle block
    std::vector<float> plain(kScanLanes), fast(kScanLanes);
    scan_function(DistanceKernel::kPlain)(first, stride, dims.data(), weights.data(), count,
                                          kScanLanes, plain.data());
    for (std::size_t j = 0; j < kScanLanes; ++j) {
      double sum = 0;
      for (std::size_t i = 0; i < count; ++i) sum += weights[i] * first[dims[i] * stride + j];
      ASSERT_NEAR(plain[j], sum, 1e-3 * (1 + std::sqrt(double(count)))) << j;
    }
    if (distance_function(VectorCodec::kInt8, DistanceKernel::kAvx2, 8) == nullptr) continue;
    scan_function(DistanceKernel::kAvx2)(first, stride, dims.data(), weights.data(), count,
                                         kScanLanes, fast.data());
    for (std::size_t j = 0; j < kScanLanes; ++j) {
      ASSERT_NEAR(fast[j], plain[j], 1e-4 * (1 + std::abs(plain[j]))) << j;
    }
  }
}

}  // namespace
}  // namespace cscx::knowledge
