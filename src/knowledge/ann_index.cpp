#include "knowledge/ann_index.h"

// hnswlib is header-only, slow to compile, and its 0.6.2 headers define
// global variables: only this file may include it. So the distance kernels
// of ann_distance.h are picked here too.
#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <optional>
#include <thread>
#include <unordered_map>

#include "knowledge/embedder.h"

namespace cscx::knowledge {

// ---- ann_distance.h ----

#if defined(CSCX_KNOWLEDGE_AVX2)
// Defined in ann_distance_avx2.cpp, the only file built with -mavx2 -mfma;
// call it only after cpu_has_avx2() said yes.
float inner_product_distance_avx2(const void* a, const void* b, const void* count);
#endif

namespace {

bool cpu_has_avx2() {
#if defined(CSCX_KNOWLEDGE_AVX2)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

}  // namespace

DistanceFunction distance_function(DistanceKernel kernel, std::size_t dimensions) {
  switch (kernel) {
    case DistanceKernel::kPlain: {
      // hnswlib picks its kernel per dimension count (a static function,
      // so the pointer outlives the space).
      hnswlib::InnerProductSpace space(dimensions);
      return space.get_dist_func();
    }
    case DistanceKernel::kAvx2:
#if defined(CSCX_KNOWLEDGE_AVX2)
      if (cpu_has_avx2()) return &inner_product_distance_avx2;
#endif
      return nullptr;
  }
  return nullptr;
}

DistanceKernel best_distance_kernel() {
  return cpu_has_avx2() ? DistanceKernel::kAvx2 : DistanceKernel::kPlain;
}

std::string_view kernel_name(DistanceKernel kernel) {
  return kernel == DistanceKernel::kAvx2 ? "avx2+fma" : "plain (hnswlib, compile-time SIMD)";
}

// ---- AnnIndex ----

namespace {

// hnswlib's inner-product space with the distance kernel chosen at run time
// (ann_distance.h) instead of the one hnswlib picked at compile time.
class DispatchedInnerProductSpace final : public hnswlib::SpaceInterface<float> {
 public:
  DispatchedInnerProductSpace(std::size_t dimensions, DistanceKernel kernel)
      : dimensions_(dimensions), distance_(distance_function(kernel, dimensions)) {}
  std::size_t get_data_size() override { return dimensions_ * sizeof(float); }
  hnswlib::DISTFUNC<float> get_dist_func() override { return distance_; }
  void* get_dist_func_param() override { return &dimensions_; }

 private:
  std::size_t dimensions_;
  DistanceFunction distance_;
};

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

std::size_t resolved_threads(std::size_t wanted) {
  if (wanted > 0) return wanted;
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

struct AnnIndex::Graph {
  Graph(const AnnOptions& o, DistanceKernel kernel)
      : space(kEmbeddingDimensions, kernel),
        hnsw(&space, o.initial_capacity, o.m, o.ef_construction),
        level_mult(hnsw.mult_) {
    hnsw.setEf(o.ef_search);
    // addPoint(data, label, level) still draws from hnswlib's generator and
    // keeps that draw when `level` is 0, which most nodes are: with mult_ at
    // 0 its draw is always 0, so every level is ours (level_of()).
    hnsw.mult_ = 0;
  }

  DispatchedInnerProductSpace space;
  hnswlib::HierarchicalNSW<float> hnsw;
  double level_mult;  // 1 / ln M, hnswlib's level scale
  // hnswlib labels are integers: label i is ids[i]. A removed id keeps its
  // label, so upserting it again reuses (and unmarks) its node.
  std::unordered_map<std::string, hnswlib::labeltype> label_of;
  std::vector<std::string> ids;
  std::vector<bool> live;
  std::size_t live_count = 0;
};

AnnIndex::AnnIndex(AnnOptions options)
    : options_(options),
      kernel_(distance_function(options.kernel, kEmbeddingDimensions) ? options.kernel
                                                                       : DistanceKernel::kPlain),
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
    hnsw.resizeIndex(capacity);
  } catch (const std::exception& e) {
    return make_error(Code::kInternal, std::string("knowledge index: ") + e.what());
  }
  return ok();
}

// hnswlib's addPoint, safe to call from several threads for distinct labels.
Result<void> AnnIndex::add_point(std::span<const float> vector, std::size_t label) {
  auto& hnsw = graph_->hnsw;
  try {
    hnsw.addPoint(vector.data(), label, level_of(label, graph_->level_mult));
  } catch (const std::exception& e) {
    return make_error(Code::kInternal, std::string("knowledge index: ") + e.what());
  }
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

void AnnIndex::remove(std::string_view id) {
  auto lock = lock_exclusive();
  Graph& g = *graph_;
  const auto it = g.label_of.find(std::string(id));
  if (it == g.label_of.end() || !g.live[it->second]) return;
  g.hnsw.markDelete(it->second);
  g.live[it->second] = false;
  --g.live_count;
}

void AnnIndex::clear() {
  auto fresh = std::make_unique<Graph>(options_, kernel_);
  auto lock = lock_exclusive();
  graph_ = std::move(fresh);
}

void AnnIndex::replace_with(AnnIndex& built) {
  auto fresh = std::make_unique<Graph>(options_, kernel_);
  {
    auto built_lock = built.lock_exclusive();
    std::swap(fresh, built.graph_);
  }
  fresh->hnsw.setEf(options_.ef_search);  // this index's beam, whatever built's was
  auto lock = lock_exclusive();
  graph_ = std::move(fresh);
}

std::vector<AnnHit> AnnIndex::search(std::span<const float> query, std::size_t k) const {
  std::vector<AnnHit> hits;
  if (query.size() != kEmbeddingDimensions || k == 0) return hits;
  auto lock = lock_shared();
  const Graph& g = *graph_;
  // searchKnn widens its beam to k when k > ef, so ef is a floor.
  auto queue = g.hnsw.searchKnn(query.data(), k);
  hits.resize(queue.size());
  // The queue pops the farthest first; inner-product distance is 1 - cos.
  for (std::size_t i = hits.size(); i-- > 0; queue.pop()) {
    hits[i] = AnnHit{g.ids[queue.top().second], 1.0f - queue.top().first};
  }
  return hits;
}

void AnnIndex::set_ef_search(std::size_t ef) {
  auto lock = lock_exclusive();
  options_.ef_search = ef;
  graph_->hnsw.setEf(ef);
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
