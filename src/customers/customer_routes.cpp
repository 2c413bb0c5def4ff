#include "customers/customer_routes.h"

#include "api/route_support.h"

namespace cscx::customers {
namespace asio = boost::asio;
using http::Request;
using http::RequestLog;
using http::Response;

namespace {

// The caller's first 20 customers by name; PostgreSQL builds the JSON, RLS
// decides which rows (served by the customers(csm_id, name) index).
constexpr const char* kListCustomers =
    "SELECT coalesce(json_agg(c), '[]')::text FROM ("
    "  SELECT id, name, arr, industry, stage, health_score, csm_id, updated_at"
    "  FROM public.customers ORDER BY name, id LIMIT 20) c";

}  // namespace

void add_customer_routes(http::Router& router, const api::RouteContext& context) {
  router.add(
      "GET", "/api/customers", "/api/customers",
      [context](const Request& request,
                RequestLog& log) -> asio::awaitable<Result<Response>> {
        auto caller = api::authenticate(context, request, log);
        if (!caller) co_return caller.error();
        const db::Statement list{"list_customers", kListCustomers, {}};
        co_return co_await api::json_from_sql(context, *caller, std::span(&list, 1));
      });
}

}  // namespace cscx::customers
