// An in-memory approximate nearest-neighbour index over article embeddings
// (HNSW, from hnswlib), for the semantic half of knowledge search.
//
// Vectors must be unit length (embedder.h makes them so): the index ranks
// by inner product, which is then the cosine similarity. Ids are the
// articles' uuids as text. The index knows nothing of visibility: callers
// read the hits back through RLS (knowledge_store.h) before showing them.
//
// Thread-safe: any number of searches run together; upsert(), upsert_batch()
// and remove() wait for them and exclude each other (updates are rare next
// to searches). upsert_batch() inserts new ids from several threads, which
// hnswlib allows for distinct labels; that is how a whole corpus is loaded.
// A waiting update stops new searches from starting, so a steady stream of
// searches cannot starve it (glibc's rwlock alone prefers readers).
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "knowledge/ann_distance.h"

namespace cscx::knowledge {

struct AnnOptions {
  std::size_t initial_capacity = 1024;  // grows by doubling
  std::size_t m = 32;                   // graph degree (hnswlib's M)
  std::size_t ef_construction = 200;    // build-time beam width
  std::size_t ef_search = 128;          // query-time beam width (at least k)
  // Threads upsert_batch() inserts with; 0 means one per core. With one,
  // the graph is a pure function of the insertion order; with more, the
  // links depend on scheduling (node levels do not: they are drawn from a
  // hash of the label), so only the recall is reproducible.
  std::size_t build_threads = 0;
  // Distance kernel (ann_distance.h); tests and the benchmark pick kPlain
  // to compare.
  DistanceKernel kernel = best_distance_kernel();
  // How the graph stores vectors (ann_distance.h). With a compact codec the
  // graph is walked on the approximation, the exact float vectors are kept
  // beside it, and a search re-ranks its candidates by the exact inner
  // product: the hits and their similarities are exact, only which
  // candidates were found depends on the approximation. kFloat32 walks the
  // floats themselves and re-ranks nothing.
  VectorCodec codec = VectorCodec::kInt8;
  // How many of the beam's nearest (by the compact distance) a search
  // re-ranks exactly, at least k; 0 means the whole beam (ef_search). At
  // 100,000 articles 40 finds the same top 10 as the whole beam for less
  // (bench/README.md).
  std::size_t rerank_candidates = 40;
  // A short query is answered without the graph: every live article is
  // scored by its inner product with the query over the query's non-zero
  // dimensions only, from an int8 copy of the articles stored
  // dimension-major (ann_distance.h, kScanLanes), and the best
  // rerank_candidates are re-ranked exactly. Exact unless int8 rounding
  // pushes a true top-k article below that depth (not seen at 100,000). A search scans when the bytes
  // that reads (non-zero values x articles) are at most this; otherwise it
  // walks the graph. 0 = always the graph. Needs a compact codec (the float
  // rows re-rank); with kFloat32 every search walks the graph. At 100,000
  // articles a 3-6 word query has 30-60 non-zero values, 3-6 MB to read,
  // scanned in about 0.6 ms (p99 1.1-1.3 ms): exact, and faster than the
  // graph at ef_search 128. A 20-40 word passage (about 160 values, 16 MB)
  // would take 3 ms to scan, where the graph takes 1.1-1.4 ms at recall
  // 0.997; 8 MiB sits between the two (bench/README.md).
  std::size_t exact_scan_bytes = std::size_t{8} << 20;
};

// How a search found its candidates (AnnIndex::method_for).
enum class SearchMethod {
  kGraph,      // the HNSW graph: approximate
  kExactScan,  // every article scored over the query's non-zero dimensions, then re-ranked
};

struct AnnItem {
  std::string_view id;
  std::span<const float> vector;
};

struct AnnHit {
  std::string id;
  float similarity = 0;  // cosine, from -1 to 1
};

class AnnIndex {
 public:
  explicit AnnIndex(AnnOptions options = {});
  ~AnnIndex();
  AnnIndex(const AnnIndex&) = delete;
  AnnIndex& operator=(const AnnIndex&) = delete;

  // Adds `id`, or replaces its vector. kInvalidArgument when the vector
  // does not have kEmbeddingDimensions values; kInternal if hnswlib fails
  // (out of memory).
  [[nodiscard]] Result<void> upsert(std::string_view id, std::span<const float> vector);

  // upsert() for each item, new ids inserted in parallel (build_threads).
  // An id given twice keeps its last vector. kInvalidArgument, with nothing
  // changed, when any vector has the wrong width.
  [[nodiscard]] Result<void> upsert_batch(std::span<const AnnItem> items);

  // Drops `id` from results; false (and nothing happens) when it was not
  // searchable.
  bool remove(std::string_view id);

  // True when `id` is searchable with exactly `vector` (the exact floats,
  // whatever the codec): what a refresh compares a re-read row against, so
  // writes that reached the index by any path count.
  bool holds(std::string_view id, std::span<const float> vector) const;

  // Drops every id (a rebuild then upserts them again).
  void clear();

  // Takes `built`'s contents in one step, so searches see either the old
  // index or the whole new one, never a half-built one; `built` is left
  // empty.
  void replace_with(AnnIndex& built);

  // Up to `k` nearest ids, most similar first, with the exact cosine (see
  // AnnOptions::codec). A query of the wrong width, or the zero vector,
  // finds nothing. Short queries scan instead of walking the graph
  // (AnnOptions::exact_scan_bytes).
  std::vector<AnnHit> search(std::span<const float> query, std::size_t k) const;

  // How search() would find `query`'s candidates now.
  SearchMethod method_for(std::span<const float> query) const;

  // Changes the query-time beam width (AnnOptions::ef_search); a benchmark
  // sweeps it over one built index.
  void set_ef_search(std::size_t ef);
  std::size_t ef_search() const;
  // Changes AnnOptions::rerank_candidates, likewise.
  void set_rerank_candidates(std::size_t candidates);
  // Changes AnnOptions::exact_scan_bytes, likewise (0: the graph only).
  void set_exact_scan_bytes(std::size_t bytes);

  AnnOptions options() const;

  // The distance kernel in use (kernel_name()).
  DistanceKernel kernel() const { return kernel_; }

  // Ids currently searchable.
  std::size_t size() const;
  // Bytes held by the graph and vectors, compact and exact (not the id
  // strings).
  std::size_t memory_bytes() const;

 private:
  struct Graph;
  Result<void> grow_to(std::size_t count);
  bool scans(std::size_t nonzero) const;  // under the lock: AnnOptions::exact_scan_bytes
  Result<void> add_point(std::span<const float> vector, std::size_t label);  // under a LevelDrawGate
  Result<void> add_in_parallel(std::span<const std::span<const float>> fresh,
                               std::size_t first_label, std::vector<char>& done);

  // Readers take shared_ on their own; writers hold gate_ while they wait
  // for shared_, which queues new readers behind them (see lock_shared()).
  std::shared_lock<std::shared_mutex> lock_shared() const;
  std::unique_lock<std::shared_mutex> lock_exclusive() const;

  AnnOptions options_;
  DistanceKernel kernel_;
  mutable std::mutex gate_;
  mutable std::shared_mutex mutex_;
  std::unique_ptr<Graph> graph_;
};

// The `k` most similar of `vectors` to `query` by exhaustive comparison
// (indices into `vectors`, most similar first): the reference an index's
// recall is measured against.
std::vector<std::size_t> exact_top_k(std::span<const std::vector<float>> vectors,
                                     std::span<const float> query, std::size_t k);

}  // namespace cscx::knowledge
