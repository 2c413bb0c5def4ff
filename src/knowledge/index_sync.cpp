#include "knowledge/index_sync.h"

#include <poll.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <functional>
#include <optional>
#include <set>

#include "knowledge/embedder.h"
#include "knowledge/reindex.h"

namespace cscx::knowledge {
namespace {

// Keyset pages: one statement per page keeps memory flat at 100,000 rows
// and never holds a snapshot open for the whole load. The columns are what
// IndexSync::embedding_of() reads: the stored vector with its label
// (migrations/012), and the text the built-in embedder embeds when the
// label is not this server's. `embedding::real[]` is a no-op on the real[]
// column and pgvector's cast where the column is a vector.
#define CSCX_LOAD_COLUMNS                                                       \
  "SELECT kb.id, kb.embedding::real[], kb.title, kb.content,"                   \
  "       array_to_string(kb.tags, E'\\n'), s.embedder"                         \
  "  FROM public.knowledge_base kb"                                             \
  "  LEFT JOIN cscx_knowledge.embedding_source s ON s.article_id = kb.id"
constexpr const char* kLoadPage =
    CSCX_LOAD_COLUMNS " WHERE kb.id > $1::uuid ORDER BY kb.id LIMIT 1000";
constexpr const char* kLoadSome = CSCX_LOAD_COLUMNS " WHERE kb.id = ANY($1::uuid[])";
#undef CSCX_LOAD_COLUMNS
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
// loads still answers quickly. Only the build: swapping the index in and
// refreshing articles take the live index's lock, which request threads
// wait on, so those run at the normal priority (no inversion). Hence a
// thread of its own that lowers itself and ends with the build (threads it
// starts inherit the value): a non-root process cannot raise a thread's
// priority back (EACCES), so the sync thread, which refreshes for the
// server's whole life, must never be lowered. Relative, never above 19: an
// already niced process must not gain priority (as root it could).
void lower_own_priority() {
  const auto tid = static_cast<id_t>(gettid());
  errno = 0;
  const int current = getpriority(PRIO_PROCESS, tid);
  if (errno != 0) return;
  (void)setpriority(PRIO_PROCESS, tid, std::min(19, current + 10));
}

// Runs `build` on a new thread named `cscx-kb-build` (the sync thread is
// `cscx-kb-sync`: `top -H` and tests tell them apart) at a lower priority,
// and waits for it. Nothing may escape a std::thread (std::terminate): an
// exception in the build is a failed load.
Result<void> build_at_low_priority(const std::function<Result<void>()>& build) {
  std::optional<Result<void>> result;
  std::thread builder([&] {
    pthread_setname_np(pthread_self(), "cscx-kb-build");
    lower_own_priority();
    try {
      result.emplace(build());
    } catch (const std::exception& e) {
      result.emplace(make_error(Code::kInternal, std::string("knowledge index: ") + e.what()));
    }
  });
  builder.join();
  return std::move(*result);
}

}  // namespace

// The stored vector when its label (column 5) names this server's
// embedder, or the one a write would have stored: the built-in embedder's
// from the text. With a provider there is none to compute here (the
// provider's space is not the built-in one's, and a load must not wait on
// the network for each such row): nullopt, and the row stays out until
// embed_missing stores one.
std::optional<Embedding> IndexSync::embedding_of(const db::QueryResult& r, int row) const {
  if (!r.is_null(row, 1) && r.value(row, 5) == embedder_) {
    if (auto stored = parse_pg_array(r.value(row, 1))) return std::move(*stored);
  }
  if (state_.embedding_provider()) return std::nullopt;
  const std::string tags(r.value(row, 4));
  return embed_article(r.value(row, 2), r.value(row, 3), tags_from_lines(tags));
}

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
  sync->thread_ = std::thread([s = sync.get()] {
    pthread_setname_np(pthread_self(), "cscx-kb-sync");
    s->run();
    {
      std::lock_guard lock(s->mutex_);
      s->finished_ = true;
    }
    s->wake_.notify_all();
  });
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
  if (!thread_.joinable()) return;
  // A statement can wait without end: a page read queued behind another
  // session's ACCESS EXCLUSIVE lock on knowledge_base (a migration, a LOCK
  // TABLE) would hold the server's shutdown until that lock goes. So cancel
  // it, and again every 100 ms until the thread ends: PostgreSQL ignores a
  // cancel that reaches the backend between statements, and the thread may
  // be just about to send one (it checks stopping_ before each page, so
  // only one more can start).
  bool warned = false;
  for (;;) {
    if (auto cancelled = cancel_statement(); !cancelled && !warned) {
      spdlog::warn("knowledge index: cannot cancel its statement: {}",
                   cancelled.error().to_string());
      warned = true;
    }
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, std::chrono::milliseconds(100), [this] { return finished_; })) {
      break;
    }
  }
  thread_.join();
}

