// `cscx kb reindex`: recomputes every article's stored embedding with the
// current embedder (after kEmbedderVersion changed, or for rows written
// without one, e.g. through /rest/v1), then tells running servers to
// rebuild their index.
#pragma once

#include <cstddef>
#include <functional>

#include "core/error.h"
#include "db/connection.h"

namespace cscx::knowledge {

// Called after each batch with the rows done and the total.
using ReindexProgress = std::function<void(std::size_t done, std::size_t total)>;

// Runs in one transaction over `conn` (a role that may update every
// article: the owner, a superuser or service_role); on any failure nothing
// changes. The per-row NOTIFYs are silenced (cscx.knowledge_bulk) and one
// 'rebuild' NOTIFY is sent at commit. updated_at moves, as for any update.
// Returns the number of articles.
[[nodiscard]] Result<std::size_t> reindex_all(db::Connection& conn,
                                              const ReindexProgress& progress = {});

}  // namespace cscx::knowledge
