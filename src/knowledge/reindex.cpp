#include "knowledge/reindex.h"

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "knowledge/embedder.h"
#include "knowledge/index_sync.h"
#include "knowledge/knowledge_store.h"

namespace cscx::knowledge {
namespace {

constexpr const char* kCount = "SELECT count(*) FROM public.knowledge_base";
// Each page is read with the version (updated_at) its store is conditional
// on: an article written between the read and the store (its writer
// embedded it, or migrations/012 set a stale vector NULL for the next
// embed_missing) keeps what that write left.
#define CSCX_EMBED_COLUMNS \
  "SELECT id, title, content, array_to_string(tags, E'\\n'), updated_at::text"
constexpr const char* kPage = CSCX_EMBED_COLUMNS
    "  FROM public.knowledge_base WHERE id > $1::uuid ORDER BY id LIMIT 500";
constexpr std::size_t kPageSize = 500;
constexpr const char* kMissingPage = CSCX_EMBED_COLUMNS
    "  FROM public.knowledge_base WHERE embedding IS NULL AND id > $1::uuid"
    " ORDER BY id LIMIT 500";
// $2: the only ids to look at (the ids of notices).
constexpr const char* kMissingOfPage = CSCX_EMBED_COLUMNS
    "  FROM public.knowledge_base"
    " WHERE embedding IS NULL AND id > $1::uuid AND id = ANY($2::uuid[])"
    " ORDER BY id LIMIT 500";
#undef CSCX_EMBED_COLUMNS
// $1 ids, $2 embeddings as real[] literals (a text[] of them), $3 the
// versions read with them ('' for a NULL updated_at), in the same order.
constexpr const char* kStore =
    "UPDATE public.knowledge_base kb SET embedding = v.embedding::real[]"
    "  FROM unnest($1::uuid[], $2::text[], $3::text[]) AS v(id, embedding, version)"
    " WHERE kb.id = v.id"
    "   AND kb.updated_at IS NOT DISTINCT FROM nullif(v.version, '')::timestamptz";

// Servers rebuild their index when the generation moved (migrations/009):
// only the owner may move it, so the notice alone, which any role can send,
// rebuilds nothing. Both take effect at commit, with the new embeddings.
// $1: the embedder every stored vector now comes from (migrations/011).
constexpr const char* kBumpGeneration =
    "UPDATE cscx.knowledge_index"
    "   SET generation = generation + 1, embedder = coalesce($1::text, embedder),"
    "       updated_at = now()";
constexpr const char* kRebuildNotice = "SELECT pg_notify('cscx_knowledge', 'rebuild')";

// With pgvector (migration 002), the seed's ivfflat index. It was built when
// the table was empty, and an ivfflat index keeps the lists (centroids) of
// the rows it was built from: rebuilt after the embeddings are, its lists
// fit the articles, and its recall does.
constexpr const char* kIvfflatIndex =
    "SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_am am ON am.oid = c.relam"
    " WHERE c.oid = to_regclass('public.idx_kb_embedding') AND am.amname = 'ivfflat'";
// CONCURRENTLY: searches keep using the old index while the new one builds
// (a plain REINDEX would lock every query that plans on knowledge_base).
// It runs outside a transaction, as the reindex's last step.
constexpr const char* kReindexIvfflat = "REINDEX INDEX CONCURRENTLY public.idx_kb_embedding";

// A text[] literal of `items`, each double-quoted (embeddings and uuids
// hold no quote or backslash).
std::string text_array(const std::vector<std::string>& items) {
  std::string out = "{";
  for (const std::string& item : items) {
    if (out.size() > 1) out += ',';
    out += '"';
    out += item;
    out += '"';
  }
  out += '}';
  return out;
}

// The vectors of `texts` as real[] literals, in order: the built-in
// embedder's, or the provider's (embed_texts sends bounded requests,
// blocking this thread). A provider failure keeps its code.
Result<std::vector<std::string>> embed_literals(const std::vector<std::string>& texts,
                                                const EmbeddingProviderConfig* provider) {
  auto vectors = llm::run_blocking(embed_texts(provider, texts));
  if (!vectors) {
    return make_error(vectors.error().code,
                      "embedding provider failed: " + vectors.error().message,
                      vectors.error().detail);
  }
  std::vector<std::string> literals;
  literals.reserve(vectors->size());
  for (const Embedding& v : *vectors) literals.push_back(to_pg_array(v));
  return literals;
}

// Stores one page's vectors in one short transaction: the declaration of
// the embedder (migrations/012 labels the vectors with it), with `bulk` the
// silencing of per-row notices, kStore. On failure nothing is stored.
// Returns how many rows were stored (those that did not change since they
// were read).
Result<long> store_in_transaction(db::Connection& conn, const std::string& embedder, bool bulk,
                                  const std::string& ids, const std::string& embeddings,
                                  const std::string& versions) {
  return conn.transaction("knowledge_store", [&]() -> Result<long> {
    if (bulk) {
      if (auto quiet = conn.exec("knowledge_bulk_on", "SET LOCAL cscx.knowledge_bulk = 'on'");
          !quiet) {
        return quiet.error();
      }
    }
    if (auto declared = conn.exec_params("knowledge_declare_embedder", kDeclareEmbedder,
                                         {embedder});
        !declared) {
      return declared.error();
    }
    auto stored = conn.exec_params("knowledge_embed_store", kStore, {ids, embeddings, versions});
    if (!stored) return stored.error();
    return stored->affected();
  });
}

// One page: the ids read, in order, how many of them were stored, and how
// many the provider refused alone (left as they were).
struct Page {
  std::vector<std::string> ids;
  std::size_t stored = 0;
  std::size_t refused = 0;
};

// Reads one page of `page_sql` (`params`: $1 the last id of the previous
// page, then the query's own), embeds it with the embedder `provider`
// names, outside any transaction (a provider may take seconds), and stores
// it in a short one.
Result<Page> embed_page(db::Connection& conn, const char* page_sql,
                                            std::vector<db::Param> params,
                                            const EmbeddingProviderConfig* provider, bool bulk) {
  auto page = conn.exec_params("knowledge_embed_page", page_sql, params);
  if (!page) return page.error();
  Page out;
  std::vector<std::string>& ids = out.ids;
  std::vector<std::string> texts, versions;
  for (int row = 0; row < page->rows(); ++row) {
    ids.emplace_back(page->value(row, 0));
    texts.push_back(article_text(page->value(row, 1), page->value(row, 2),
                                 tags_from_lines(page->value(row, 3))));
    versions.emplace_back(page->value(row, 4));  // '' for NULL
  }
  if (ids.empty()) return out;
  auto embeddings = embed_literals(texts, provider);
  std::vector<std::string> store_ids = ids;
  if (!embeddings && embeddings.error().code == Code::kDependencyFailed && ids.size() > 1) {
    // One article the provider refuses (say, text it counts as too long)
    // must not hold back the page: ask for each alone, store those it
    // embeds, and leave the refused ones as they are. If it refuses the
    // first three, the fault is its settings (a key, a model), not the
    // articles: no request per article for that.
    std::vector<std::string> kept_ids, kept_literals, kept_versions;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      auto one = embed_literals({texts[i]}, provider);
      if (!one && kept_ids.empty() && out.refused >= 2) return embeddings.error();
      if (!one) {
        spdlog::warn("knowledge embeddings: article {} left as it is: {}", ids[i],
                     one.error().to_string());
        ++out.refused;
        continue;
      }
      kept_ids.push_back(ids[i]);
      kept_literals.push_back(std::move(one->front()));
      kept_versions.push_back(versions[i]);
    }
    if (kept_ids.empty()) return embeddings.error();
    store_ids = std::move(kept_ids);
    embeddings = std::move(kept_literals);
    versions = std::move(kept_versions);
  }
  if (!embeddings) return embeddings.error();
  auto stored = store_in_transaction(conn, embedder_name(provider), bulk, text_array(store_ids),
                                     text_array(*embeddings), text_array(versions));
  if (!stored) return stored.error();
  out.stored = static_cast<std::size_t>(*stored);
  return out;
}

constexpr const char* kNoId = "00000000-0000-0000-0000-000000000000";

// Whether this connection's role may move the generation (only the owner
// may, migrations/009): asked before the first page, so a role that may not
// finish a reindex changes nothing.
Result<void> check_may_reindex(db::Connection& conn) {
  if (auto begin = conn.exec("knowledge_reindex_check", "BEGIN"); !begin) return begin.error();
  auto probe = conn.exec("knowledge_reindex_probe",
                         "UPDATE cscx.knowledge_index SET generation = generation");
  (void)conn.exec("knowledge_reindex_check_end", "ROLLBACK");
  if (!probe) return probe.error();
  return ok();
}

// Tells running servers to reload: the generation moves, one 'rebuild'
// notice goes out at commit. `embedder` (a finished reindex's) is recorded
// as the last reindex's; nullopt keeps the recorded one (a partial run).
Result<void> announce_rebuild(db::Connection& conn, const db::Param& embedder) {
  return conn.transaction("knowledge_rebuild", [&]() -> Result<void> {
    auto bumped = conn.exec_params("knowledge_generation_bump", kBumpGeneration, {embedder});
    if (!bumped) return bumped.error();
    if (auto notified = conn.exec("knowledge_rebuild", kRebuildNotice); !notified) {
      return notified.error();
    }
    return ok();
  });
}

// Every page, then the ivfflat index; `counts` grows page by page, so after
// a failure it says what was stored before it.
Result<void> embed_every_page(db::Connection& conn, const ReindexProgress& progress,
                              const EmbeddingProviderConfig* provider, ReindexCounts& counts) {
  auto count = conn.exec("knowledge_count", kCount);
  if (!count) return count.error();
  counts.total = std::stoul(std::string(count->value(0, 0)));
  std::string after = kNoId;
  for (;;) {
    auto page = embed_page(conn, kPage, {after}, provider, true);
    if (!page) return page.error();
    if (!page->ids.empty()) {
      counts.read += page->ids.size();
      counts.stored += page->stored;
      counts.refused += page->refused;
      after = page->ids.back();
      if (progress) progress(counts.read, std::max(counts.total, counts.read));
    }
    if (page->ids.size() < kPageSize) break;
  }
  auto ivfflat = conn.exec("knowledge_ivfflat_index", kIvfflatIndex);
  if (!ivfflat) return ivfflat.error();
  if (ivfflat->rows() == 1) {
    if (auto rebuilt = conn.exec("knowledge_ivfflat_reindex", kReindexIvfflat); !rebuilt) {
      return rebuilt.error();
    }
  }
  return ok();
}

}  // namespace

