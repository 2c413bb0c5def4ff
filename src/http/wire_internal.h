// From bytes to a Request and from a Response to bytes: the parser's
// limits, the translation of Beast's message into ours, and the response's
// status line and header block. Internal to src/http.
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

// What goes on the wire for a response, apart from its body.
struct ResponseHead {
  bool send_body = false;    // false for HEAD, 1xx, 204 and 304
  std::string dropped;       // why a handler's header was left out, for the log
};

// Appends the status line and header block of `response` to `out`, byte for
// byte what Beast's serializer writes for the same message (tested against
// it): the handler's headers in order, minus the framing ones the server
// owns (Content-Length, Transfer-Encoding, Connection, X-Request-Id) and any
// that could break the stream or be refused by a strict peer (a name that is
// not a token, a control character other than tab in a value); values
// without surrounding spaces and tabs; then X-Request-Id, Content-Type and
// Content-Length when a body is allowed (for HEAD, the length a GET would
// get), and Connection as `keep_alive` and the HTTP version need it.
// `response.status` must be 100-599.
ResponseHead append_response_head(std::string& out, unsigned version, const Response& response,
                                  std::string_view request_id, bool head_request,
                                  bool keep_alive);

}  // namespace cscx::http::internal
