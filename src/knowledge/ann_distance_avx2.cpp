// The AVX2 distance kernels (ann_distance.h), one per encoding. This file
// alone is compiled with -mavx2 -mfma -mf16c (src/knowledge/CMakeLists.txt):
// it includes no C++ header with inline functions, so no AVX2 copy of a
// shared inline function can be picked by the linker and then run on a CPU
// without AVX2. ann_index.cpp calls these only after checking the CPU.
#include <immintrin.h>

#include <cstddef>
#include <cstdint>

namespace cscx::knowledge {

namespace {

float horizontal_sum(__m256 s) {
  __m128 h = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
  h = _mm_add_ps(h, _mm_movehl_ps(h, h));
  h = _mm_add_ss(h, _mm_movehdup_ps(h));
  return _mm_cvtss_f32(h);
}

std::int32_t horizontal_sum(__m256i s) {
  __m128i h = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
  h = _mm_add_epi32(h, _mm_shuffle_epi32(h, _MM_SHUFFLE(1, 0, 3, 2)));
  h = _mm_add_epi32(h, _mm_shuffle_epi32(h, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(h);
}

float half_to_float(std::uint16_t h) { return _cvtsh_ss(h); }

}  // namespace

// 1 - <a, b> over floats. Four independent accumulators hide the FMA
// latency; 1536 floats are 48 rounds of 32, the tail (any count) is summed
// one by one.
float inner_product_distance_avx2(const void* a_ptr, const void* b_ptr, const void* count) {
  const float* a = static_cast<const float*>(a_ptr);
  const float* b = static_cast<const float*>(b_ptr);
  const std::size_t n = *static_cast<const std::size_t*>(count);
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  __m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
    s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
    s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
  }
  for (; i + 8 <= n; i += 8) {
    s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
  }
  float sum = horizontal_sum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
  for (; i < n; ++i) sum += a[i] * b[i];
  return 1.0f - sum;
}

// 1 - <a, b> over float16 values: F16C widens 8 at a time, then as above.
float float16_distance_avx2(const void* a_ptr, const void* b_ptr, const void* count) {
  const std::uint16_t* a = static_cast<const std::uint16_t*>(a_ptr);
  const std::uint16_t* b = static_cast<const std::uint16_t*>(b_ptr);
  const std::size_t n = *static_cast<const std::size_t*>(count);
  auto load = [](const std::uint16_t* p) {
    return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
  };
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
  __m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    s0 = _mm256_fmadd_ps(load(a + i), load(b + i), s0);
    s1 = _mm256_fmadd_ps(load(a + i + 8), load(b + i + 8), s1);
    s2 = _mm256_fmadd_ps(load(a + i + 16), load(b + i + 16), s2);
    s3 = _mm256_fmadd_ps(load(a + i + 24), load(b + i + 24), s3);
  }
  for (; i + 8 <= n; i += 8) s0 = _mm256_fmadd_ps(load(a + i), load(b + i), s0);
  float sum = horizontal_sum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
  for (; i < n; ++i) sum += half_to_float(a[i]) * half_to_float(b[i]);
  return 1.0f - sum;
}

// 1 - scale_a * scale_b * <qa, qb> over the int8 encoding (a float scale,
// then the values in -127..127). The integer dot product is exact:
// maddubs multiplies |qa| (as unsigned) by qb carrying qa's sign, pairs
// summed into int16 (at most 2 * 127 * 127, no saturation because -128 never
// occurs), then madd by ones widens to int32.
float int8_distance_avx2(const void* a_ptr, const void* b_ptr, const void* count) {
  const unsigned char* a = static_cast<const unsigned char*>(a_ptr);
  const unsigned char* b = static_cast<const unsigned char*>(b_ptr);
  const std::size_t n = *static_cast<const std::size_t*>(count);
  float scale_a, scale_b;
  __builtin_memcpy(&scale_a, a, sizeof scale_a);
  __builtin_memcpy(&scale_b, b, sizeof scale_b);
  const std::int8_t* qa = reinterpret_cast<const std::int8_t*>(a + sizeof(float));
  const std::int8_t* qb = reinterpret_cast<const std::int8_t*>(b + sizeof(float));
  const __m256i ones = _mm256_set1_epi16(1);
  __m256i s0 = _mm256_setzero_si256(), s1 = _mm256_setzero_si256();
  auto step = [&](std::size_t at) {
    const __m256i x = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qa + at));
    const __m256i y = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qb + at));
    const __m256i pairs = _mm256_maddubs_epi16(_mm256_abs_epi8(x), _mm256_sign_epi8(y, x));
    return _mm256_madd_epi16(pairs, ones);
  };
  std::size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    s0 = _mm256_add_epi32(s0, step(i));
    s1 = _mm256_add_epi32(s1, step(i + 32));
  }
  for (; i + 32 <= n; i += 32) s0 = _mm256_add_epi32(s0, step(i));
  std::int32_t dot = horizontal_sum(_mm256_add_epi32(s0, s1));
  for (; i < n; ++i) dot += std::int32_t(qa[i]) * std::int32_t(qb[i]);
  return 1.0f - scale_a * scale_b * float(dot);
}

// The exact scan's kernel (ann_distance.h, ScanFunction): 64 articles'
// sums in eight registers of eight floats; each column adds one cache line
// of codes, widened int8 -> int32 -> float, times its weight.
void scan_block_avx2(const std::int8_t* first, std::size_t stride, const std::uint32_t* dims,
                     const float* weights, std::size_t count, std::size_t ahead, float* out) {
  __m256 acc[8];
  for (__m256& a : acc) a = _mm256_setzero_ps();
  for (std::size_t i = 0; i < count; ++i) {
    const std::int8_t* codes = first + std::size_t{dims[i]} * stride;
    if (ahead != 0) _mm_prefetch(reinterpret_cast<const char*>(codes + ahead), _MM_HINT_T0);
    const __m256 w = _mm256_set1_ps(weights[i]);
    for (int r = 0; r < 8; ++r) {
      const __m128i eight = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(codes + 8 * r));
      const __m256 values = _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(eight));
      acc[r] = _mm256_fmadd_ps(values, w, acc[r]);
    }
  }
  for (int r = 0; r < 8; ++r) _mm256_storeu_ps(out + 8 * r, acc[r]);
}

}  // namespace cscx::knowledge
