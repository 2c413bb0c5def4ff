#include "knowledge/reindex.h"

#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "knowledge/embedder.h"
#include "knowledge/index_sync.h"

namespace cscx::knowledge {
namespace {

constexpr const char* kCount = "SELECT count(*) FROM public.knowledge_base";
constexpr const char* kPage =
    "SELECT id, title, content, array_to_string(tags, E'\\n')"
    "  FROM public.knowledge_base WHERE id > $1::uuid ORDER BY id LIMIT 500";
constexpr std::size_t kPageSize = 500;
constexpr const char* kMissingPage =
    "SELECT id, title, content, array_to_string(tags, E'\\n')"
    "  FROM public.knowledge_base WHERE embedding IS NULL AND id > $1::uuid ORDER BY id LIMIT 500";
// $1 ids, $2 embeddings as real[] literals (a text[] of them), in the same order.
constexpr const char* kStore =
    "UPDATE public.knowledge_base kb SET embedding = v.embedding::real[]"
    "  FROM unnest($1::uuid[], $2::text[]) AS v(id, embedding) WHERE kb.id = v.id";

// Servers rebuild their index when the generation moved (migrations/009):
// only the owner may move it, so the notice alone, which any role can send,
// rebuilds nothing. Both take effect at commit, with the new embeddings.
// $1: the embedder every stored vector now comes from (migrations/011).
constexpr const char* kBumpGeneration =
    "UPDATE cscx.knowledge_index"
    "   SET generation = generation + 1, embedder = $1::text, updated_at = now()";
constexpr const char* kRebuildNotice = "SELECT pg_notify('cscx_knowledge', 'rebuild')";

// With pgvector (migration 002), the seed's ivfflat index. It was built when
// the table was empty, and an ivfflat index keeps the lists (centroids) of
// the rows it was built from: rebuilt after the embeddings are, its lists
// fit the articles, and its recall does.
constexpr const char* kIvfflatIndex =
    "SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_am am ON am.oid = c.relam"
    " WHERE c.oid = to_regclass('public.idx_kb_embedding') AND am.amname = 'ivfflat'";
constexpr const char* kReindexIvfflat = "REINDEX INDEX public.idx_kb_embedding";

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
// embedder's, or the provider's, asked kProviderBatch texts at a time
// (blocking this thread).
Result<std::vector<std::string>> embed_literals(const std::vector<std::string>& texts,
                                                const EmbeddingProviderConfig* provider) {
  std::vector<std::string> literals;
  literals.reserve(texts.size());
  if (!provider) {
    for (const std::string& text : texts) literals.push_back(to_pg_array(embed_text(text)));
    return literals;
  }
  for (std::size_t start = 0; start < texts.size(); start += kProviderBatch) {
    const std::size_t end = std::min(texts.size(), start + kProviderBatch);
    std::vector<std::string> batch(texts.begin() + static_cast<std::ptrdiff_t>(start),
                                   texts.begin() + static_cast<std::ptrdiff_t>(end));
    auto vectors = llm::run_blocking(embed_texts(provider, std::move(batch)));
    if (!vectors) {
      return make_error(Code::kUnavailable,
                        "embedding provider failed: " + vectors.error().message +
                            "; no embedding was changed",
                        vectors.error().detail);
    }
    for (const Embedding& v : *vectors) literals.push_back(to_pg_array(v));
  }
  return literals;
}

// Embeds one page of `page_sql` ($1: the last id of the previous page) with
// the embedder `provider` names and stores it; the ids it read, in order.
Result<std::vector<std::string>> embed_page(db::Connection& conn, const char* page_sql,
                                            const std::string& after,
                                            const EmbeddingProviderConfig* provider) {
  auto page = conn.exec_params("knowledge_embed_page", page_sql, {after});
  if (!page) return page.error();
  std::vector<std::string> ids, texts;
  for (int row = 0; row < page->rows(); ++row) {
    ids.emplace_back(page->value(row, 0));
    texts.push_back(article_text(page->value(row, 1), page->value(row, 2),
                                 tags_from_lines(page->value(row, 3))));
  }
  if (!ids.empty()) {
    auto embeddings = embed_literals(texts, provider);
    if (!embeddings) return embeddings.error();
    auto stored = conn.exec_params("knowledge_embed_store", kStore,
                                   {text_array(ids), text_array(*embeddings)});
    if (!stored) return stored.error();
  }
  return ids;
}

constexpr const char* kNoId = "00000000-0000-0000-0000-000000000000";

Result<std::size_t> reindex_in_transaction(db::Connection& conn,
                                           const ReindexProgress& progress,
                                           const EmbeddingProviderConfig* provider) {
  if (auto bulk = conn.exec("knowledge_bulk_on", "SET LOCAL cscx.knowledge_bulk = 'on'");
      !bulk) {
    return bulk.error();
  }
  auto count = conn.exec("knowledge_count", kCount);
  if (!count) return count.error();
  const std::size_t total = std::stoul(std::string(count->value(0, 0)));
  std::size_t done = 0;
  std::string after = kNoId;
  for (;;) {
    auto ids = embed_page(conn, kPage, after, provider);
    if (!ids) return ids.error();
    if (!ids->empty()) {
      done += ids->size();
      after = ids->back();
      if (progress) progress(done, std::max(total, done));
    }
    if (ids->size() < kPageSize) break;
  }
  auto ivfflat = conn.exec("knowledge_ivfflat_index", kIvfflatIndex);
  if (!ivfflat) return ivfflat.error();
  if (ivfflat->rows() == 1) {
    if (auto rebuilt = conn.exec("knowledge_ivfflat_reindex", kReindexIvfflat); !rebuilt) {
      return rebuilt.error();
    }
  }
  if (auto bumped = conn.exec_params("knowledge_generation_bump", kBumpGeneration,
                                     {embedder_name(provider)});
      !bumped) {
    return bumped.error();
  }
  if (auto notify = conn.exec("knowledge_rebuild", kRebuildNotice); !notify) {
    return notify.error();
  }
  return done;
}

}  // namespace

Result<std::size_t> reindex_all(db::Connection& conn, const ReindexProgress& progress,
                                const EmbeddingProviderConfig* provider) {
  if (auto begin = conn.exec("knowledge_reindex_begin", "BEGIN"); !begin)
    return begin.error();
  auto done = reindex_in_transaction(conn, progress, provider);
  if (!done) {
    (void)conn.exec("knowledge_reindex_rollback", "ROLLBACK");
    return done.error();
  }
  if (auto commit = conn.exec("knowledge_reindex_commit", "COMMIT"); !commit) {
    return commit.error();
  }
  return *done;
}

Result<std::size_t> embed_missing(db::Connection& conn,
                                  const EmbeddingProviderConfig* provider,
                                  const std::function<bool()>& stop) {
  std::size_t done = 0;
  std::string after = kNoId;
  for (;;) {
    if (stop && stop()) return done;
    auto ids = embed_page(conn, kMissingPage, after, provider);
    if (!ids) return ids.error();
    done += ids->size();
    if (ids->size() < kPageSize) return done;
    after = ids->back();
  }
}

}  // namespace cscx::knowledge