// PQcancel is thread-safe by design: it opens its own connection to the
// server and asks it to cancel the backend's current statement. A handle
// of a connection already closed names a backend that is gone, which the
// server ignores.
// Without a connection (closed, or the database down and being retried)
// there is nothing to cancel, and no cancel request is sent.
Result<void> IndexSync::cancel_statement() {
  std::lock_guard lock(cancel_mutex_);
  if (!cancel_) return ok();
  char error[256];
  if (PQcancel(cancel_.get(), error, sizeof error) == 0) {
    return make_error(Code::kUnavailable, error);
  }
  return ok();
}

void IndexSync::set_cancel_handle(db::Connection* conn) {
  std::lock_guard lock(cancel_mutex_);
  cancel_.reset(conn != nullptr ? PQgetCancel(conn->native()) : nullptr);
}

void IndexSync::sleep_for(std::chrono::milliseconds d) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, d, [this] { return stopping_.load(); });
}

constexpr const char* kCount = "SELECT count(*) FROM public.knowledge_base";

// Loads every article into a fresh index and swaps it in, with the
// generation read before the first page: a reindex that commits during the
// load moves the generation past it, and its notice loads again.
Result<void> IndexSync::load(db::Connection& conn) {
  auto generation = read_generation(conn);
  if (!generation) return generation.error();
  // Same options as the live index, sized for the articles there are now
  // (and some writes to come): grown by doubling instead, 100,000 articles
  // would end in room for 131,072 (a third more memory) and pass through a
  // moment holding both the old and the doubled arrays. Each page goes in
  // as one batch, built from all cores (AnnOptions::build_threads): at
  // 100,000 articles the graph build, not the reads, is what the load waits
  // for.
  auto articles = conn.exec("knowledge_index_count", kCount);
  if (!articles) return articles.error();
  AnnOptions options = index_.options();
  const std::size_t now = std::stoul(std::string(articles->value(0, 0)));
  options.initial_capacity = std::max(options.initial_capacity, now + now / 10);
  AnnIndex built(options);
  if (auto read = build_at_low_priority([&] { return read_all(conn, built); }); !read) {
    return read.error();
  }
  // Back on the sync thread, at the request threads' priority, before
  // taking their lock.
  const size_t count = built.size();
  index_.replace_with(built);
  state_.set_loaded(index_, *generation);
  ++loads_;
  spdlog::info("knowledge index: {} articles (generation {}, embedder {})", count,
               *generation, embedder_);
  if (skipped_ > 0) {
    spdlog::warn(
        "knowledge index: {} articles have no stored vector of {} and are found by full "
        "text only until one is stored (articles without a vector are embedded now; those "
        "with another embedder's vector wait for `cscx kb reindex` with the same "
        "CSCX_EMBEDDING_* settings)",
        skipped_.load(), embedder_);
  }
  return ok();
}

// Reads every article, page by page, into `built`.
Result<void> IndexSync::read_all(db::Connection& conn, AnnIndex& built) {
  std::string after = "00000000-0000-0000-0000-000000000000";
  uint64_t skipped = 0;
  for (;;) {
    if (stopping_) return make_error(Code::kUnavailable, "the server is stopping");
    auto page = conn.exec_params("knowledge_index_load", kLoadPage, {after});
    if (!page) return page.error();
    // Every vector first: items view them, so the vector must not move.
    std::vector<std::optional<Embedding>> vectors;
    vectors.reserve(static_cast<size_t>(page->rows()));
    for (int row = 0; row < page->rows(); ++row) {
      vectors.push_back(embedding_of(*page, row));
    }
    std::vector<AnnItem> items;
    for (int row = 0; row < page->rows(); ++row) {
      const std::optional<Embedding>& v = vectors[static_cast<size_t>(row)];
      if (!v) {
        ++skipped;
        continue;
      }
      items.push_back(AnnItem{page->value(row, 0), *v});
    }
    if (auto added = built.upsert_batch(items); !added) return added.error();
    if (!state_.ready()) state_.set_articles(built.size());
    if (page->rows() < kPageSize) {
      skipped_ = skipped;
      return ok();
    }
    after = std::string(page->value(page->rows() - 1, 0));
    if (options_.testing_page_pause.count() > 0) sleep_for(options_.testing_page_pause);
  }
}

