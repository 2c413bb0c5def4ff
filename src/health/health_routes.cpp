#include "health/health_routes.h"

#include <boost/json/serialize.hpp>
#include <string>

namespace cscx::health {
namespace asio = boost::asio;
namespace json = boost::json;
using api::invalid;
using http::Request;
using http::RequestLog;
using http::Response;

namespace {

constexpr const char* kCustomerHealth = "SELECT cscx_health.customer_health($1::uuid)::text";
constexpr const char* kPortfolio = "SELECT cscx_health.portfolio()::text";
constexpr const char* kRefresh = "SELECT cscx_health.refresh()::text";
constexpr const char* kPutScorecard = "SELECT cscx_health.put_scorecard($1::jsonb)::text";
constexpr const char* kSetOverride =
    "SELECT cscx_health.set_override($1::uuid, $2::integer, $3, $4::timestamptz)::text";
constexpr const char* kClearOverride = "SELECT cscx_health.clear_override($1::uuid)::text";
constexpr const char* kGetScorecard =
    "SELECT json_build_object("
    "  'current', (SELECT row_to_json(s) FROM public.health_scorecards s"
    "              ORDER BY version DESC LIMIT 1),"
    "  'versions', (SELECT json_agg(s ORDER BY version DESC) FROM public.health_scorecards s)"
    ")::text";


struct Override {
  std::string customer_id;
  int score = 0;
  std::string reason;
  std::string expires_at;
};

// {"score": 0-100, "reason": non-empty string, "expires_at": timestamp}; the
// first problem is the error. The expiry's syntax and its being in the
// future are checked by PostgreSQL (a 400 as well).
Result<Override> parse_override(const Request& request) {
  Override o;
  auto id = api::uuid_param(request, "id");
  if (!id) return id.error();
  o.customer_id = std::move(*id);
  auto body = api::json_object_body(request);
  if (!body) return body.error();
  bool has_score = false;
  for (const auto& [key, value] : *body) {
    if (key == "score") {
      if (!value.is_int64() || value.as_int64() < 0 || value.as_int64() > 100) {
        return invalid("score must be a whole number from 0 to 100");
      }
      o.score = static_cast<int>(value.as_int64());
      has_score = true;
    } else if (key == "reason") {
      if (!value.is_string()) return invalid("reason must be a string");
      o.reason = std::string(value.as_string());
    } else if (key == "expires_at") {
      if (!value.is_string()) return invalid("expires_at must be a timestamp string");
      o.expires_at = std::string(value.as_string());
    } else {
      return invalid("unknown field '" + std::string(key.substr(0, 64)) +
                     "' (expected score, reason, expires_at)");
    }
  }
  if (!has_score) return invalid("score is required");
  if (o.reason.find_first_not_of(" \t\r\n") == std::string::npos) {
    return invalid("reason is required");
  }
  if (o.expires_at.empty()) return invalid("expires_at is required");
  return o;
}

void add_override_routes(http::Router& router, const api::RouteContext& context) {
  router.add(
      "POST", "/api/customers/:id/health/override", "/api/customers/:id/health/override",
      [context](const Request& request, RequestLog& log) -> asio::awaitable<Result<Response>> {
        auto caller = api::authenticate_user(context, request, log, "override a health score");
        if (!caller) co_return caller.error();
        auto o = parse_override(request);
        if (!o) co_return o.error();
        const db::Statement statement{
            "set_health_override",
            kSetOverride,
            {o->customer_id, std::to_string(o->score), o->reason, o->expires_at}};
        co_return co_await api::json_from_sql(context, *caller, std::span(&statement, 1),
                                              "customer not found");
      });
  router.add("DELETE", "/api/customers/:id/health/override",
             "/api/customers/:id/health/override",
             [context](const Request& request,
                       RequestLog& log) -> asio::awaitable<Result<Response>> {
               auto caller =
                   api::authenticate_user(context, request, log, "clear a health override");
               if (!caller) co_return caller.error();
               auto id = api::uuid_param(request, "id");
               if (!id) co_return id.error();
               const db::Statement statement{"clear_health_override", kClearOverride,
                                             {std::move(*id)}};
               co_return co_await api::json_from_sql(context, *caller,
                                                     std::span(&statement, 1),
                                                     "customer not found");
             });
}

void add_scorecard_routes(http::Router& router, const api::RouteContext& context) {
  router.add("GET", "/api/scorecard", "/api/scorecard",
             [context](const Request& request,
                       RequestLog& log) -> asio::awaitable<Result<Response>> {
               auto caller = api::authenticate_user(context, request, log, "read the scorecard");
               if (!caller) co_return caller.error();
               const db::Statement statement{"get_scorecard", kGetScorecard, {}};
               co_return co_await api::json_from_sql(context, *caller,
                                                     std::span(&statement, 1));
             });
  router.add(
      "PUT", "/api/scorecard", "/api/scorecard",
      [context](const Request& request, RequestLog& log) -> asio::awaitable<Result<Response>> {
        auto caller = api::authenticate(context, request, log);
        if (!caller) co_return caller.error();
        if (auto allowed = api::require_service_role(*caller, "change the scorecard"); !allowed) {
          co_return allowed.error();
        }
        // Parsed here so that a body that is not a JSON object is a 400
        // before any SQL; the fields are validated by put_scorecard.
        auto body = api::json_object_body(request);
        if (!body) co_return body.error();
        const db::Statement statement{"put_scorecard", kPutScorecard,
                                      {json::serialize(*body)}};
        co_return co_await api::json_from_sql(context, *caller, std::span(&statement, 1));
      });
}

}  // namespace

void add_health_api_routes(http::Router& router, const api::RouteContext& context) {
  router.add("GET", "/api/customers/:id/health", "/api/customers/:id/health",
             [context](const Request& request,
                       RequestLog& log) -> asio::awaitable<Result<Response>> {
               // customer_health() is STABLE: read-only; NULL (RLS) is a 404.
               co_return co_await api::read_by_id(context, request, log, "customer_health",
                                                  kCustomerHealth, "customer not found");
             });
  add_override_routes(router, context);
  router.add("GET", "/api/health/portfolio", "/api/health/portfolio",
             [context](const Request& request,
                       RequestLog& log) -> asio::awaitable<Result<Response>> {
               auto caller = api::authenticate_user(context, request, log, "read a portfolio");
               if (!caller) co_return caller.error();
               const db::Statement statement{"health_portfolio", kPortfolio, {}};
               co_return co_await api::json_from_sql(context, *caller,
                                                     std::span(&statement, 1));
             });
  router.add("POST", "/api/health/refresh", "/api/health/refresh",
             [context](const Request& request,
                       RequestLog& log) -> asio::awaitable<Result<Response>> {
               auto caller = api::authenticate(context, request, log);
               if (!caller) co_return caller.error();
               if (auto allowed = api::require_service_role(*caller, "refresh health scores");
                   !allowed) {
                 co_return allowed.error();
               }
               const db::Statement statement{"health_refresh", kRefresh, {}};
               co_return co_await api::json_from_sql(context, *caller,
                                                     std::span(&statement, 1));
             });
  add_scorecard_routes(router, context);
  internal::add_task_routes(router, context);
}

}  // namespace cscx::health
