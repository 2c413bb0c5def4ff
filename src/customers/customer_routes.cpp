#include "customers/customer_routes.h"

#include "auth/principal.h"

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

void add_customer_routes(http::Router& router, db::Pool& pool, const std::string& secret,
                         http::Metrics& metrics) {
  router.add(
      "GET", "/api/customers", "/api/customers",
      [&pool, &secret, &metrics](const Request& request,
                                 RequestLog& log) -> asio::awaitable<Result<Response>> {
        auto principal = auth::authenticate(request, secret, auth::unix_now());
        if (!principal) {
          metrics.count_auth_failure();
          co_return principal.error();
        }
        log.user_id = principal->token.subject;
        const db::RequestIdentity who = auth::request_identity(*principal, request);
        const db::Statement list{"list_customers", kListCustomers, {}};
        auto rows = co_await pool.run_in_transaction(who, std::span(&list, 1));
        if (!rows) co_return rows.error();
        co_return Response::json(200, std::string((*rows)[0].value(0, 0)));
      });
}

}  // namespace cscx::customers
