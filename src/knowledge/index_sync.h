// Keeps an AnnIndex equal to the knowledge_base table: loads every article
// at start, then follows the NOTIFY that migrations/007_knowledge.sql sends
// on channel `cscx_knowledge` (payload: an article id, re-read from the
// table; or 'rebuild', sent by `cscx kb reindex`, which reloads everything).
//
// The index holds every article, public or not: the connection reads as
// service_role, because visibility is decided later, when the search route
// reads its hits back as the caller. An article whose embedding is NULL
// (written through /rest/v1, or demo data) is embedded in memory from its
// title, content and tags, as a write through /api/knowledge would have.
//
// One background thread with its own connection, as rest::SchemaListener;
// on a lost connection it reconnects and reloads everything, since notices
// sent meanwhile were lost. Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/error.h"
#include "db/connection.h"
#include "knowledge/ann_index.h"

namespace cscx::knowledge {

inline constexpr const char* kKnowledgeChannel = "cscx_knowledge";
inline constexpr const char* kRebuildPayload = "rebuild";

class IndexSync {
 public:
  // Connects over `conninfo` (whose user must be able to SET ROLE
  // service_role), loads every article into `index` and starts following
  // changes. kUnavailable when the database cannot be reached or read.
  // `index` must outlive the IndexSync.
  [[nodiscard]] static Result<std::unique_ptr<IndexSync>> start(std::string conninfo,
                                                                AnnIndex& index);
  ~IndexSync();  // stops and joins the thread

  // Full loads so far (1 after start) and single-article refreshes.
  uint64_t loads() const { return loads_.load(); }
  uint64_t refreshes() const { return refreshes_.load(); }
  // How knowledge_base.embedding is stored, read at start: "real[]", or
  // "pgvector" where migration 002 found the vector extension. The ANN
  // search is this in-memory index either way (docs/knowledge.md).
  const std::string& embedding_storage() const { return storage_; }

 private:
  IndexSync(std::string conninfo, AnnIndex& index)
      : conninfo_(std::move(conninfo)), index_(index) {}
  void run(db::Connection first);
  void follow(db::Connection& conn);
  void sleep_for(std::chrono::milliseconds d);

  std::string conninfo_;
  AnnIndex& index_;
  std::string storage_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> loads_{0};
  std::atomic<uint64_t> refreshes_{0};
  std::thread thread_;
};

// Opens a connection for index maintenance: LISTEN on the channel and act as
// service_role. Exposed for `cscx kb reindex`, which only needs the role.
[[nodiscard]] Result<db::Connection> open_service_connection(const std::string& conninfo);

// Loads every article into a fresh index and swaps it into `index`.
[[nodiscard]] Result<size_t> load_all(db::Connection& conn, AnnIndex& index);

}  // namespace cscx::knowledge
