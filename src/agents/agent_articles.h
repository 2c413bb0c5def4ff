// How the agent's chat finds knowledge articles (issue 8): through the
// knowledge base's one search, knowledge::search_articles (hybrid: the ANN
// index fused with PostgreSQL full text, read back through RLS as the
// caller, full text alone while the index loads), keeping the hits that
// are about the message. Internal to src/agents; agent_routes.cpp calls it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/array.hpp>
#include <string>
#include <string_view>

#include "core/error.h"
#include "db/pool.h"
#include "knowledge/ann_index.h"
#include "knowledge/index_sync.h"

namespace cscx::agents::internal {

// The search's response (knowledge::search_articles' JSON) as agent.h's
// `articles`: [{id, title, snippet}], best first, at most three, each a
// full-text match or a semantic match close enough to the message.
// kInternal when the JSON has no results array.
[[nodiscard]] Result<boost::json::array> articles_to_cite(std::string_view search_json);

// Searches the knowledge base for `message` as `who` (read-only) and
// returns articles_to_cite() of the answer. Fails as the database does;
// `index` and `state` are only read.
boost::asio::awaitable<Result<boost::json::array>> find_articles(
    db::Pool& pool, const db::RequestIdentity& who, const std::string& message,
    const knowledge::AnnIndex& index, const knowledge::IndexState& state);

}  // namespace cscx::agents::internal
