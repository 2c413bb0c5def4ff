// What every /api route does the same way: authenticate the caller, read
// path and query parameters, read a JSON body, run its SQL as the caller.
//
// One way of doing each of these, so the routes of every domain (customers,
// contracts, meetings, health, tasks, knowledge, agents) refuse bad input
// with the same errors and count auth failures in the same metric. The
// domain logic stays in each folder; see docs/request-path.md for the path a
// request takes and src/http/error_response.h for how an Error is answered.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "auth/principal.h"
#include "core/error.h"
#include "db/pool.h"
#include "http/metrics.h"
#include "http/request.h"
#include "http/router.h"

namespace cscx::api {

// What a route needs from the server; all outlive the router.
struct RouteContext {
  db::Pool& pool;
  const std::string& secret;  // the JWT secret
  http::Metrics& metrics;
};

// The verified caller of a request, as the database will see it.
struct Caller {
  std::shared_ptr<const auth::Principal> principal;  // never null
  db::RequestIdentity who;

  const std::string& role() const { return principal->token.role; }
  const std::string& user_id() const { return principal->token.subject; }
  bool is_service_role() const { return role() == "service_role"; }
};

// A route as a plain function of the context and the request. add_route()
// registers it under `path`, which is also its metrics/log name (a
// template such as "/api/customers/:id" keeps that low-cardinality).
using RouteFunction = boost::asio::awaitable<Result<http::Response>> (*)(
    RouteContext, const http::Request&, http::RequestLog&);
void add_route(http::Router& router, const RouteContext& context, const char* method,
               const char* path, RouteFunction function);

// Verifies the request's API key / bearer token (auth/principal.h). A
// refusal is counted in the auth-failure metric; on success the access log
// gets the user id.
[[nodiscard]] Result<Caller> authenticate(const RouteContext& context,
                                          const http::Request& request,
                                          http::RequestLog& log);

// As authenticate(), and refuses the anon role with kUnauthenticated
// ("sign in to <action>") before any SQL: anon holds no write privilege.
[[nodiscard]] Result<Caller> authenticate_user(const RouteContext& context,
                                               const http::Request& request,
                                               http::RequestLog& log,
                                               std::string_view action);

// kPermissionDenied unless the caller is service_role.
[[nodiscard]] Result<void> require_service_role(const Caller& caller,
                                                std::string_view action);

// kInvalidArgument with `message`.
Error invalid(std::string message);

// 8-4-4-4-12 hexadecimal, either case.
bool is_uuid(std::string_view text);

// The path parameter `name`, checked to be a uuid and lower-cased
// (kInvalidArgument "<name> must be a uuid" otherwise).
[[nodiscard]] Result<std::string> uuid_param(const http::Request& request,
                                             std::string_view name);

// The media type of a Content-Type value, lower-cased, without parameters
// and surrounding blanks ("" when empty).
std::string media_type(std::string_view content_type);

// Percent-decoding of a query value; '+' is a space, as forms send it.
// Malformed escapes are kept as they are.
std::string percent_decode(std::string_view text);

// The decoded value of the first `name=` in a raw query string; "" for a
// bare `name`; nullopt when absent.
std::optional<std::string> query_value(std::string_view query, std::string_view name);

// The body as a JSON object. kInvalidArgument when the Content-Type is
// present and not application/json, the body is not JSON, or not an object.
[[nodiscard]] Result<boost::json::object> json_object_body(const http::Request& request);

// Runs `statements` in one transaction as the caller and answers 200 with
// the first column of the first row of the last statement, which PostgreSQL
// built as JSON. kNotFound with `not_found` when that statement returned no
// row or NULL. `not_found` must outlive the call (a literal).
boost::asio::awaitable<Result<http::Response>> json_from_sql(
    const RouteContext& context, const Caller& caller,
    std::span<const db::Statement> statements, std::string_view not_found = "not found",
    unsigned status = 200, db::TransactionOptions options = {});

// GET of one thing by the `:id` path parameter: authenticate(), uuid_param(),
// then `sql` with the id as $1 in a read-only transaction as the caller,
// answered by json_from_sql(). RLS hiding the row is a 404 with `not_found`.
// `name` and `not_found` must outlive the call (literals).
boost::asio::awaitable<Result<http::Response>> read_by_id(const RouteContext& context,
                                                          const http::Request& request,
                                                          http::RequestLog& log,
                                                          std::string_view name, const char* sql,
                                                          std::string_view not_found);

}  // namespace cscx::api
