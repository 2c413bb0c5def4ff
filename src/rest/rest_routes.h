// /rest/v1: the PostgREST-compatible table and function API that
// supabase-js speaks (spec/supabase-compat.md sections 1-6).
//
// A request is authenticated (auth/principal.h), parsed into a Query
// (query_parser.h), compiled against the current schema cache
// (sql_compiler.h) and run in one transaction as the caller's role and
// claims, so row-level security decides what anyone sees or changes.
// PostgreSQL builds the JSON body; this adapter only sets status and headers.
#pragma once

#include <string>

#include "db/pool.h"
#include "http/metrics.h"
#include "http/router.h"
#include "rest/schema_listener.h"

namespace cscx::rest {

// `pool`, `schema`, `secret` and `metrics` must outlive the router.
void add_rest_routes(http::Router& router, db::Pool& pool, const SchemaListener& schema,
                     const std::string& secret, http::Metrics& metrics);

}  // namespace cscx::rest
