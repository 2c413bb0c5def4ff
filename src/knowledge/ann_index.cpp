#include "knowledge/ann_index.h"

// hnswlib is header-only and slow to compile: only this file includes it.
#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <numeric>
#include <unordered_map>

#include "knowledge/embedder.h"

namespace cscx::knowledge {

struct AnnIndex::Graph {
  explicit Graph(const AnnOptions& o)
      : space(kEmbeddingDimensions),
        hnsw(&space, o.initial_capacity, o.m, o.ef_construction) {
    hnsw.setEf(o.ef_search);
  }

  hnswlib::InnerProductSpace space;
  hnswlib::HierarchicalNSW<float> hnsw;
  // hnswlib labels are integers: label i is ids[i]. A removed id keeps its
  // label, so upserting it again reuses (and unmarks) its node.
  std::unordered_map<std::string, hnswlib::labeltype> label_of;
  std::vector<std::string> ids;
  std::vector<bool> live;
  std::size_t live_count = 0;
};

AnnIndex::AnnIndex(AnnOptions options)
    : options_(options), graph_(std::make_unique<Graph>(options_)) {}

AnnIndex::~AnnIndex() = default;

std::shared_lock<std::shared_mutex> AnnIndex::lock_shared() const {
  std::lock_guard gate(gate_);
  return std::shared_lock(mutex_);
}

std::unique_lock<std::shared_mutex> AnnIndex::lock_exclusive() const {
  std::lock_guard gate(gate_);
  return std::unique_lock(mutex_);
}

Result<void> AnnIndex::grow_if_full() {
  auto& hnsw = graph_->hnsw;
  if (hnsw.cur_element_count < hnsw.max_elements_) return ok();
  try {
    hnsw.resizeIndex(std::max<std::size_t>(2 * hnsw.max_elements_, 1024));
  } catch (const std::exception& e) {
    return make_error(Code::kInternal, std::string("knowledge index: ") + e.what());
  }
  return ok();
}

Result<void> AnnIndex::upsert(std::string_view id, std::span<const float> vector) {
  if (vector.size() != kEmbeddingDimensions) {
    return make_error(Code::kInvalidArgument,
                      "an embedding must have " + std::to_string(kEmbeddingDimensions) +
                          " values");
  }
  auto lock = lock_exclusive();
  Graph& g = *graph_;
  auto [it, inserted] = g.label_of.try_emplace(std::string(id), g.ids.size());
  if (inserted) {
    if (auto grown = grow_if_full(); !grown) {
      g.label_of.erase(it);
      return grown.error();
    }
    g.ids.emplace_back(id);
    g.live.push_back(false);
  }
  const hnswlib::labeltype label = it->second;
  try {
    g.hnsw.addPoint(vector.data(), label);
  } catch (const std::exception& e) {
    return make_error(Code::kInternal, std::string("knowledge index: ") + e.what());
  }
  if (!g.live[label]) {
    g.live[label] = true;
    ++g.live_count;
  }
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
  auto fresh = std::make_unique<Graph>(options_);
  auto lock = lock_exclusive();
  graph_ = std::move(fresh);
}

void AnnIndex::replace_with(AnnIndex& built) {
  auto fresh = std::make_unique<Graph>(options_);
  {
    auto built_lock = built.lock_exclusive();
    std::swap(fresh, built.graph_);
  }
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
