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
    "SELECT id, title, content, array_to_string(tags, ' ')"
    "  FROM public.knowledge_base WHERE id > $1::uuid ORDER BY id LIMIT 500";
constexpr int kPageSize = 500;
// $1 ids, $2 embeddings as real[] literals (a text[] of them), in the same order.
constexpr const char* kStore =
    "UPDATE public.knowledge_base kb SET embedding = v.embedding::real[]"
    "  FROM unnest($1::uuid[], $2::text[]) AS v(id, embedding) WHERE kb.id = v.id";

// Servers rebuild their index when the generation moved (migrations/009):
// only the owner may move it, so the notice alone, which any role can send,
// rebuilds nothing. Both take effect at commit, with the new embeddings.
// $1: the embedder every stored vector now comes from (migrations/010).
constexpr const char* kBumpGeneration =
    "UPDATE cscx.knowledge_index"
    "   SET generation = generation + 1, embedder = $1::text, updated_at = now()";
constexpr const char* kRebuildNotice = "SELECT pg_notify('cscx_knowledge', 'rebuild')";

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

// The vectors of a page's texts, in order: the built-in embedder's, or the
// provider's, asked kProviderBatch texts at a time.
Result<std::vector<std::string>> embed_page(const std::vector<std::string>& texts,
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
  std::string after = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    auto page = conn.exec_params("knowledge_reindex_page", kPage, {after});
    if (!page) return page.error();
    std::vector<std::string> ids, texts;
    for (int row = 0; row < page->rows(); ++row) {
      ids.emplace_back(page->value(row, 0));
      const std::string tags(page->value(row, 3));
      texts.push_back(article_text(page->value(row, 1), page->value(row, 2), std::span(&tags, 1)));
    }
    if (!ids.empty()) {
      auto embeddings = embed_page(texts, provider);
      if (!embeddings) return embeddings.error();
      auto stored = conn.exec_params("knowledge_reindex_store", kStore,
                                     {text_array(ids), text_array(*embeddings)});
      if (!stored) return stored.error();
      done += ids.size();
      after = ids.back();
      if (progress) progress(done, std::max(total, done));
    }
    if (page->rows() < kPageSize) break;
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

}  // namespace cscx::knowledge
