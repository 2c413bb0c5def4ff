// From a parsed Request to its Response, without sockets: CORS preflight,
// routing (404/405), the handler call with its errors and exceptions, and the
// CORS headers. Internal to src/http; the connection calls it per request.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>
#include <string_view>

#include "http/cors.h"
#include "http/metrics.h"
#include "http/request.h"
#include "http/router.h"

namespace spdlog {
class logger;
}

namespace cscx::http {
struct ServerOptions;
}

namespace cscx::http::internal {

// Route names of requests that reach no handler (metrics labels).
inline constexpr std::string_view kUnroutedRoute = "(unrouted)";
inline constexpr std::string_view kPreflightRoute = "(preflight)";

// What every connection of one server shares. Owned by the server, which
// outlives every connection.
struct ServerContext {
  const ServerOptions& options;
  const Router& router;
  const CorsPolicy& cors;
  Metrics& metrics;
  spdlog::logger& logger;
};

struct Outcome {
  Response response;
  std::string error;  // for the access log: Error::to_string() or the exception
};

// Answers `request`; fills log.route and request.path_params. Never
// throws: a handler's exception is a 500 (its text in Outcome::error). Adds the CORS headers; the caller adds
// X-Request-Id.
boost::asio::awaitable<Outcome> respond(const ServerContext& context,
                                        Request& request, RequestLog& log);

}  // namespace cscx::http::internal
