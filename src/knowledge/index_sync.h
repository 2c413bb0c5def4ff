// Keeps an AnnIndex equal to the knowledge_base table: loads every article
// in the background, then follows the NOTIFY that migrations/007_knowledge.sql
// sends on channel `cscx_knowledge` (payload: an article id, re-read from the
// table; or 'rebuild', a hint to compare cscx.knowledge_index.generation,
// migrations/009, with the generation loaded, and reload everything when
// `cscx kb reindex` has moved it).
//
// The index holds every article, public or not: the connection reads as
// service_role, because visibility is decided later, when the search route
// reads its hits back as the caller. An article whose embedding is NULL
// (written through /rest/v1, or demo data) is embedded in memory from its
// title, content and tags, as a write through /api/knowledge would have;
// with an embedding provider (IndexState::embedding_provider) it cannot be
// (a built-in vector is in another space, and a load never waits on the
// network), so it stays out of the index, found by full text only, and
// counted (skipped()) until embed_missing (reindex.h), which the sync runs
// after each load and for the ids of notices, stores the provider's vector.
// A stored vector is used only when its label (migrations/012) names this
// server's embedder; otherwise it is treated as absent, so two embedders'
// vectors never share the index.
//
// One background thread (`cscx-kb-sync`) with its own connection, as
// rest::SchemaListener; the server listens while it loads (IndexState says
// how far it is). Each full load runs on a short-lived thread
// (`cscx-kb-build`) ten nice levels lower, which ends with the load; the
// sync thread's own priority never changes. On a lost connection, or a
// database that is not there yet, it retries every second and then reloads
// everything, since notices sent meanwhile were lost. Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>

#include "core/error.h"
#include "db/connection.h"
#include "knowledge/ann_index.h"
#include "knowledge/embedding_provider.h"

namespace cscx::knowledge {

inline constexpr const char* kKnowledgeChannel = "cscx_knowledge";
inline constexpr const char* kRebuildPayload = "rebuild";

// Where migration 002 stored embeddings as pgvector's `vector` (the
// extension was installed): searches then ask PostgreSQL for nearest
// neighbours (ORDER BY embedding <=> query, the seed's ivfflat index)
// instead of an index in memory, which is never loaded.
struct Pgvector {
  std::string schema;           // of the vector type, quoted for SQL
  bool iterative_scan = false;  // pgvector >= 0.8: ivfflat.iterative_scan exists
};

// How far the server's index is, and which embedder's vectors it holds, for
// /ready, the routes and the load. Written by IndexSync, read by any thread.
class IndexState {
 public:
  // The built-in embedder's index.
  IndexState() = default;
  // The index of `provider`'s vectors (the built-in embedder's when
  // nullopt), for the server's whole life: queries and writes are embedded
  // by it, and a row without a stored vector cannot be embedded in memory.
  explicit IndexState(std::optional<EmbeddingProviderConfig> provider)
      : provider_(std::move(provider)) {}

  // The provider every vector of the index comes from, or null for the
  // built-in embedder. Fixed at construction.
  const EmbeddingProviderConfig* embedding_provider() const {
    return provider_ ? &*provider_ : nullptr;
  }
  // True once a full load has finished (or pgvector was found); from then
  // on semantic search is available (a later reload builds aside and swaps
  // in one step).
  bool ready() const { return ready_.load(); }
  // Articles in the live index when loaded, read from it, so writes that
  // reached it by any path (a notice, a write route's direct upsert) count
  // at once; while loading, the articles read so far (updated after each
  // page). 0 with pgvector (no index in memory).
  std::size_t articles() const {
    const AnnIndex* live = live_.load();
    return live != nullptr ? live->size() : articles_.load();
  }
  // Set when embeddings are pgvector vectors (see Pgvector); nullopt with
  // real[] storage, or before IndexSync's first connection.
  std::optional<Pgvector> pgvector() const {
    std::lock_guard lock(pgvector_mutex_);
    return pgvector_;
  }
  void set_pgvector(Pgvector pgvector) {
    {
      std::lock_guard lock(pgvector_mutex_);
      pgvector_ = std::move(pgvector);
    }
    ready_ = true;
  }
  // The cscx.knowledge_index generation of the last full load (0: none yet).
  std::int64_t generation() const { return generation_.load(); }

