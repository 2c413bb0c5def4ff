#include "knowledge/index_sync.h"

#include <poll.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <set>

#include "knowledge/embedder.h"

namespace cscx::knowledge {
namespace {

// Keyset pages: one statement per page keeps memory flat at 100,000 rows
// and never holds a snapshot open for the whole load. The columns are what
// embedding_of() reads. `embedding::real[]` is a no-op on the real[] column
// and pgvector's cast where the column is a vector.
constexpr const char* kLoadPage =
    "SELECT id, embedding::real[], title, content, array_to_string(tags, ' ')"
    "  FROM public.knowledge_base WHERE id > $1::uuid ORDER BY id LIMIT 1000";
constexpr const char* kLoadSome =
    "SELECT id, embedding::real[], title, content, array_to_string(tags, ' ')"
    "  FROM public.knowledge_base WHERE id = ANY($1::uuid[])";
constexpr int kPageSize = 1000;
// Notices are applied this many ids per query, however many arrived: a flood
// costs batches of primary-key reads, never one unbounded statement.
constexpr std::size_t kRefreshBatch = 1000;

// Only the owner can move it (migrations/009); a 'rebuild' notice from
// anyone else then finds it unchanged and costs this one read.
constexpr const char* kGeneration = "SELECT generation FROM cscx.knowledge_index";

// Any role may NOTIFY; a payload that is not a uuid is ignored rather than
// allowed to fail the refresh query (and force a full reload).
bool is_uuid_text(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : std::isxdigit(static_cast<unsigned char>(s[i])) == 0) {
      return false;
    }
  }
  return true;
}

// The stored embedding, or the one a write would have stored.
Embedding embedding_of(const db::QueryResult& r, int row) {
  if (!r.is_null(row, 1)) {
    if (auto stored = parse_pg_array(r.value(row, 1))) return std::move(*stored);
  }
  const std::string tags(r.value(row, 4));
  return embed_article(r.value(row, 2), r.value(row, 3), std::span(&tags, 1));
}

// FNV-1a over the vector's bytes: equal vectors, equal fingerprints; a
// collision would only skip one graph update.
uint64_t fingerprint(std::span<const float> v) {
  uint64_t h = 14695981039346656037ull;
  const auto* bytes = reinterpret_cast<const unsigned char*>(v.data());
  for (size_t i = 0; i < v.size_bytes(); ++i) {
    h ^= bytes[i];
    h *= 1099511628211ull;
  }
  return h;
}

Result<std::int64_t> read_generation(db::Connection& conn) {
  auto r = conn.exec("knowledge_index_generation", kGeneration);
  if (!r) return r.error();
  if (r->rows() != 1) {
    return make_error(Code::kFailedPrecondition, "cscx.knowledge_index has no row");
  }
  return std::stoll(std::string(r->value(0, 0)));
}

std::string uuid_array(const std::vector<std::string>& ids) {
  std::string array = "{";
  for (const std::string& id : ids) {
    if (array.size() > 1) array += ',';
    array += id;
  }
  array += '}';
  return array;
}

// The load builds the whole graph on all cores (upsert_batch); ten nice
// levels below the request threads, so a server that listens while it
// loads still answers quickly. Threads it starts inherit the nice value.
// Relative, never above 19: an already niced process must not gain
// priority (as root, setpriority could raise it).
void lower_this_thread_priority() {
  const auto tid = static_cast<id_t>(gettid());
  errno = 0;
  const int current = getpriority(PRIO_PROCESS, tid);
  if (errno != 0) return;
  (void)setpriority(PRIO_PROCESS, tid, std::min(19, current + 10));
}

}  // namespace

Result<db::Connection> open_service_connection(const std::string& conninfo) {
  auto conn = db::Connection::open(conninfo);
  if (!conn) return conn.error();
  if (auto role = conn->exec("knowledge_index_role", "SET ROLE service_role"); !role) {
    return role.error();
  }
  return conn;
}

std::unique_ptr<IndexSync> IndexSync::start(std::string conninfo, AnnIndex& index,
                                            IndexState& state, IndexSyncOptions options) {
  std::unique_ptr<IndexSync> sync(
      new IndexSync(std::move(conninfo), index, state, options));
  sync->thread_ = std::thread([s = sync.get()] { s->run(); });
  return sync;
}

IndexSync::~IndexSync() {
  {
    // Under the mutex, so a sleep_for() between its check and its wait
    // cannot miss the wake-up (and sleep out a long test pause).
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void IndexSync::sleep_for(std::chrono::milliseconds d) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, d, [this] { return stopping_.load(); });
}

