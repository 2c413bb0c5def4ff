// /api/agents: sessions, chat with the built-in agent, and the approvals
// that stand between a proposed action and its effect (issue 8). Every route
// runs as the caller, so RLS decides what anyone sees: another CSM's
// session or approval is a 404. docs/agents.md documents them.
#pragma once

#include "api/route_support.h"
#include "http/router.h"
#include "knowledge/ann_index.h"
#include "knowledge/index_sync.h"

namespace cscx::agents {

// Adds POST /api/agents/sessions, GET /api/agents/sessions/:id,
// POST /api/agents/chat, GET /api/agents/pending and
// POST /api/agents/approve/:id. `pool`, `secret` and `metrics` must outlive
// the router, and so must `index` and `state`: the server's knowledge index
// and its load state, which the chat searches the knowledge base with
// (knowledge::search_articles, as GET /api/knowledge/search does).
void add_agent_routes(http::Router& router, const api::RouteContext& context,
                      const knowledge::AnnIndex& index, const knowledge::IndexState& state);

}  // namespace cscx::agents
