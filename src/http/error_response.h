// Error -> HTTP: the one table that maps a Code to a status, and the JSON
// error body every non-/rest/v1 error uses.
//
// The body is {"code": "<code_name>", "message": "...", "request_id": "..."}.
// Error::detail never leaves the process: the server writes it to the access
// log line of the request. (/rest/v1 answers in the PostgREST error shape; its
// handlers build that body themselves and may still use http_status().)
#pragma once

#include <string_view>

#include "core/error.h"
#include "http/request.h"

namespace cscx::http {

// kInvalidArgument 400, kUnauthenticated 401, kPermissionDenied 403,
// kNotFound 404, kConflict 409, kFailedPrecondition 400, kPayloadTooLarge 413,
// kUnavailable 503, kDependencyFailed 502, kInternal 500.
//
// kFailedPrecondition is 400, not 412: 412 Precondition Failed is about the
// request's own conditional headers (If-Match, RFC 9110 section 15.5.13),
// which we do not implement, and PostgREST, GoTrue and the gRPC/Google API
// mapping all answer a state the call cannot run in with 400.
//
// kDependencyFailed is 502 Bad Gateway: we acted as a gateway to an LLM or
// embedding provider and its answer was unusable (a refused key, an unknown
// model, a body of the wrong shape); the client did nothing wrong (not 4xx)
// and retrying will not help (no Retry-After, unlike kUnavailable's 503).
unsigned http_status(Code code);

// http_status(error.code) with the JSON body above. A 503 also carries
// `Retry-After: 1` (supabase-js honours it when it retries a GET or HEAD).
Response error_response(const Error& error, std::string_view request_id);

// The same body shape for refusals of the HTTP layer that have no Code
// (405 "method_not_allowed", 408 "request_timeout", 431
// "request_header_fields_too_large").
Response status_response(unsigned status, std::string_view code, std::string_view message,
                         std::string_view request_id);

}  // namespace cscx::http
