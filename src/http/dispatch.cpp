#include <exception>

#include "http/dispatch_internal.h"
#include "http/error_response.h"

namespace cscx::http::internal {
namespace {

// Runs the handler; any exception becomes a 500 whose text goes to the log
// only. Handler bugs must never take a connection (or the server) down.
boost::asio::awaitable<Outcome> call_handler(const Handler& handler,
                                             const Request& request, RequestLog& log) {
  Outcome outcome;
  std::string exception_text;
  try {
    Result<Response> result = co_await handler(request, log);
    if (result) {
      outcome.response = std::move(*result);
    } else {
      outcome.response = error_response(result.error(), request.request_id);
      outcome.error = result.error().to_string();
    }
    co_return outcome;
  } catch (const std::exception& e) {
    exception_text = std::string("exception: ") + e.what();
  } catch (...) {
    exception_text = "exception of unknown type";
  }
  outcome.response =
      error_response(make_error(Code::kInternal, "internal error"), request.request_id);
  outcome.error = std::move(exception_text);
  co_return outcome;
}

}  // namespace

boost::asio::awaitable<Outcome> respond(const ServerContext& context,
                                        Request& request, RequestLog& log) {
  if (CorsPolicy::is_preflight(request)) {
    log.route = kPreflightRoute;
    co_return Outcome{context.cors.preflight(request), {}};
  }
  Outcome outcome;
  RouteMatch match = context.router.match(request.method, request.path);
  if (match.handler == nullptr) {
    if (match.status == 405) {
      log.route = match.route;
      outcome.response = status_response(
          405, "method_not_allowed",
          "method " + request.method + " is not allowed on " + request.path,
          request.request_id);
      outcome.response.headers.emplace_back("Allow", match.allow);
    } else {
      log.route = kUnroutedRoute;
      outcome.response =
          error_response(make_error(Code::kNotFound, "no route for " + request.method +
                                                         " " + request.path),
                         request.request_id);
    }
  } else {
    log.route = match.route;
    for (const auto& [name, value] : match.params) {
      request.path_params.emplace_back(name, value);
    }
    outcome = co_await call_handler(*match.handler, request, log);
  }
  context.cors.add_headers(request, outcome.response);
  co_return outcome;
}

}  // namespace cscx::http::internal
