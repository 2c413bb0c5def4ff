#include "knowledge/ann_index.h"

// hnswlib is header-only, slow to compile, and its 0.6.2 headers define
// global variables: only this file may include it. So the distance kernels
// of ann_distance.h are picked here too.
#include <hnswlib/hnswlib.h>
#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <new>
#include <numeric>
#include <optional>
#include <queue>
#include <thread>
#include <unordered_map>

#include "knowledge/embedder.h"

namespace cscx::knowledge {

// ---- ann_distance.h ----

#if defined(CSCX_KNOWLEDGE_AVX2)
// Defined in ann_distance_avx2.cpp, the only file built with -mavx2 -mfma
// -mf16c; call them only after cpu_has_avx2() said yes.
float inner_product_distance_avx2(const void* a, const void* b, const void* count);
float float16_distance_avx2(const void* a, const void* b, const void* count);
float int8_distance_avx2(const void* a, const void* b, const void* count);
void scan_block_avx2(const std::int8_t* first, std::size_t stride, const std::uint32_t* dims,
                     const float* weights, std::size_t count, std::size_t ahead, float* out);
#endif

namespace {

bool cpu_has_avx2() {
#if defined(CSCX_KNOWLEDGE_AVX2)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
         __builtin_cpu_supports("f16c");
#else
  return false;
#endif
}

// IEEE binary16 from float, rounding to nearest even (as F16C's
// _cvtss_sh does by default). Encoding is done once per vector, so the
// portable version serves every CPU.
std::uint16_t float_to_half(float value) {
  const std::uint32_t bits = std::bit_cast<std::uint32_t>(value);
  const std::uint16_t sign = static_cast<std::uint16_t>((bits >> 16) & 0x8000u);
  const std::uint32_t magnitude = bits & 0x7fffffffu;
  if (magnitude >= 0x47800000u) {  // >= 65536, infinity or NaN
    return sign | (magnitude > 0x7f800000u ? 0x7e00u : 0x7c00u);
  }
  if (magnitude < 0x38800000u) {  // below 2^-14: a subnormal half (or zero)
    const float scaled = std::bit_cast<float>(magnitude) * 16777216.0f;  // in units of 2^-24
    return sign | static_cast<std::uint16_t>(std::nearbyint(scaled));
  }
  const std::uint32_t rebiased = magnitude - 0x38000000u;  // exponent 127 -> 15
  const std::uint32_t rounded = rebiased + 0xfffu + ((rebiased >> 13) & 1u);
  return sign | static_cast<std::uint16_t>(rounded >> 13);  // a carry may reach infinity
}

float half_to_float(std::uint16_t half) {
  const std::uint32_t sign = std::uint32_t(half & 0x8000u) << 16;
  const std::uint32_t exponent = (half >> 10) & 0x1fu;
  const std::uint32_t mantissa = half & 0x3ffu;
  if (exponent == 0) {
    const float subnormal = std::ldexp(float(mantissa), -24);
    return sign ? -subnormal : subnormal;
  }
  if (exponent == 31) return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
  return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

// The portable kernels of the compact encodings (ann_distance_avx2.cpp has
// the fast ones): the same sums, written plainly.
float float16_distance_plain(const void* a_ptr, const void* b_ptr, const void* count) {
  const auto* a = static_cast<const std::uint16_t*>(a_ptr);
  const auto* b = static_cast<const std::uint16_t*>(b_ptr);
  const std::size_t n = *static_cast<const std::size_t*>(count);
  float sum = 0;
  for (std::size_t i = 0; i < n; ++i) sum += half_to_float(a[i]) * half_to_float(b[i]);
  return 1.0f - sum;
}

float int8_distance_plain(const void* a_ptr, const void* b_ptr, const void* count) {
  const auto* a = static_cast<const unsigned char*>(a_ptr);
  const auto* b = static_cast<const unsigned char*>(b_ptr);
  const std::size_t n = *static_cast<const std::size_t*>(count);
  float scale_a, scale_b;
  std::memcpy(&scale_a, a, sizeof scale_a);
  std::memcpy(&scale_b, b, sizeof scale_b);
  const auto* qa = reinterpret_cast<const std::int8_t*>(a + sizeof(float));
  const auto* qb = reinterpret_cast<const std::int8_t*>(b + sizeof(float));
  std::int32_t dot = 0;
  for (std::size_t i = 0; i < n; ++i) dot += std::int32_t(qa[i]) * std::int32_t(qb[i]);
  return 1.0f - scale_a * scale_b * float(dot);
}

void scan_block_plain(const std::int8_t* first, std::size_t stride, const std::uint32_t* dims,
                      const float* weights, std::size_t count, std::size_t /*ahead*/, float* out) {
  std::fill(out, out + kScanLanes, 0.0f);
  for (std::size_t i = 0; i < count; ++i) {
    const std::int8_t* codes = first + std::size_t{dims[i]} * stride;
    for (std::size_t j = 0; j < kScanLanes; ++j) out[j] += weights[i] * float(codes[j]);
  }
}

// The int8 code of each value is round(x / scale) with scale = max |x| /
// 127, so the largest value maps to +-127 and -128 never occurs (the AVX2
// kernel relies on that).
void encode_int8(std::span<const float> vector, unsigned char* out) {
  float largest = 0;
  for (const float x : vector) largest = std::max(largest, std::fabs(x));
  const float scale = largest / 127.0f;
  std::memcpy(out, &scale, sizeof scale);
  auto* codes = reinterpret_cast<std::int8_t*>(out + sizeof(float));
  for (std::size_t i = 0; i < vector.size(); ++i) {
    const float code = scale > 0 ? std::nearbyint(vector[i] / scale) : 0.0f;
    codes[i] = static_cast<std::int8_t>(std::clamp(code, -127.0f, 127.0f));
  }
}

}  // namespace

std::size_t encoded_size(VectorCodec codec, std::size_t dimensions) {
  switch (codec) {
    case VectorCodec::kFloat32: return dimensions * sizeof(float);
    case VectorCodec::kFloat16: return dimensions * sizeof(std::uint16_t);
    case VectorCodec::kInt8: return sizeof(float) + dimensions;
  }
  return 0;
}

void encode_vector(VectorCodec codec, std::span<const float> vector, void* out) {
  switch (codec) {
    case VectorCodec::kFloat32:
      std::memcpy(out, vector.data(), vector.size_bytes());
      return;
    case VectorCodec::kFloat16: {
      auto* halves = static_cast<std::uint16_t*>(out);
      for (std::size_t i = 0; i < vector.size(); ++i) halves[i] = float_to_half(vector[i]);
      return;
    }
    case VectorCodec::kInt8:
      encode_int8(vector, static_cast<unsigned char*>(out));
      return;
  }
}

DistanceFunction distance_function(VectorCodec codec, DistanceKernel kernel,
                                   std::size_t dimensions) {
  if (kernel == DistanceKernel::kAvx2) {
#if defined(CSCX_KNOWLEDGE_AVX2)
    if (!cpu_has_avx2()) return nullptr;
    switch (codec) {
      case VectorCodec::kFloat32: return &inner_product_distance_avx2;
      case VectorCodec::kFloat16: return &float16_distance_avx2;
      case VectorCodec::kInt8: return &int8_distance_avx2;
    }
#endif
    return nullptr;
  }
  switch (codec) {
    case VectorCodec::kFloat32: {
      // hnswlib picks its kernel per dimension count (a static function,
      // so the pointer outlives the space).
      hnswlib::InnerProductSpace space(dimensions);
      return space.get_dist_func();
    }
    case VectorCodec::kFloat16: return &float16_distance_plain;
    case VectorCodec::kInt8: return &int8_distance_plain;
  }
  return nullptr;
}

DistanceFunction distance_function(DistanceKernel kernel, std::size_t dimensions) {
  return distance_function(VectorCodec::kFloat32, kernel, dimensions);
}

ScanFunction scan_function(DistanceKernel kernel) {
#if defined(CSCX_KNOWLEDGE_AVX2)
  if (kernel == DistanceKernel::kAvx2 && cpu_has_avx2()) return &scan_block_avx2;
#endif
  (void)kernel;
  return &scan_block_plain;
}

DistanceKernel best_distance_kernel() {
  return cpu_has_avx2() ? DistanceKernel::kAvx2 : DistanceKernel::kPlain;
}

std::string_view kernel_name(DistanceKernel kernel) {
  return kernel == DistanceKernel::kAvx2 ? "avx2+fma+f16c" : "plain (hnswlib, compile-time SIMD)";
}

std::string_view codec_name(VectorCodec codec) {
  switch (codec) {
    case VectorCodec::kFloat32: return "float32";
    case VectorCodec::kFloat16: return "float16";
    case VectorCodec::kInt8: return "int8";
  }
  return "?";
}

// ---- AnnIndex ----

namespace {

// hnswlib's space over encoded vectors (ann_distance.h): the data size is
// the encoding's, the distance the kernel chosen at run time (not the one
// hnswlib picked at compile time).
class EncodedInnerProductSpace final : public hnswlib::SpaceInterface<float> {
 public:
  EncodedInnerProductSpace(std::size_t dimensions, VectorCodec codec, DistanceKernel kernel)
      : dimensions_(dimensions),
        data_size_(encoded_size(codec, dimensions)),
        distance_(distance_function(codec, kernel, dimensions)) {}
  std::size_t get_data_size() override { return data_size_; }
  hnswlib::DISTFUNC<float> get_dist_func() override { return distance_; }
  void* get_dist_func_param() override { return &dimensions_; }