Result<ReindexCounts> reindex_all(db::Connection& conn, const ReindexProgress& progress,
                                  const EmbeddingProviderConfig* provider) {
  if (auto allowed = check_may_reindex(conn); !allowed) return allowed.error();
  ReindexCounts counts;
  auto embedded = embed_every_page(conn, progress, provider, counts);
  if (embedded) {
    if (auto announced = announce_rebuild(conn, embedder_name(provider)); !announced) {
      return announced.error();
    }
    return counts;
  }
  if (counts.stored == 0) return embedded.error();
  // What was stored stays, each vector labelled with its embedder; the
  // servers are told, so they load it, but the last reindex's embedder on
  // record stays what it was.
  auto announced = announce_rebuild(conn, std::nullopt);
  Error e = embedded.error();
  e.message = fmt::format("stopped after {} of {} articles: {}; the {} stored stay{}",
                          counts.read, counts.total, e.message, counts.stored,
                          announced ? " and running servers were told to reload"
                                    : " (running servers could not be told: run it again)");
  return e;
}

Result<std::size_t> embed_missing(db::Connection& conn,
                                  const EmbeddingProviderConfig* provider,
                                  const std::function<bool()>& stop,
                                  const std::vector<std::string>* only) {
  std::size_t done = 0;
  std::string after = kNoId;
  for (;;) {
    if (stop && stop()) return done;
    std::vector<db::Param> params{after};
    if (only) params.emplace_back(text_array(*only));
    auto page = embed_page(conn, only ? kMissingOfPage : kMissingPage, std::move(params),
                           provider, false);
    if (!page) return page.error();
    done += page->stored;
    if (page->ids.size() < kPageSize) return done;
    after = page->ids.back();
  }
}

}  // namespace cscx::knowledge