// LISTEN before loading, on the connection the thread keeps, so a change
// committed between the two is never lost (at worst applied twice).
// The schema of the `vector` type when knowledge_base.embedding is one
// (migration 002 with pgvector installed), quoted, and whether the
// extension is 0.8 or later (iterative index scans); no row with real[].
constexpr const char* kPgvector =
    "SELECT quote_ident(n.nspname),"
    "       string_to_array(e.extversion, '.')::int[] >= '{0,8,0}'::int[]"
    "  FROM pg_catalog.pg_attribute a"
    "  JOIN pg_catalog.pg_type t ON t.oid = a.atttypid"
    "  JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace"
    "  JOIN pg_catalog.pg_extension e ON e.extname = 'vector'"
    " WHERE a.attrelid = 'public.knowledge_base'::regclass AND a.attname = 'embedding'"
    "   AND NOT a.attisdropped AND t.typname = 'vector'";

Result<db::Connection> IndexSync::connect_and_load() {
  auto conn = open_service_connection(conninfo_);
  if (!conn) return conn.error();
  set_cancel_handle(&*conn);
  // With pgvector, PostgreSQL answers nearest-neighbour queries itself from
  // the stored vectors: no index to load. What is left is to store the
  // vector of every article written without one, now and on each notice
  // (follow()), which the in-memory index would otherwise embed itself.
  auto pgvector = conn->exec("knowledge_pgvector", kPgvector);
  if (!pgvector) return pgvector.error();
  if (pgvector->rows() == 1) {
    if (!state_.pgvector()) {
      spdlog::info("knowledge search: embeddings are pgvector vectors; nearest neighbours come "
                   "from PostgreSQL (no in-memory index)");
    }
    state_.set_pgvector(Pgvector{std::string(pgvector->value(0, 0)),
                                 pgvector->value(0, 1) == std::string_view("t")});
    if (auto listening = conn->exec("knowledge_listen", "LISTEN cscx_knowledge"); !listening) {
      return listening.error();
    }
    auto generation = read_generation(*conn);
    if (!generation) return generation.error();
    pgvector_generation_ = *generation;
    // A failure here (the provider down or refusing an article) is not a
    // lost database: retrying by reconnecting every second would resend the
    // same texts to a paid API forever. It is logged, and the next notice
    // tries again.
    embed_missing_now(*conn, nullptr);
    return std::move(*conn);
  }
  if (auto listening = conn->exec("knowledge_listen", "LISTEN cscx_knowledge");
      !listening) {
    return listening.error();
  }
  if (auto loaded = load(*conn); !loaded) return loaded.error();
  // A provider's vectors cannot be made in memory: store those missing
  // (their notices bring them into the index).
  if (state_.embedding_provider()) embed_missing_now(*conn, nullptr);
  return conn;
}

