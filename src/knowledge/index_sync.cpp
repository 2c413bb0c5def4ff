#include "knowledge/index_sync.h"

#include <poll.h>

#include <cctype>
#include <optional>
#include <set>

#include <spdlog/spdlog.h>

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

constexpr const char* kEmbeddingType =
    "SELECT format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a"
    " WHERE a.attrelid = 'public.knowledge_base'::regclass AND a.attname = 'embedding'";

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

// Reads the articles named in a batch of notices; those no longer there
// (deleted) leave the index.
Result<void> refresh(db::Connection& conn, AnnIndex& index, const std::set<std::string>& ids) {
  std::string array = "{";
  for (const std::string& id : ids) {
    if (array.size() > 1) array += ',';
    array += id;
  }
  array += '}';
  auto r = conn.exec_params("knowledge_index_refresh", kLoadSome, {array});
  if (!r) return r.error();
  std::set<std::string> missing = ids;
  for (int row = 0; row < r->rows(); ++row) {
    const std::string id(r->value(row, 0));
    missing.erase(id);
    if (auto added = index.upsert(id, embedding_of(*r, row)); !added) return added.error();
  }
  for (const std::string& id : missing) index.remove(id);
  return ok();
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

Result<size_t> load_all(db::Connection& conn, AnnIndex& index) {
  // Same options as the live index; each page goes in as one batch, built
  // from all cores (AnnOptions::build_threads): at 100,000 articles the
  // graph build, not the reads, is what start-up waits for.
  AnnIndex built(index.options());
  std::string after = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    auto page = conn.exec_params("knowledge_index_load", kLoadPage, {after});
    if (!page) return page.error();
    std::vector<Embedding> vectors;
    vectors.reserve(static_cast<size_t>(page->rows()));
    std::vector<AnnItem> items;
    for (int row = 0; row < page->rows(); ++row) vectors.push_back(embedding_of(*page, row));
    for (int row = 0; row < page->rows(); ++row) {
      items.push_back(AnnItem{page->value(row, 0), vectors[static_cast<size_t>(row)]});
    }
    if (auto added = built.upsert_batch(items); !added) return added.error();
    if (page->rows() < kPageSize) break;
    after = std::string(page->value(page->rows() - 1, 0));
  }
  const size_t count = built.size();
  index.replace_with(built);
  return count;
}

Result<std::unique_ptr<IndexSync>> IndexSync::start(std::string conninfo, AnnIndex& index) {
  std::unique_ptr<IndexSync> sync(new IndexSync(std::move(conninfo), index));
  auto conn = open_service_connection(sync->conninfo_);
  if (!conn) return conn.error();
  // LISTEN before loading, on the connection the thread keeps, so a change
  // committed between the two is never lost (at worst applied twice).
  if (auto listening = conn->exec("knowledge_listen", "LISTEN cscx_knowledge"); !listening) {
    return listening.error();
  }
  auto type = conn->exec("knowledge_embedding_type", kEmbeddingType);
  if (!type) return type.error();
  sync->storage_ = type->rows() == 1 && type->value(0, 0).starts_with("vector") ? "pgvector"
                                                                                : "real[]";
  auto loaded = load_all(*conn, index);
  if (!loaded) return loaded.error();
  sync->loads_ = 1;
  spdlog::info("knowledge index: {} articles", *loaded);
  sync->thread_ = std::thread(
      [s = sync.get(), c = std::move(*conn)]() mutable { s->run(std::move(c)); });
  return sync;
}

IndexSync::~IndexSync() {
  stopping_ = true;
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void IndexSync::sleep_for(std::chrono::milliseconds d) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, d, [this] { return stopping_.load(); });
}

void IndexSync::run(db::Connection first) {
  std::optional<db::Connection> conn(std::move(first));
  while (!stopping_) {
    if (!conn) {
      auto fresh = open_service_connection(conninfo_);
      if (!fresh || !fresh->exec("knowledge_listen", "LISTEN cscx_knowledge") ||
          !load_all(*fresh, index_)) {
        sleep_for(std::chrono::seconds(1));
        continue;
      }
      ++loads_;
      conn.emplace(std::move(*fresh));
    }
    follow(*conn);
    conn.reset();
  }
}

// Applies notices until the connection fails or the sync stops. Notices
// that arrive together are applied in one query.
void IndexSync::follow(db::Connection& conn) {
  PGconn* pg = conn.native();
  while (!stopping_) {
    pollfd fd{PQsocket(pg), POLLIN, 0};
    if (::poll(&fd, 1, 250) < 0 && errno != EINTR) return;
    if (PQconsumeInput(pg) == 0) return;  // connection lost
    bool rebuild = false;
    std::set<std::string> ids;
    while (PGnotify* n = PQnotifies(pg)) {
      const std::string payload = n->extra ? n->extra : "";
      PQfreemem(n);
      if (payload == kRebuildPayload) {
        rebuild = true;
      } else if (is_uuid_text(payload)) {
        ids.insert(payload);
      }
    }
    if (rebuild) {
      if (auto loaded = load_all(conn, index_); !loaded) {
        spdlog::warn("knowledge index rebuild failed: {}", loaded.error().to_string());
        return;
      }
      ++loads_;
    } else if (!ids.empty()) {
      if (auto refreshed = refresh(conn, index_, ids); !refreshed) {
        spdlog::warn("knowledge index refresh failed: {}", refreshed.error().to_string());
        return;
      }
      refreshes_ += ids.size();
    }
    if (PQstatus(pg) != CONNECTION_OK) return;
  }
}

}  // namespace cscx::knowledge
