// The knowledge base over HTTP (issue 8):
//   POST   /api/knowledge              create an article (embedding computed)
//   PATCH  /api/knowledge/:id          update fields (embedding recomputed)
//   DELETE /api/knowledge/:id          delete
//   GET    /api/knowledge/search?q=…&k=10   hybrid semantic + full-text search
// Writes need service_role (the schema lets only it write articles; RLS
// enforces the same). Search runs as any caller, and reads its results back
// through RLS, so an article the caller may not read is never returned.
// docs/knowledge.md has the request and response shapes.
#pragma once

#include "api/route_support.h"
#include "http/router.h"
#include "knowledge/ann_index.h"
#include "knowledge/index_sync.h"

namespace cscx::knowledge {

// `index` is the server's (kept current by IndexSync) and `state` says
// whether its first load has finished; both must outlive the router. Until
// then search ranks by full text alone and says so ("semantic": false).
// Writes also update the index directly, so a search right after a write
// sees the article without waiting for the NOTIFY. Writes and searches embed
// with state.embedding_provider() when it is set: a write it fails is a 503
// (transient) or 502 (permanent) with nothing written; a search it fails
// ranks by full text alone.
void add_knowledge_routes(http::Router& router, const api::RouteContext& context,
                          AnnIndex& index, const IndexState& state);

}  // namespace cscx::knowledge
