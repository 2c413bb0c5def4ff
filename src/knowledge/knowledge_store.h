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
#include "knowledge/index_sync.h"

namespace cscx::knowledge {

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

// Inserts an article (title and content present) with its embedding; the
// stored row as JSON. Fails as RLS and constraints decide (kPermissionDenied
// for a role that may not write).
boost::asio::awaitable<Result<std::string>> create_article(db::Pool& pool,
                                                           const db::RequestIdentity& who,
                                                           const ArticleFields& fields);

// Updates the given fields of article `id` and recomputes its embedding
// from the merged title, content and tags. kNotFound when the caller cannot
// see it; kConflict when it changed between the read and the write.
boost::asio::awaitable<Result<std::string>> update_article(db::Pool& pool,
                                                           const db::RequestIdentity& who,
                                                           const std::string& id,
                                                           const ArticleFields& fields);

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
// embedded and `index` asked for candidates, unless `state` says its first
// load has not finished: then there are none, results are ranked by full
// text alone, and the response says "semantic": false. The candidates and
// PostgreSQL full-text matches are fused by reciprocal rank in one
// read-only transaction as `who`, after both are read through RLS, so
// hidden articles neither appear nor shift the ranks of visible ones.
// Returns the response JSON (docs/knowledge.md: query, k, fusion, semantic,
// results with id, title, category, tags, snippet, score and the score's
// vector and text parts). Fails only as the database does (kUnavailable,
// kInternal...); `index` and `state` are read, never changed, and may be
// used by other threads meanwhile.
boost::asio::awaitable<Result<std::string>> search_articles(db::Pool& pool,
                                                            const db::RequestIdentity& who,
                                                            const SearchRequest& request,
                                                            const AnnIndex& index,
                                                            const IndexState& state);

// The embedding of an article as it will be stored (title, content, tags).
std::string article_embedding_literal(const std::string& title, const std::string& content,
                                      const std::vector<std::string>& tags);

}  // namespace cscx::knowledge
