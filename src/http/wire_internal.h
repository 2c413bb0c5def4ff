// From bytes to a Request: the parser's limits and the translation of
// Beast's message into ours. Internal to src/http.
//
// Kept apart from connection.cpp, whose coroutines clang 14 cannot
// instrument for coverage, so that the request-path fuzzer
// (tests/fuzz/http_request_fuzz.cpp) gets coverage feedback from the code
// that turns untrusted bytes into a Request.
#pragma once

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>

#include "http/request.h"
#include "http/server.h"

namespace cscx::http::internal {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

// The server's header and body limits on a fresh parser.
void apply_limits(RequestParser& parser, const ServerOptions& options);

// Our Request from Beast's (its body is moved out). `target_ok` is false
// when the target is not an origin-form URL (then path and query stay empty).
Request make_request(BeastRequest& message, std::string remote, bool& target_ok);

}  // namespace cscx::http::internal
