// `cscx kb reindex`: recomputes every article's stored embedding with the
// current embedder (after kEmbedderVersion changed, for rows written
// without one, e.g. through /rest/v1, or to switch to or from the optional
// embedding provider), then tells running servers to rebuild their index.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "core/error.h"
#include "db/connection.h"
#include "knowledge/embedding_provider.h"

namespace cscx::knowledge {

// Called after each batch with the rows done and the total.
using ReindexProgress = std::function<void(std::size_t done, std::size_t total)>;

// What a reindex did: articles at its start, read, stored (an article
// written between its read and its store keeps what that write left), and
// refused: articles the provider would not embed on their own (a permanent
// failure for that text alone, logged with its id), left as they were.
struct ReindexCounts {
  std::size_t total = 0;
  std::size_t read = 0;
  std::size_t stored = 0;
  std::size_t refused = 0;
};

// Over `conn` (the owner of the schema, as `cscx migrate` connects, or a
// superuser: it moves cscx.knowledge_index's generation, which no request
// role may write; a role that may not is refused with kPermissionDenied
// before anything changes). Page by page (500 articles): each page is read,
// embedded outside any transaction (a provider may take seconds per
// request, and no lock or snapshot waits on it), and stored in a short
// transaction of its own, labelled with the embedder (migrations/012), only
// where the article did not change in between. The per-row NOTIFYs are
// silenced (cscx.knowledge_bulk); at the end the generation moves and one
// 'rebuild' NOTIFY makes running servers reload their index. updated_at
// moves, as for any update.
// With `provider` every article is embedded by it, kProviderBatch texts per
// request (blocking this thread), which is how an operator moves the stored
// vectors to the provider's space (or, without one, back to the built-in
// embedder's). Returns the counts. On a failure (the provider's: "embedding
// provider failed: ...") on the first page nothing changed; on a later one
// the pages stored before it stay, each correctly labelled, the servers
// are told to reload (the embedder on record in cscx.knowledge_index stays
// the last finished reindex's), and the error says "stopped after N of M
// articles: ...; the K stored stay ...". A rerun embeds everything again.
[[nodiscard]] Result<ReindexCounts> reindex_all(db::Connection& conn,
                                              const ReindexProgress& progress = {},
                                              const EmbeddingProviderConfig* provider = nullptr);

// Stores the embedding of every article whose embedding is NULL (written
// with SQL or /rest/v1, or made stale by a change of its text there,
// migrations/012), or of those among `only` when given (the ids of
// notices), computed as a write through /api/knowledge would have and
// labelled with the embedder, in pages of 500, each stored in its own short
// transaction (the pages that were written stay). Returns how many. With
// pgvector, where PostgreSQL finds the nearest neighbours from the stored
// vectors, and with a provider, whose vectors no server can compute in
// memory, this is what makes such articles semantically searchable
// (IndexSync runs it); with real[] and the built-in embedder the server
// embeds them in memory instead. `conn` must be allowed to update
// knowledge_base (service_role or the owner). With `provider` (the server's
// embedding provider) the vectors are its, in embed_texts' bounded
// requests (blocking); its failure keeps embed_texts' code
// (kUnavailable: transient; kDependencyFailed: permanent). `stop`, when given, is
// asked before each page: true ends the run early (a server shutting
// down), with what was stored so far kept.
[[nodiscard]] Result<std::size_t> embed_missing(db::Connection& conn,
                                                const EmbeddingProviderConfig* provider = nullptr,
                                                const std::function<bool()>& stop = {},
                                                const std::vector<std::string>* only = nullptr);

}  // namespace cscx::knowledge
