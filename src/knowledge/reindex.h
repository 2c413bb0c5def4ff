// `cscx kb reindex`: recomputes every article's stored embedding with the
// current embedder (after kEmbedderVersion changed, for rows written
// without one, e.g. through /rest/v1, or to switch to or from the optional
// embedding provider), then tells running servers to rebuild their index.
#pragma once

#include <cstddef>
#include <functional>

#include "core/error.h"
#include "db/connection.h"
#include "knowledge/embedding_provider.h"

namespace cscx::knowledge {

// Called after each batch with the rows done and the total.
using ReindexProgress = std::function<void(std::size_t done, std::size_t total)>;

// Runs in one transaction over `conn` (the owner of the schema, as `cscx
// migrate` connects, or a superuser: it moves cscx.knowledge_index's
// generation, which no request role may write); on any failure nothing
// changes. The per-row NOTIFYs are silenced (cscx.knowledge_bulk); the
// generation moves and one 'rebuild' NOTIFY is sent at commit, which makes
// running servers reload their index. updated_at moves, as for any update.
// With `provider` every article is embedded by it, kProviderBatch texts per
// request (blocking this thread), which is how an operator moves the stored
// vectors to the provider's space (or, without one, back to the built-in
// embedder's). Returns the number of articles; kPermissionDenied for a role
// that may not write the generation; the provider's failure (any of
// embed_texts') as kUnavailable "embedding provider failed: ...".
[[nodiscard]] Result<std::size_t> reindex_all(db::Connection& conn,
                                              const ReindexProgress& progress = {},
                                              const EmbeddingProviderConfig* provider = nullptr);

// Stores the embedding of every article whose embedding is NULL (written
// with SQL or /rest/v1), computed as a write through /api/knowledge would
// have, in pages of 500, each its own statement (no transaction of its
// own: the pages that were written stay). Returns how many. With pgvector,
// where PostgreSQL finds the nearest neighbours from the stored vectors,
// this is what makes such articles semantically searchable (IndexSync runs
// it); with real[] the server embeds them in memory instead. `conn` must be
// allowed to update knowledge_base (service_role or the owner). With
// `provider` (the server's embedding provider) the vectors are its, asked
// kProviderBatch texts at a time (blocking); its failure is kUnavailable.
// `stop`, when given, is asked before each page: true ends the run early
// (a server shutting down), with what was stored so far kept.
[[nodiscard]] Result<std::size_t> embed_missing(db::Connection& conn,
                                                const EmbeddingProviderConfig* provider = nullptr,
                                                const std::function<bool()>& stop = {});

}  // namespace cscx::knowledge