// Loads every article into a fresh index and swaps it in, with the
// generation read before the first page: a reindex that commits during the
// load moves the generation past it, and its notice loads again.
Result<void> IndexSync::load(db::Connection& conn) {
  auto generation = read_generation(conn);
  if (!generation) return generation.error();
  // Same options as the live index; each page goes in as one batch, built
  // from all cores (AnnOptions::build_threads): at 100,000 articles the
  // graph build, not the reads, is what the load waits for.
  AnnIndex built(index_.options());
  std::unordered_map<std::string, uint64_t> prints;
  std::string after = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    if (stopping_) return make_error(Code::kUnavailable, "the server is stopping");
    auto page = conn.exec_params("knowledge_index_load", kLoadPage, {after});
    if (!page) return page.error();
    std::vector<Embedding> vectors;
    vectors.reserve(static_cast<size_t>(page->rows()));
    std::vector<AnnItem> items;
    for (int row = 0; row < page->rows(); ++row)
      vectors.push_back(embedding_of(*page, row));
    for (int row = 0; row < page->rows(); ++row) {
      const Embedding& v = vectors[static_cast<size_t>(row)];
      items.push_back(AnnItem{page->value(row, 0), v});
      prints[std::string(page->value(row, 0))] = fingerprint(v);
    }
    if (auto added = built.upsert_batch(items); !added) return added.error();
    if (!state_.ready()) state_.set_articles(built.size());
    if (page->rows() < kPageSize) break;
    after = std::string(page->value(page->rows() - 1, 0));
    if (options_.testing_page_pause.count() > 0) sleep_for(options_.testing_page_pause);
  }
  const size_t count = built.size();
  index_.replace_with(built);
  fingerprints_ = std::move(prints);
  state_.set_loaded(count, *generation);
  ++loads_;
  spdlog::info("knowledge index: {} articles (generation {})", count, *generation);
  return ok();
}

// LISTEN before loading, on the connection the thread keeps, so a change
// committed between the two is never lost (at worst applied twice).
Result<db::Connection> IndexSync::connect_and_load() {
  auto conn = open_service_connection(conninfo_);
  if (!conn) return conn.error();
  if (auto listening = conn->exec("knowledge_listen", "LISTEN cscx_knowledge");
      !listening) {
    return listening.error();
  }
  if (auto loaded = load(*conn); !loaded) return loaded.error();
  return conn;
}

void IndexSync::run() {
  lower_this_thread_priority();
  bool failing = false;
  while (!stopping_) {
    auto conn = connect_and_load();
    if (!conn) {
      if (stopping_) break;
      if (!failing) {
        spdlog::warn("knowledge index: load failed, retrying every second: {}",
                     conn.error().to_string());
      }
      failing = true;
      sleep_for(std::chrono::seconds(1));
      continue;
    }
    failing = false;
    follow(*conn);
  }
}

// Re-reads `ids` (at most kRefreshBatch) and updates the index where an
// article's vector changed; those no longer there (deleted) leave it.
Result<void> IndexSync::refresh(db::Connection& conn,
                                const std::vector<std::string>& ids) {
  auto r = conn.exec_params("knowledge_index_refresh", kLoadSome, {uuid_array(ids)});
  if (!r) return r.error();
  std::set<std::string> missing(ids.begin(), ids.end());
  uint64_t changed = 0;
  for (int row = 0; row < r->rows(); ++row) {
    std::string id(r->value(row, 0));
    missing.erase(id);
    const Embedding vector = embedding_of(*r, row);
    const uint64_t print = fingerprint(vector);
    auto known = fingerprints_.find(id);
    if (known != fingerprints_.end() && known->second == print) continue;
    if (auto added = index_.upsert(id, vector); !added) return added.error();
    fingerprints_[std::move(id)] = print;
    ++changed;
  }
  for (const std::string& id : missing) {
    // Removed even when unknown here: a write route may have added it to
    // the index directly (knowledge_routes.cpp) before this notice came.
    index_.remove(id);
    if (fingerprints_.erase(id) > 0) ++changed;
  }
  refreshes_ += changed;
  state_.set_articles(index_.size());
  return ok();
}

// Applies notices until the connection fails or the sync stops.
void IndexSync::follow(db::Connection& conn) {
  PGconn* pg = conn.native();
  while (!stopping_) {
    pollfd fd{PQsocket(pg), POLLIN, 0};
    if (::poll(&fd, 1, 250) < 0 && errno != EINTR) return;
    if (PQconsumeInput(pg) == 0) return;  // connection lost
    bool rebuild_hint = false;
    std::set<std::string> ids;
    while (PGnotify* n = PQnotifies(pg)) {
      const std::string payload = n->extra ? n->extra : "";
      PQfreemem(n);
      if (payload == kRebuildPayload) {
        rebuild_hint = true;
      } else if (is_uuid_text(payload)) {
        ids.insert(payload);
      }
    }
    if (rebuild_hint) {
      auto generation = read_generation(conn);
      if (!generation) {
        spdlog::warn("knowledge index: {}", generation.error().to_string());
        return;
      }
      if (*generation != state_.generation()) {
        if (auto loaded = load(conn); !loaded) {
          if (!stopping_) {
            spdlog::warn("knowledge index rebuild failed: {}",
                         loaded.error().to_string());
          }
          return;
        }
        ids.clear();  // the load read them all after their notices
      }
    }
    std::vector<std::string> batch;
    for (auto it = ids.begin(); it != ids.end() && !stopping_;) {
      batch.clear();
      for (; it != ids.end() && batch.size() < kRefreshBatch; ++it) batch.push_back(*it);
      if (auto refreshed = refresh(conn, batch); !refreshed) {
        spdlog::warn("knowledge index refresh failed: {}", refreshed.error().to_string());
        return;
      }
    }
    if (PQstatus(pg) != CONNECTION_OK) return;
  }
}

}  // namespace cscx::knowledge
