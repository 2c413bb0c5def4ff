#include "customers/customer_routes.h"

#include "api/list_query.h"
#include "api/route_support.h"
#include "customers/customer_internal.h"

namespace cscx::customers {
namespace asio = boost::asio;
using http::Request;
using http::RequestLog;
using http::Response;

namespace {

constexpr std::string_view kNotFound = "customer not found";

// The caller's user id for the csm_id checks; empty for service_role.
std::string_view self(const api::Caller& caller) {
  return caller.is_service_role() ? std::string_view() : caller.user_id();
}

asio::awaitable<Result<Response>> list(api::RouteContext context, const Request& request,
                                       RequestLog& log) {
  auto caller = api::authenticate(context, request, log);
  if (!caller) co_return caller.error();
  std::string scope;
  auto statement = internal::list_statement(request.query, scope);
  if (!statement) co_return statement.error();
  co_return co_await api::json_page_from_sql(context, *caller, std::span(&*statement, 1),
                                             scope);
}

asio::awaitable<Result<Response>> create(api::RouteContext context, const Request& request,
                                         RequestLog& log) {
  auto caller = api::authenticate_user(context, request, log, "create a customer");
  if (!caller) co_return caller.error();
  auto body = api::json_object_body(request);
  if (!body) co_return body.error();
  auto statement = internal::create_statement(*body, self(*caller));
  if (!statement) co_return statement.error();
  co_return co_await api::json_from_sql(context, *caller, std::span(&*statement, 1), kNotFound,
                                        201);
}

asio::awaitable<Result<Response>> detail(api::RouteContext context, const Request& request,
                                         RequestLog& log) {
  co_return co_await api::read_by_id(context, request, log, "customer_detail",
                                     internal::kDetailSql, kNotFound);
}

asio::awaitable<Result<Response>> update(api::RouteContext context, const Request& request,
                                         RequestLog& log) {
  auto caller = api::authenticate_user(context, request, log, "change a customer");
  if (!caller) co_return caller.error();
  auto id = api::uuid_param(request, "id");
  if (!id) co_return id.error();
  auto body = api::json_object_body(request);
  if (!body) co_return body.error();
  auto statement = internal::update_statement(*id, *body, self(*caller));
  if (!statement) co_return statement.error();
  co_return co_await api::json_from_sql(context, *caller, std::span(&*statement, 1), kNotFound);
}

asio::awaitable<Result<Response>> remove(api::RouteContext context, const Request& request,
                                         RequestLog& log) {
  auto caller = api::authenticate_user(context, request, log, "delete a customer");
  if (!caller) co_return caller.error();
  auto id = api::uuid_param(request, "id");
  if (!id) co_return id.error();
  auto known = api::only_params(request.query, {"hard"});
  if (!known) co_return known.error();
  const std::optional<std::string> hard = api::query_value(request.query, "hard");
  if (hard && *hard != "true" && *hard != "false") {
    co_return api::invalid("hard must be true or false");
  }
  const bool hard_delete = hard == "true";
  if (hard_delete) {
    auto allowed = api::require_service_role(*caller, "delete a customer for good (hard=true)");
    if (!allowed) co_return allowed.error();
  }
  const db::Statement statement = internal::delete_statement(*id, hard_delete);
  co_return co_await api::json_from_sql(context, *caller, std::span(&statement, 1), kNotFound);
}

asio::awaitable<Result<Response>> timeline(api::RouteContext context, const Request& request,
                                           RequestLog& log) {
  auto caller = api::authenticate(context, request, log);
  if (!caller) co_return caller.error();
  auto id = api::uuid_param(request, "id");
  if (!id) co_return id.error();
  auto statement = internal::timeline_statement(*id, request.query);
  if (!statement) co_return statement.error();
  co_return co_await api::json_page_from_sql(context, *caller, std::span(&*statement, 1),
                                             internal::kTimelineScope, kNotFound);
}

}  // namespace

void add_customer_routes(http::Router& router, const api::RouteContext& context) {
  api::add_route(router, context, "GET", "/api/customers", list);
  api::add_route(router, context, "POST", "/api/customers", create);
  api::add_route(router, context, "GET", "/api/customers/:id", detail);
  api::add_route(router, context, "PATCH", "/api/customers/:id", update);
  api::add_route(router, context, "DELETE", "/api/customers/:id", remove);
  api::add_route(router, context, "GET", "/api/customers/:id/timeline", timeline);
}

}  // namespace cscx::customers