void IndexSync::run() {
  bool failing = false;
  while (!stopping_) {
    // Nothing may escape the thread (std::terminate would take the server
    // down): running out of memory or threads in a rebuild is a failed
    // load, retried like a lost database.
    std::optional<Result<db::Connection>> attempt;
    try {
      attempt.emplace(connect_and_load());
    } catch (const std::exception& e) {
      attempt.emplace(make_error(Code::kInternal, std::string("knowledge index: ") + e.what()));
    }
    auto& conn = *attempt;
    if (!conn) {
      set_cancel_handle(nullptr);  // its connection is gone
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
    try {
      follow(*conn);
    } catch (const std::exception& e) {
      spdlog::warn("knowledge index: {}; reloading", e.what());
    }
    set_cancel_handle(nullptr);  // `conn` is closed at the end of this pass
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
    const std::optional<Embedding> vector = embedding_of(*r, row);
    if (!vector) {
      // With a provider, no stored vector of its (gone, or another
      // embedder's) and none may stand in: out of the index like a deleted
      // article, until embed_missing stores one.
      if (index_.remove(id)) ++changed;
      continue;
    }
    // Compared with what the index holds now, however it got there (a
    // write route upserts directly, knowledge_routes.cpp): an unchanged
    // article costs its read and no graph update, whoever sent the notice.
    if (index_.holds(id, *vector)) continue;
    if (auto added = index_.upsert(id, *vector); !added) return added.error();
    ++changed;
  }
  for (const std::string& id : missing) {
    if (index_.remove(id)) ++changed;
  }
  refreshes_ += changed;
  return ok();
}

// Stores the vectors of articles that have none (all, or those of `only`);
// a failure is logged, never fatal to the sync. A transient one is retried
// at the next notice. A permanent one (kDependencyFailed: a bad key, an
// unknown model, answers of the wrong width) would fail the same way for
// every notice, sending texts to the provider and a line to the log per
// article written: notices wait kRefusedPause after it (a full run, at
// connect or after a reindex, still tries), and the first notice after the
// pause runs a full one, for the articles noticed during it.
void IndexSync::embed_missing_now(db::Connection& conn,
                                  const std::vector<std::string>* only) {
  constexpr auto kRefusedPause = std::chrono::minutes(5);
  const auto now = std::chrono::steady_clock::now();
  if (refused_until_ != std::chrono::steady_clock::time_point{}) {
    if (only != nullptr && now < refused_until_) return;
    refused_until_ = {};
    only = nullptr;
  }
  auto embedded = embed_missing(
      conn, state_.embedding_provider(), [this] { return stopping_.load(); }, only);
  if (embedded || stopping_) return;
  if (embedded.error().code == Code::kDependencyFailed) {
    refused_until_ = now + kRefusedPause;
    spdlog::warn("knowledge embeddings: the provider refuses; articles without a vector stay "
                 "without one, and notices do not ask it again for 5 minutes: {}",
                 embedded.error().to_string());
    return;
  }
  spdlog::warn("knowledge embeddings: articles without a vector stay without one until the "
               "next change: {}",
               embedded.error().to_string());
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
    // Where the server cannot embed in memory (pgvector searches the stored
    // vectors; a provider's are not computed here), the noticed articles
    // without a vector get one stored; after a reindex, every such article.
    const std::vector<std::string> noticed(ids.begin(), ids.end());
    if (state_.pgvector()) {
      // A 'rebuild' anyone may send: the whole table is looked at only
      // when the owner moved the generation (a reindex).
      if (rebuild_hint) {
        auto generation = read_generation(conn);
        if (!generation) {
          if (!stopping_) spdlog::warn("knowledge index: {}", generation.error().to_string());
          return;
        }
        if (*generation != pgvector_generation_) {
          pgvector_generation_ = *generation;
          embed_missing_now(conn, nullptr);
        }
      }
      if (!noticed.empty()) embed_missing_now(conn, &noticed);
      continue;
    }
    bool reloaded = false;
    if (rebuild_hint) {
      auto generation = read_generation(conn);
      if (!generation) {
        if (!stopping_) spdlog::warn("knowledge index: {}", generation.error().to_string());
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
        reloaded = true;
      }
    }
    std::vector<std::string> batch;
    for (auto it = ids.begin(); it != ids.end() && !stopping_;) {
      batch.clear();
      for (; it != ids.end() && batch.size() < kRefreshBatch; ++it) batch.push_back(*it);
      if (auto refreshed = refresh(conn, batch); !refreshed) {
        if (!stopping_) {  // else likely cancelled by ~IndexSync
          spdlog::warn("knowledge index refresh failed: {}", refreshed.error().to_string());
        }
        return;
      }
    }
    if (state_.embedding_provider() && !stopping_) {
      if (reloaded) {
        embed_missing_now(conn, nullptr);
      } else if (!noticed.empty()) {
        embed_missing_now(conn, &noticed);
      }
    }
    if (PQstatus(pg) != CONNECTION_OK) return;
  }
}

}  // namespace cscx::knowledge
