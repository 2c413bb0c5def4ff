// GET /api/openapi.json: the OpenAPI 3.1 description of every /api route
// (api/openapi.json, compiled into the binary; see docs/openapi.md).
#pragma once

#include <string_view>

#include "http/router.h"

namespace cscx::api {

// The document's bytes, exactly as in api/openapi.json.
std::string_view openapi_document();

// Serves the document without authentication: it describes the API, it
// holds no data, and clients need it before they have credentials.
void add_openapi_route(http::Router& router);

}  // namespace cscx::api
