// `cscx serve`: the HTTP server wired to the database, auth and routes.
#pragma once

#include <string>
#include <vector>

#include "api/route_support.h"
#include "app/database_target.h"
#include "core/error.h"
#include "knowledge/ann_index.h"
#include "knowledge/index_sync.h"

namespace cscx::app {

struct ServeOptions {
  std::string host = "127.0.0.1";  // --host, $CSCX_HOST
  int port = 8080;                 // --port, $CSCX_PORT (0 = ephemeral)
  unsigned threads = 0;            // $CSCX_THREADS, 0 = cores
  size_t pool_size = 0;            // $CSCX_DB_POOL_SIZE, 0 = 4 x threads
  size_t body_limit = 10 * 1024 * 1024;  // $CSCX_BODY_LIMIT (bytes)
  std::vector<std::string> allowed_origins = {"*"};  // $CSCX_ALLOWED_ORIGINS, comma-separated
  long health_refresh_seconds = 3600;  // $CSCX_HEALTH_REFRESH_SECONDS, 0 = no schedule
};

// Adds every /api route. One list, used by run_server and by the test that
// checks api/openapi.json describes exactly these routes
// (tests/api/openapi_pgtest.cpp): a new route group goes here. Knowledge
// search reads `knowledge_index` once `knowledge_state` says it is loaded;
// both must outlive the router.
void add_api_routes(http::Router& router, const api::RouteContext& context,
                    knowledge::AnnIndex& knowledge_index,
                    const knowledge::IndexState& knowledge_state);

// Fills unset options from the environment.
[[nodiscard]] Result<ServeOptions> serve_options_from_env(ServeOptions flags,
                                                          bool host_given,
                                                          bool port_given);

// The connection string the API pool uses: the embedded cluster's
// authenticator role, else $CSCX_API_DATABASE_URL, else the admin URL.
std::string api_database_url(DatabaseTarget& target);

// Runs the server on a migrated database until SIGINT/SIGTERM, then drains
// in-flight requests. Prints "cscx: listening on http://host:port" once
// listening. `home` holds the JWT secret.
[[nodiscard]] Result<void> run_server(DatabaseTarget& target, const std::string& home,
                                      const ServeOptions& options);

}  // namespace cscx::app
