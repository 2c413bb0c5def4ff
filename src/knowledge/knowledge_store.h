// The knowledge base's service: article writes (with the embedding computed
// on write) and the hybrid search, all run as the caller through
// db::Pool::run_in_transaction, so RLS decides what is written and seen.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "db/pool.h"
#include "knowledge/ann_index.h"
#include "knowledge/embedder.h"
#include "knowledge/embedding_provider.h"
#include "knowledge/index_sync.h"

namespace cscx::knowledge {

// Every write of a vector declares, in its transaction, the embedder that
// made it ($1, embedder_name()): migrations/012's triggers label the row
// with it, and a server uses only vectors labelled with its own embedder.
// The declaration labels every row the transaction writes afterwards, so
// declare only in a transaction whose every knowledge_base write stores a
// vector of that embedder.
inline constexpr const char* kDeclareEmbedder =
    "SELECT set_config('cscx.embedder', $1::text, true)";

// An article's writable fields as a request gave them; nullopt = not given.
// `category` given as JSON null clears it (clear_category).
struct ArticleFields {
  std::optional<std::string> title;
  std::optional<std::string> content;
  std::optional<std::string> category;
  bool clear_category = false;
  std::optional<std::vector<std::string>> tags;
  std::optional<bool> is_public;
  std::optional<std::string> metadata_json;  // a JSON object
};

// A written article: the stored row as JSON, its id, and the vector stored
// with it (so the route can put it in the index without embedding again);
// nullopt when an update kept the stored vector.
struct WrittenArticle {
  std::string json;
  std::string id;
  std::optional<Embedding> embedding;
};

// Inserts an article (title and content present) with its embedding, which
// `provider` computes (on the caller's executor, before any SQL), or the
// built-in embedder when it is null, labelled with that embedder's name
// (migrations/012). Fails as RLS and constraints decide
// (kPermissionDenied for a role that may not write), and when the provider
// does with its class (embed_texts: kUnavailable transient, 503;
// kDependencyFailed permanent, 502), "embedding provider failed: ...",
// with nothing written.
boost::asio::awaitable<Result<WrittenArticle>> create_article(
    db::Pool& pool, const db::RequestIdentity& who, const ArticleFields& fields,
    const EmbeddingProviderConfig* provider);

// Updates the given fields of article `id`. When the merged title, content
// and tags compose another text than the stored ones, the embedding is
// computed again as create_article does (the provider is asked between the
// read and the conditional write, so no transaction waits on it);
// otherwise only category, is_public and metadata are written, the stored
// vector (whoever made it) stays, and no embedder is asked. kNotFound when
// the caller cannot see it; kConflict when it changed between the read and
// the write; the provider's failure as create_article's, with nothing
// written.
boost::asio::awaitable<Result<WrittenArticle>> update_article(
    db::Pool& pool, const db::RequestIdentity& who, const std::string& id,
    const ArticleFields& fields, const EmbeddingProviderConfig* provider);

// Deletes article `id`; {"id":..., "deleted":true}. kNotFound when the
// caller cannot see (or may not delete) it.
boost::asio::awaitable<Result<std::string>> delete_article(db::Pool& pool,
                                                           const db::RequestIdentity& who,
                                                           const std::string& id);

// The longest query text a search takes (GET /api/knowledge/search refuses
// longer ones with a 400).
inline constexpr std::size_t kMaxSearchQueryBytes = 1000;

struct SearchRequest {
  std::string query;
  int k = 10;
};

// The one way to search the knowledge base: GET /api/knowledge/search and
// the agent's chat (agents/agent_routes.cpp) both call it. `query` is
// embedded (by state.embedding_provider() when there is one) and `index`
// asked for candidates, unless `state` says its first load has not
// finished or the provider fails (logged): then there are none, results are
// ranked by full text alone, and the response says "semantic": false. The candidates and
// PostgreSQL full-text matches are fused by reciprocal rank in one
// read-only transaction as `who`, after both are read through RLS, so
// hidden articles neither appear nor shift the ranks of visible ones.
// Returns the response JSON (docs/knowledge.md: query, k, fusion, semantic,
// results with id, title, category, tags, snippet, score and the score's
// vector and text parts). Never fails because of the provider; fails only
// as the database does (kUnavailable, kInternal...); `index` and `state`
// are read, never changed, and may be used by other threads meanwhile.
boost::asio::awaitable<Result<std::string>> search_articles(db::Pool& pool,
                                                            const db::RequestIdentity& who,
                                                            const SearchRequest& request,
                                                            const AnnIndex& index,
                                                            const IndexState& state);

}  // namespace cscx::knowledge