 private:
  std::size_t dimensions_;
  std::size_t data_size_;
  DistanceFunction distance_;
};

// hnswlib 0.6.2's addPoint(data, label, level) draws a level from its
// member std::default_random_engine before it looks at `level`, with no
// lock around the draw: two build threads would race on the engine's state.
// We cannot stop the draw, so we serialize it: add_point() takes
// Graph::level_draw before calling addPoint and leaves it pending in this
// thread; the distance function in use while upsert_batch() runs
// (distance_releasing_draw) releases it on the thread's first distance,
// which hnswlib computes only after the draw (or addPoint's return does, for
// the first node, which computes none). So the draws happen one at a time,
// and only the short stretch from the label lookup to the first distance is
// serial; the graph search and linking stay parallel.
thread_local std::unique_lock<std::mutex>* pending_level_draw = nullptr;

struct GatedDistance {
  DistanceFunction inner;
  void* inner_param;
};

float distance_releasing_draw(const void* a, const void* b, const void* param) {
  if (pending_level_draw != nullptr) [[unlikely]] {
    pending_level_draw->unlock();
    pending_level_draw = nullptr;
  }
  const auto* gated = static_cast<const GatedDistance*>(param);
  return gated->inner(a, b, gated->inner_param);
}

// A node's level, drawn as hnswlib draws it (-ln U / ln M, floored) but
// from a hash of the label rather than a shared generator, so that it does
// not depend on which thread inserts first.
int level_of(hnswlib::labeltype label, double mult) {
  std::uint64_t z = label + 0x9e3779b97f4a7c15ull * 101;  // splitmix64
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  z ^= z >> 31;
  const double u = (double(z >> 11) + 1.0) / 9007199254740992.0;  // (0, 1]
  return static_cast<int>(-std::log(u) * mult);
}

// An allocator for the large arrays a search reads at random or in many
// streams at once (the float rows, the scan's columns): blocks of 2 MiB or
// more are 2 MiB-aligned and marked MADV_HUGEPAGE before their first touch,
// so where transparent huge pages are "madvise" (Debian's default) they are
// backed by huge pages. At 4 KiB pages nearly every line a scan or re-rank
// reads is also a TLB miss; with 2 MiB pages the TLB covers the reads.
template <typename T>
struct HugePageAllocator {
  using value_type = T;
  static constexpr std::size_t kHugePage = std::size_t{2} << 20;

