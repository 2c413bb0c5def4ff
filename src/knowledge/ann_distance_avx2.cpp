// The AVX2+FMA distance kernel (ann_distance.h). This file alone is compiled
// with -mavx2 -mfma (src/knowledge/CMakeLists.txt): it includes no C++
// header with inline functions, so no AVX2 copy of a shared inline function
// can be picked by the linker and then run on a CPU without AVX2.
#include <immintrin.h>

#include <cstddef>

namespace cscx::knowledge {

// 1 - <a, b>. Four independent accumulators hide the FMA latency; 1536
// floats are 48 rounds of 32, the tail (any count) is summed one by one.
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
  const __m256 s = _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3));
  __m128 h = _mm_add_ps(_mm256_castps256_ps128(s), _mm256_extractf128_ps(s, 1));
  h = _mm_add_ps(h, _mm_movehl_ps(h, h));
  h = _mm_add_ss(h, _mm_movehdup_ps(h));
  float sum = _mm_cvtss_f32(h);
  for (; i < n; ++i) sum += a[i] * b[i];
  return 1.0f - sum;
}

}  // namespace cscx::knowledge