  void set_articles(std::size_t articles) { articles_ = articles; }
  // `live` (the index the load went into) must outlive this state.
  void set_loaded(const AnnIndex& live, std::int64_t generation) {
    live_ = &live;
    generation_ = generation;
    ready_ = true;
  }

 private:
  const std::optional<EmbeddingProviderConfig> provider_;
  std::atomic<bool> ready_{false};
  std::atomic<std::size_t> articles_{0};
  std::atomic<const AnnIndex*> live_{nullptr};
  std::atomic<std::int64_t> generation_{0};
  mutable std::mutex pgvector_mutex_;
  std::optional<Pgvector> pgvector_;
};

struct IndexSyncOptions {
  // Test hook (tests/knowledge/index_sync_pgtest.cpp and the HTTP tests):
  // a pause after each full page of the full load, so a test can see the
  // loading state. Zero in production.
  std::chrono::milliseconds testing_page_pause{0};
};

class IndexSync {
 public:
  // Starts the thread that connects over `conninfo` (whose user must be able
  // to SET ROLE service_role), loads every article into `index` and follows
  // changes; returns at once. Never fails: an unreachable database is
  // retried every second, with a warning in the log. `index` and `state`
  // must outlive the IndexSync.
  static std::unique_ptr<IndexSync> start(std::string conninfo, AnnIndex& index,
                                          IndexState& state,
                                          IndexSyncOptions options = {});
  // Stops and joins the thread: a load stops between pages, and a statement
  // in flight (say, a page read waiting behind another session's lock on
  // knowledge_base) is cancelled (PQcancel), so this returns promptly
  // whatever a reachable database is doing. A connection attempt in
  // progress is waited out (libpq's connect_timeout, 10 s unless the
  // conninfo says otherwise), and so is the cancel request's own connection
  // to a server that has become unreachable.
  ~IndexSync();

  // Full loads finished so far (1 after the first) and articles whose index
  // entry a notice changed (a notice for an unchanged article changes none).
  uint64_t loads() const { return loads_.load(); }
  uint64_t refreshes() const { return refreshes_.load(); }
  // Articles the last full load left out of the index: no stored vector of
  // the configured embedding provider's.
  uint64_t skipped() const { return skipped_.load(); }

 private:
  IndexSync(std::string conninfo, AnnIndex& index, IndexState& state,
            IndexSyncOptions options)
      : conninfo_(std::move(conninfo)),
        index_(index),
        state_(state),
        options_(options),
        embedder_(embedder_name(state.embedding_provider())) {}
  void run();
  Result<db::Connection> connect_and_load();
  Result<void> load(db::Connection& conn);
  Result<void> read_all(db::Connection& conn, AnnIndex& built);
  void follow(db::Connection& conn);
  void embed_missing_now(db::Connection& conn, const std::vector<std::string>* only);
  std::optional<Embedding> embedding_of(const db::QueryResult& r, int row) const;
  Result<void> refresh(db::Connection& conn, const std::vector<std::string>& ids);
  void sleep_for(std::chrono::milliseconds d);
  void set_cancel_handle(db::Connection* conn);  // nullptr: no connection now
  Result<void> cancel_statement();

  std::string conninfo_;
  AnnIndex& index_;
  IndexState& state_;
  IndexSyncOptions options_;
  // Whose stored vectors this server uses (migrations/012's labels).
  const std::string embedder_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<bool> stopping_{false};
  bool finished_ = false;  // run() has returned; guarded by mutex_
  // Cancels the statement in flight on the thread's current connection.
  std::mutex cancel_mutex_;
  std::unique_ptr<PGcancel, decltype(&PQfreeCancel)> cancel_{nullptr, &PQfreeCancel};
  std::atomic<uint64_t> loads_{0};
  std::atomic<uint64_t> refreshes_{0};
  std::atomic<uint64_t> skipped_{0};
  // pgvector mode: the generation seen at connect or at the last reindex's
  // notice. Only the sync thread touches it.
  std::int64_t pgvector_generation_ = 0;
  // Until when notices do not call embed_missing after the provider refused
  // (embed_missing_now); the epoch when it has not. Only the sync thread
  // touches it.
  std::chrono::steady_clock::time_point refused_until_{};
  std::thread thread_;
};

// Opens a connection for index maintenance: acts as service_role.
[[nodiscard]] Result<db::Connection> open_service_connection(const std::string& conninfo);

}  // namespace cscx::knowledge
