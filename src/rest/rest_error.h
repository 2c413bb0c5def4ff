// Errors on /rest/v1 in PostgREST's shape (spec/supabase-compat.md section
// 6): the body {"code","details","hint","message"} and the status, from a
// PostgreSQL error's SQLSTATE or a protocol reason (PGRST...). This is the
// /rest/v1 twin of http/error_response.h, whose Code table it falls back on.
#pragma once

#include <string_view>

#include "core/error.h"
#include "http/request.h"

namespace cscx::rest {

// `anonymous`: the request ran as anon (42501 is then 401, else 403).
unsigned rest_status(const Error& error, bool anonymous);

http::Response rest_error_response(const Error& error, bool anonymous);

// A protocol error with PostgREST's code, message, details and hint.
Error rest_error(std::string_view code, std::string message, std::string details = {},
                 std::string hint = {});

}  // namespace cscx::rest