  HugePageAllocator() = default;
  template <typename U>
  HugePageAllocator(const HugePageAllocator<U>&) {}

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < kHugePage) return std::allocator<T>().allocate(n);
    const std::size_t rounded = (bytes + kHugePage - 1) / kHugePage * kHugePage;
    void* p = std::aligned_alloc(kHugePage, rounded);
    if (p == nullptr) throw std::bad_alloc();
    (void)madvise(p, rounded, MADV_HUGEPAGE);  // a hint: without it, 4 KiB pages
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) {
    if (n * sizeof(T) < kHugePage) return std::allocator<T>().deallocate(p, n);
    std::free(p);
  }
  template <typename U>
  bool operator==(const HugePageAllocator<U>&) const { return true; }
};

template <typename T>
using HugeVector = std::vector<T, HugePageAllocator<T>>;

std::size_t resolved_threads(std::size_t wanted) {
  if (wanted > 0) return wanted;
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

struct AnnIndex::Graph {
  Graph(const AnnOptions& o, DistanceKernel kernel)
      : codec(o.codec),
        space(kEmbeddingDimensions, o.codec, kernel),
        hnsw(&space, o.initial_capacity, o.m, o.ef_construction),
        level_mult(hnsw.mult_),
        exact_distance(distance_function(VectorCodec::kFloat32, kernel, kEmbeddingDimensions)),
        scan_block(scan_function(kernel)),
        gated{hnsw.fstdistfunc_, hnsw.dist_func_param_} {
    hnsw.setEf(o.ef_search);
    // addPoint(data, label, level) still draws from hnswlib's generator and
    // keeps that draw when `level` is 0, which most nodes are: with mult_ at
    // 0 its draw is always 0, so every level is ours (level_of()).
    hnsw.mult_ = 0;
    if (reranks()) resize_rows(hnsw.max_elements_);
  }

  // Room for `capacity` labels in the float rows and the scan's columns
  // (whose length, the stride, is a whole number of kScanLanes).
  // Everything that can throw (bad_alloc) comes before column_stride moves,
  // so a failed grow leaves the old layout whole and a retry grows again.
  void resize_rows(std::size_t capacity) {
    floats.resize(capacity * kEmbeddingDimensions);
    const std::size_t stride = (capacity + kScanLanes - 1) / kScanLanes * kScanLanes;
    if (stride == column_stride) return;
    column_scales.resize(stride);
    HugeVector<std::int8_t> wider(stride * kEmbeddingDimensions);
    for (std::size_t d = 0; column_stride > 0 && d < kEmbeddingDimensions; ++d) {
      std::copy_n(columns.begin() + static_cast<std::ptrdiff_t>(d * column_stride),
                  column_stride, wider.begin() + static_cast<std::ptrdiff_t>(d * stride));
    }
    columns.swap(wider);
    column_stride = stride;
  }

  // Stores `label`'s int8 encoding (scale, then codes) in the columns.
  void store_columns(hnswlib::labeltype label, const unsigned char* int8_encoded) {
    float scale;
    std::memcpy(&scale, int8_encoded, sizeof scale);
    const auto* codes = reinterpret_cast<const std::int8_t*>(int8_encoded + sizeof(float));
    std::int8_t* cell = columns.data() + label;
    for (std::size_t d = 0; d < kEmbeddingDimensions; ++d) cell[d * column_stride] = codes[d];
    column_scales[label] = scale;
  }

  // With a compact codec the graph holds an approximation, and the exact
  // float vectors are kept here, row `label`, for the re-rank.
  bool reranks() const { return codec != VectorCodec::kFloat32; }
  std::span<const float> exact_vector(hnswlib::labeltype label) const {
    return std::span(floats).subspan(label * kEmbeddingDimensions, kEmbeddingDimensions);
  }

  VectorCodec codec;
  EncodedInnerProductSpace space;
  hnswlib::HierarchicalNSW<float> hnsw;
  double level_mult;  // 1 / ln M, hnswlib's level scale
  DistanceFunction exact_distance;
  HugeVector<float> floats;  // empty with kFloat32
  // With a compact codec, the exact scan's copy of every label's int8 codes
  // (ann_distance.h): dimension d's code of `label` is
  // columns[d * column_stride + label]; column_scales[label] is its scale.
  HugeVector<std::int8_t> columns;
  std::size_t column_stride = 0;
  std::vector<float> column_scales;
  ScanFunction scan_block;
  std::mutex level_draw;      // see distance_releasing_draw()
  GatedDistance gated;        // hnswlib's own distance, called by distance_releasing_draw
  using Scored = std::pair<float, hnswlib::labeltype>;  // distance (1 - cos), label
  // The exact scan (AnnOptions::exact_scan_bytes): every live label's
  // distance to the query with the non-zero values `weights` at `dims`,
  // by its int8 codes; the `depth` nearest, in no particular order.
  std::vector<Scored> scan(std::span<const std::uint32_t> dims, std::span<const float> weights,
                           std::size_t depth) const;
  std::size_t scan_bytes(std::size_t nonzero) const {
    return nonzero * ((ids.size() + kScanLanes - 1) / kScanLanes * kScanLanes);
  }

  // hnswlib labels are integers: label i is ids[i]. A removed id keeps its
  // label, so upserting it again reuses (and unmarks) its node.
  std::unordered_map<std::string, hnswlib::labeltype> label_of;
  std::vector<std::string> ids;
  std::vector<bool> live;
  std::size_t live_count = 0;
};

namespace {

// Routes hnswlib's distances through distance_releasing_draw() while an
// upsert_batch() runs (under the exclusive lock, so no search sees it).
class LevelDrawGate {
 public:
  explicit LevelDrawGate(hnswlib::HierarchicalNSW<float>& hnsw, GatedDistance& gated)
      : hnsw_(hnsw), gated_(gated) {
    hnsw_.fstdistfunc_ = &distance_releasing_draw;
    hnsw_.dist_func_param_ = &gated_;
  }
  ~LevelDrawGate() {
    hnsw_.fstdistfunc_ = gated_.inner;
    hnsw_.dist_func_param_ = gated_.inner_param;
  }
  LevelDrawGate(const LevelDrawGate&) = delete;
  LevelDrawGate& operator=(const LevelDrawGate&) = delete;

 private:
  hnswlib::HierarchicalNSW<float>& hnsw_;
  GatedDistance& gated_;
};

// Asks for the cache lines of `bytes` bytes at `p` ahead of their use.
void prefetch(const char* p, std::size_t bytes) {
  const auto first = reinterpret_cast<std::uintptr_t>(p) & ~std::uintptr_t{63};
  const auto end = reinterpret_cast<std::uintptr_t>(p) + bytes;
  for (std::uintptr_t line = first; line < end; line += 64) {
    __builtin_prefetch(reinterpret_cast<const char*>(line), 0, 3);
  }
}

using Candidate = std::pair<float, hnswlib::tableint>;  // distance, node

// How many neighbours ahead beam_search() fetches whole vectors.
constexpr std::size_t kPrefetchAhead = 2;

// hnswlib's searchKnn (greedy descent through the upper levels, then a beam
// of width `ef` on level 0), reading hnswlib's graph as it is, with one
// change: before computing a distance it asks for every cache line of the
// vector kPrefetchAhead neighbours later. hnswlib asks for the first line
// only, so each of a 1.5-6 KiB vector's other lines comes in from memory
// when the distance reaches it; at 100,000 articles the graph is far larger
// than the caches, and that wait is most of a search. The beam comes back
// nearest first, without marked-deleted nodes.
std::vector<Candidate> beam_search(const hnswlib::HierarchicalNSW<float>& h, const void* query,
                                   std::size_t ef) {
  std::vector<Candidate> beam;
  if (h.cur_element_count == 0) return beam;
  const std::size_t data_size = h.data_size_;
  auto fetch = [&](hnswlib::tableint id) { prefetch(h.getDataByInternalId(id), data_size); };
  auto distance = [&](hnswlib::tableint id) {
    return h.fstdistfunc_(query, h.getDataByInternalId(id), h.dist_func_param_);
  };
  auto neighbours = [&](hnswlib::linklistsizeint* list) {
    return std::span(reinterpret_cast<const hnswlib::tableint*>(list + 1), h.getListCount(list));
  };

  hnswlib::tableint entry = h.enterpoint_node_;
  float entry_distance = distance(entry);
  for (int level = h.maxlevel_; level > 0; --level) {
    for (bool moved = true; moved;) {
      moved = false;
      const auto next = neighbours(h.get_linklist(entry, level));
      for (std::size_t i = 0; i < next.size(); ++i) {
        if (i + 1 < next.size()) fetch(next[i + 1]);
        if (const float d = distance(next[i]); d < entry_distance) {
          entry_distance = d;
          entry = next[i];
          moved = true;
        }
      }
    }
  }

  // `nearest` (a max-heap, the farthest on top) is the beam; `frontier` (a
  // min-heap) the nodes still to expand, deleted ones included so that the
  // search walks through them.
  const bool deletions = h.num_deleted_ > 0;
  std::priority_queue<Candidate> nearest;
  std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> frontier;
  auto consider = [&](hnswlib::tableint id, float d) {
    if (nearest.size() < ef || d < nearest.top().first) {
      frontier.emplace(d, id);
      if (!deletions || !h.isMarkedDeleted(id)) nearest.emplace(d, id);
      if (nearest.size() > ef) nearest.pop();
    }
  };
  hnswlib::VisitedList* visited = h.visited_list_pool_->getFreeVisitedList();
  const hnswlib::vl_type tag = visited->curV;
  visited->mass[entry] = tag;
  consider(entry, entry_distance);
  std::vector<hnswlib::tableint> fresh;
  fresh.reserve(h.maxM0_);
  while (!frontier.empty()) {
    const auto [closest, node] = frontier.top();
    if (!nearest.empty() && closest > nearest.top().first &&
        (nearest.size() == ef || !deletions)) {
      break;
    }
    frontier.pop();
    fresh.clear();
    for (const hnswlib::tableint id : neighbours(h.get_linklist0(node))) {
      if (visited->mass[id] == tag) continue;
      visited->mass[id] = tag;
      fresh.push_back(id);
    }
    for (std::size_t i = 0; i < std::min(kPrefetchAhead, fresh.size()); ++i) fetch(fresh[i]);
    for (std::size_t i = 0; i < fresh.size(); ++i) {
      if (i + kPrefetchAhead < fresh.size()) fetch(fresh[i + kPrefetchAhead]);
      consider(fresh[i], distance(fresh[i]));
    }
    if (!frontier.empty()) {
      prefetch(reinterpret_cast<const char*>(h.get_linklist0(frontier.top().second)),
               h.size_links_level0_);
    }
  }
  h.visited_list_pool_->releaseVisitedList(visited);

  beam.resize(nearest.size());
  for (std::size_t i = beam.size(); i-- > 0; nearest.pop()) beam[i] = nearest.top();
  return beam;
}

// The non-zero values of a query: what the exact scan reads per article.
struct Support {
  std::vector<std::uint32_t> dims;
  std::vector<float> weights;
};

const Support& support_of(std::span<const float> query) {
  thread_local Support support;
  support.dims.clear();
  support.weights.clear();
  for (std::size_t d = 0; d < query.size(); ++d) {
    if (query[d] != 0.0f) {
      support.dims.push_back(static_cast<std::uint32_t>(d));
      support.weights.push_back(query[d]);
    }
  }
  return support;
}

// How far ahead in each column the scan asks for the lines it will read.
constexpr std::size_t kScanPrefetchBytes = 4 * kScanLanes;

bool kernel_available(const AnnOptions& o) {
  return distance_function(o.codec, o.kernel, kEmbeddingDimensions) != nullptr &&
         distance_function(VectorCodec::kFloat32, o.kernel, kEmbeddingDimensions) != nullptr;
}

}  // namespace

std::vector<AnnIndex::Graph::Scored> AnnIndex::Graph::scan(std::span<const std::uint32_t> dims,
                                                         std::span<const float> weights,
                                                         std::size_t depth) const {
  // Candidates below `cutoff` are collected; when 4 x depth are, the nearest
  // `depth` are kept and the farthest of those becomes the cutoff, so most
  // articles cost one comparison.
  std::vector<Scored> best;
  best.reserve(4 * depth);
  float cutoff = std::numeric_limits<float>::infinity();
  auto trim = [&] {
    std::nth_element(best.begin(), best.begin() + static_cast<std::ptrdiff_t>(depth - 1),
                     best.end());
    best.resize(depth);
    cutoff = best.back().first;
  };
  const std::size_t count = ids.size();
  alignas(32) float sums[kScanLanes];
  for (std::size_t first = 0; first < count; first += kScanLanes) {
    // Prefetching past a column's end would only read the next column.
    const std::size_t ahead = first + kScanLanes + kScanPrefetchBytes <= count ? kScanPrefetchBytes : 0;
    scan_block(columns.data() + first, column_stride, dims.data(), weights.data(), dims.size(),
               ahead, sums);
    const std::size_t lanes = std::min(kScanLanes, count - first);
    for (std::size_t j = 0; j < lanes; ++j) {
      const float distance = 1.0f - sums[j] * column_scales[first + j];
      if (distance < cutoff && live[first + j]) {
        best.emplace_back(distance, first + j);
        if (best.size() == 4 * depth) trim();
      }
    }
  }
  if (best.size() > depth) trim();
  return best;
}

AnnIndex::AnnIndex(AnnOptions options)
    : options_(options),
      kernel_(kernel_available(options) ? options.kernel : DistanceKernel::kPlain),
      graph_(std::make_unique<Graph>(options_, kernel_)) {}

AnnIndex::~AnnIndex() = default;

std::shared_lock<std::shared_mutex> AnnIndex::lock_shared() const {
  std::lock_guard gate(gate_);
  return std::shared_lock(mutex_);
}

std::unique_lock<std::shared_mutex> AnnIndex::lock_exclusive() const {
  std::lock_guard gate(gate_);
  return std::unique_lock(mutex_);
}

// Room for `count` nodes, doubling so that one-by-one upserts stay cheap.
Result<void> AnnIndex::grow_to(std::size_t count) {
  auto& hnsw = graph_->hnsw;
  if (count <= hnsw.max_elements_) return ok();
  std::size_t capacity = std::max<std::size_t>(hnsw.max_elements_, 1024);
  while (capacity < count) capacity *= 2;
  try {
    // The float rows first: if hnswlib's resize then fails, the rows are
    // merely larger than needed; the other way round a later call would
    // see the capacity and never grow them.
    if (graph_->reranks()) graph_->resize_rows(capacity);
    hnsw.resizeIndex(capacity);
  } catch (const std::exception& e) {
    return make_error(Code::kInternal, std::string("knowledge index: ") + e.what());
  }
  return ok();
}

// hnswlib's addPoint, safe to call from several threads for distinct labels
// while a LevelDrawGate is up: stores the exact vector (re-rank) and the
// encoded one (graph).
Result<void> AnnIndex::add_point(std::span<const float> vector, std::size_t label) {
  Graph& g = *graph_;
  if (g.reranks()) {
    std::copy(vector.begin(), vector.end(), g.floats.begin() + label * kEmbeddingDimensions);
  }
  thread_local std::vector<unsigned char> encoded;
  encoded.resize(encoded_size(g.codec, kEmbeddingDimensions));
  encode_vector(g.codec, vector, encoded.data());
  if (g.reranks()) {
    if (g.codec == VectorCodec::kInt8) {
      g.store_columns(label, encoded.data());
    } else {
      thread_local std::vector<unsigned char> int8;
      int8.resize(encoded_size(VectorCodec::kInt8, kEmbeddingDimensions));
      encode_vector(VectorCodec::kInt8, vector, int8.data());
      g.store_columns(label, int8.data());
    }
  }
  std::unique_lock draw(g.level_draw);
  pending_level_draw = &draw;
  try {
    g.hnsw.addPoint(encoded.data(), label, level_of(label, g.level_mult));
  } catch (const std::exception& e) {
    pending_level_draw = nullptr;
    return make_error(Code::kInternal, std::string("knowledge index: ") + e.what());
  }
  pending_level_draw = nullptr;  // still held if addPoint computed no distance
  return ok();
}

Result<void> AnnIndex::upsert(std::string_view id, std::span<const float> vector) {
  const AnnItem item{id, vector};
  return upsert_batch(std::span(&item, 1));
}

Result<void> AnnIndex::upsert_batch(std::span<const AnnItem> items) {
  for (const AnnItem& item : items) {
    if (item.vector.size() != kEmbeddingDimensions) {
      return make_error(Code::kInvalidArgument,
                        "an embedding must have " + std::to_string(kEmbeddingDimensions) +
                            " values");
    }
  }
  auto lock = lock_exclusive();
  Graph& g = *graph_;
  if (auto grown = grow_to(g.ids.size() + items.size()); !grown) return grown.error();
  // Labels first (one thread): known ids keep theirs, new ones are numbered
  // in order. A node already in the graph is updated in place by hnswlib,
  // one by one; new nodes go in parallel.
  const std::size_t first_new = g.ids.size();
  std::unordered_map<hnswlib::labeltype, std::span<const float>> updates;
  std::vector<std::span<const float>> fresh;
  for (const AnnItem& item : items) {
    auto [it, inserted] = g.label_of.try_emplace(std::string(item.id), g.ids.size());
    if (inserted) {
      g.ids.emplace_back(item.id);
      g.live.push_back(false);
      fresh.push_back(item.vector);
    } else if (it->second >= first_new) {
      fresh[it->second - first_new] = item.vector;  // given twice: the last wins
    } else {
      updates[it->second] = item.vector;
    }
  }
  const LevelDrawGate gate(g.hnsw, g.gated);
  for (const auto& [label, vector] : updates) {
    if (auto added = add_point(vector, label); !added) return added.error();
    if (!g.live[label]) {
      g.live[label] = true;
      ++g.live_count;
    }
  }
  std::vector<char> done(fresh.size(), 0);
  auto added = add_in_parallel(fresh, first_new, done);
  for (std::size_t i = 0; i < fresh.size(); ++i) {
    if (!done[i]) continue;  // failed: it stays a known id without a live node
    g.live[first_new + i] = true;
    ++g.live_count;
  }
  return added;
}

// Inserts fresh[i] as label first_label + i from build_threads threads (the
// caller's among them), each taking the next unclaimed item; done[i] says
// which went in. The first failure stops the rest.
Result<void> AnnIndex::add_in_parallel(std::span<const std::span<const float>> fresh,
                                       std::size_t first_label, std::vector<char>& done) {
  std::atomic<std::size_t> next{0};
  std::atomic<bool> failed{false};
  std::mutex failure_mutex;
  std::optional<Error> failure;
  auto work = [&] {
    for (std::size_t i; !failed && (i = next++) < fresh.size();) {
      if (auto added = add_point(fresh[i], first_label + i); !added) {
        std::lock_guard guard(failure_mutex);
        if (!failure) failure = added.error();
        failed = true;
      } else {
        done[i] = 1;
      }
    }
  };
  // Below a few hundred nodes a thread costs more than it saves.
  const std::size_t threads =
      std::min(resolved_threads(options_.build_threads), 1 + fresh.size() / 256);
  {
    std::vector<std::jthread> helpers;
    for (std::size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
    work();
  }
  if (failure) return *failure;
  return ok();
}

bool AnnIndex::remove(std::string_view id) {
  auto lock = lock_exclusive();
  Graph& g = *graph_;
  const auto it = g.label_of.find(std::string(id));
  if (it == g.label_of.end() || !g.live[it->second]) return false;
  g.hnsw.markDelete(it->second);
  g.live[it->second] = false;
  --g.live_count;
  return true;
}

bool AnnIndex::holds(std::string_view id, std::span<const float> vector) const {
  if (vector.size() != kEmbeddingDimensions) return false;
  auto lock = lock_shared();
  const Graph& g = *graph_;
  const auto it = g.label_of.find(std::string(id));
  if (it == g.label_of.end() || !g.live[it->second]) return false;
  const float* stored = nullptr;
  if (g.reranks()) {
    stored = g.exact_vector(it->second).data();
  } else {
    // kFloat32: the graph's own data is the float vector.
    stored = reinterpret_cast<const float*>(
        g.hnsw.getDataByInternalId(g.hnsw.label_lookup_.at(it->second)));
  }
  return std::equal(vector.begin(), vector.end(), stored);
}

void AnnIndex::clear() {
  auto fresh = std::make_unique<Graph>(options_, kernel_);
  {
    auto lock = lock_exclusive();
    std::swap(graph_, fresh);
  }
  // `fresh` now holds the old graph, freed here, outside the lock.
}

void AnnIndex::replace_with(AnnIndex& built) {
  auto fresh = std::make_unique<Graph>(options_, kernel_);
  {
    auto built_lock = built.lock_exclusive();
    std::swap(fresh, built.graph_);
  }
  fresh->hnsw.setEf(options_.ef_search);  // this index's beam, whatever built's was
  {
    auto lock = lock_exclusive();
    std::swap(graph_, fresh);
  }
  // The old graph (up to a GB at 100,000 articles) is freed here, outside
  // the lock, so searches do not wait for it.
}

bool AnnIndex::scans(std::size_t nonzero) const {
  return graph_->reranks() && options_.exact_scan_bytes > 0 &&
         graph_->scan_bytes(nonzero) <= options_.exact_scan_bytes;
}

SearchMethod AnnIndex::method_for(std::span<const float> query) const {
  auto lock = lock_shared();
  return scans(support_of(query).dims.size()) ? SearchMethod::kExactScan : SearchMethod::kGraph;
}

std::vector<AnnHit> AnnIndex::search(std::span<const float> query, std::size_t k) const {
  std::vector<AnnHit> hits;
  if (query.size() != kEmbeddingDimensions || k == 0) return hits;
  // The zero vector (text without a word) is equally far from everything.
  const Support& support = support_of(query);
  if (support.dims.empty()) return hits;
  auto lock = lock_shared();
  const Graph& g = *graph_;
  // At least k candidates, and at least as many as the re-rank takes.
  const std::size_t depth = std::max(
      k, options_.rerank_candidates > 0 ? options_.rerank_candidates : options_.ef_search);
  std::vector<Graph::Scored> ranked;
  if (scans(support.dims.size())) {
    ranked = g.scan(support.dims, support.weights, depth);
  } else {
    thread_local std::vector<unsigned char> encoded;
    encoded.resize(encoded_size(g.codec, kEmbeddingDimensions));
    encode_vector(g.codec, query, encoded.data());
    const std::vector<Candidate> beam =
        beam_search(g.hnsw, encoded.data(), std::max(options_.ef_search, depth));
    ranked.reserve(beam.size());
    for (const auto& [distance, node] : beam) {
      ranked.emplace_back(distance, g.hnsw.getExternalLabel(node));
    }
    // The beam comes nearest first: with a compact codec, its `depth`
    // nearest are re-ranked.
    if (g.reranks()) ranked.resize(std::min(ranked.size(), depth));
  }
  // With a compact codec the distances so far are approximate: each
  // candidate's is recomputed from its float row. kFloat32 walks exact ones.
  if (g.reranks()) {
    for (std::size_t i = 0; i < ranked.size(); ++i) {
      if (i + 1 < ranked.size()) {
        prefetch(reinterpret_cast<const char*>(g.exact_vector(ranked[i + 1].second).data()),
                 kEmbeddingDimensions * sizeof(float));
      }
      ranked[i].first =
          g.exact_distance(query.data(), g.exact_vector(ranked[i].second).data(),
                           &kEmbeddingDimensions);
    }
  }
  k = std::min(k, ranked.size());
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(k), ranked.end());
  hits.reserve(k);
  for (std::size_t i = 0; i < k; ++i) {
    hits.push_back(AnnHit{g.ids[ranked[i].second], 1.0f - ranked[i].first});
  }
  return hits;
}

void AnnIndex::set_exact_scan_bytes(std::size_t bytes) {
  auto lock = lock_exclusive();
  options_.exact_scan_bytes = bytes;
}

void AnnIndex::set_ef_search(std::size_t ef) {
  auto lock = lock_exclusive();
  options_.ef_search = ef;
  graph_->hnsw.setEf(ef);
}

void AnnIndex::set_rerank_candidates(std::size_t candidates) {
  auto lock = lock_exclusive();
  options_.rerank_candidates = candidates;
}

AnnOptions AnnIndex::options() const {
  auto lock = lock_shared();
  return options_;
}

std::size_t AnnIndex::ef_search() const {
  auto lock = lock_shared();
  return options_.ef_search;
}

std::size_t AnnIndex::size() const {
  auto lock = lock_shared();
  return graph_->live_count;
}

std::size_t AnnIndex::memory_bytes() const {
  auto lock = lock_shared();
  const auto& h = graph_->hnsw;
  std::size_t bytes = h.max_elements_ * h.size_data_per_element_;
  bytes += graph_->floats.capacity() * sizeof(float);
  bytes += graph_->columns.capacity() + graph_->column_scales.capacity() * sizeof(float);
  for (std::size_t i = 0; i < h.cur_element_count; ++i) {
    bytes += static_cast<std::size_t>(h.element_levels_[i]) * h.size_links_per_element_;
  }
  return bytes;
}

std::vector<std::size_t> exact_top_k(std::span<const std::vector<float>> vectors,
                                     std::span<const float> query, std::size_t k) {
  std::vector<float> scores(vectors.size());
  for (std::size_t i = 0; i < vectors.size(); ++i) scores[i] = similarity(vectors[i], query);
  std::vector<std::size_t> order(vectors.size());
  std::iota(order.begin(), order.end(), 0);
  k = std::min(k, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k),
                    order.end(), [&](std::size_t a, std::size_t b) {
                      return scores[a] > scores[b] || (scores[a] == scores[b] && a < b);
                    });
  order.resize(k);
  return order;
}

}  // namespace cscx::knowledge
