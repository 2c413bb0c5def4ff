// The request and response values a handler sees, and the Handler type.
//
// Beast types stop at src/http: the server parses the wire format into a
// Request, calls the route's Handler, and writes the Response it returns (or
// turns its Error into the JSON error body, see error_response.h). Handlers
// are Asio coroutines on the connection's strand; they may co_await anything
// (the database pool included) and must not block the thread.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace cscx::http {

// A parsed request. Owned by the connection; valid while the handler runs.
struct Request {
  std::string method;  // "GET", as sent (methods are case-sensitive)
  std::string target;  // raw target, "/rest/v1/customers?select=*"
  std::string path;    // percent-decoded path, "/rest/v1/customers"
  std::string query;   // raw query without '?', "" when none
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string remote_address;  // the peer's IP address as text
  std::string request_id;      // see choose_request_id()
  // The route template's parameters ("/api/customers/:id" -> {"id", …}),
  // percent-decoded; set by the router before the handler runs.
  std::vector<std::pair<std::string, std::string>> path_params;

  // The value of the first header named `lower_name` (lower case), if any.
  std::optional<std::string_view> header(std::string_view lower_name) const;

  // The path parameter `name` of the matched route template ("" when the
  // route has none of that name).
  std::string_view path_param(std::string_view name) const;
};

// What a handler answers. The server adds X-Request-Id and the CORS headers;
// for 1xx, 204 and 304 it drops the body and the Content-Type, and for HEAD
// it sends the headers only (Content-Length still counts the body). The
// server owns Content-Length, Transfer-Encoding, Connection and X-Request-Id:
// a handler's copies are ignored. A header whose name is not a token or whose
// value holds CR, LF or NUL is dropped (and logged). A status outside
// 100..599 becomes a 500.
struct Response {
  unsigned status = 200;
  std::string content_type = "application/json; charset=utf-8";  // "" = none
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  static Response json(unsigned status, std::string body);
};

// What a handler may tell the access log. The router fills `route` before
// the handler runs; a handler may refine it (keep it low-cardinality: it is a
// metrics label) and sets `user_id` once it knows who is asking.
struct RequestLog {
  std::string user_id;
  std::string route;
};

// A route's handler. An Error result becomes error_response(); an exception
// becomes a 500 and an error log line, and the connection keeps serving.
using Handler =
    std::function<boost::asio::awaitable<Result<Response>>(const Request&, RequestLog&)>;

// True when `id` may be used as a request id: 1 to 128 characters of
// [A-Za-z0-9._-]. Anything else (it ends up in logs and headers) is refused.
bool is_sane_request_id(std::string_view id);

// A fresh id in the UUID v4 format (8-4-4-4-12 lower-case hex), random.
// Thread-safe.
std::string generate_request_id();

// The X-Request-Id value when it is sane, else a generated one.
std::string choose_request_id(std::optional<std::string_view> header_value);

}  // namespace cscx::http
