#include "training/training_routes.h"

#include <boost/json/value.hpp>

#include "api/list_query.h"

namespace cscx::training {
namespace asio = boost::asio;
namespace json = boost::json;
using api::invalid;
using http::Request;
using http::RequestLog;
using http::Response;

namespace {

// Active modules by category and title; $1 category, $2 level (NULL: any).
constexpr const char* kModules =
    "SELECT coalesce(json_agg(json_build_object('id', m.id, 'title', m.title,"
    "  'description', m.description, 'duration', m.duration, 'level', m.level,"
    "  'category', m.category, 'prerequisites', m.prerequisites, 'metadata', m.metadata)"
    "  ORDER BY m.category NULLS LAST, m.title, m.id), '[]')::text"
    " FROM public.training_modules m"
    " WHERE m.is_active IS NOT FALSE"
    "   AND ($1::text IS NULL OR m.category = $1) AND ($2::text IS NULL OR m.level = $2)";

asio::awaitable<Result<Response>> modules(api::RouteContext context, const Request& request,
                                          RequestLog& log) {
  auto caller = api::authenticate_user(context, request, log, "read training modules");
  if (!caller) co_return caller.error();
  auto known = api::only_params(request.query, {"category", "level"});
  if (!known) co_return known.error();
  const db::Statement statement{"list_training_modules",
                                kModules,
                                {api::query_value(request.query, "category"),
                                 api::query_value(request.query, "level")}};
  co_return co_await api::json_from_sql(context, *caller, std::span(&statement, 1));
}

// One learner's progress on one module, checked.
struct ProgressInput {
  std::string customer_id;
  std::string stakeholder_id;
  std::string module_id;
  int progress = 0;
  std::optional<int> score;
};

Result<int> percent(const json::value& v, std::string_view field) {
  if (!v.is_int64() || v.as_int64() < 0 || v.as_int64() > 100) {
    return invalid(std::string(field) + " must be a whole number from 0 to 100");
  }
  return static_cast<int>(v.as_int64());
}

Result<void> read_progress_field(std::string_view key, const json::value& v,
                                 ProgressInput& out) {
  if (key == "customer_id" || key == "stakeholder_id" || key == "module_id") {
    if (!v.is_string() || !api::is_uuid(v.as_string())) {
      return invalid(std::string(key) + " must be a uuid");
    }
    (key == "customer_id" ? out.customer_id
     : key == "stakeholder_id" ? out.stakeholder_id
                               : out.module_id) = std::string(v.as_string());
  } else if (key == "progress") {
    auto p = percent(v, key);
    if (!p) return p.error();
    out.progress = *p;
  } else if (key == "score") {
    if (v.is_null()) return ok();
    auto s = percent(v, key);
    if (!s) return s.error();
    out.score = *s;
  } else {
    return invalid("unknown field '" + std::string(key.substr(0, 64)) +
                   "' (expected customer_id, stakeholder_id, module_id, progress, score)");
  }
  return ok();
}

Result<ProgressInput> parse_progress(const Request& request) {
  auto body = api::json_object_body(request);
  if (!body) return body.error();
  ProgressInput out;
  for (const auto& [key, value] : *body) {
    auto read = read_progress_field(key, value, out);
    if (!read) return read.error();
  }
  for (std::string_view required : {"customer_id", "stakeholder_id", "module_id", "progress"}) {
    if (!body->contains(required)) return invalid(std::string(required) + " is required");
  }
  return out;
}

// $1 customer, $2 stakeholder, $3 module, $4 progress, $5 score. One row per
// (customer, stakeholder, module): started_at is the first report above 0,
// completed_at the first report of 100 (cleared if progress drops again),
// and a report without a score keeps the last one. Writes only when the
// customer is visible, the stakeholder is its own and the module active;
// the second column names what was missing.
constexpr const char* kProgress =
    "WITH customer AS (SELECT c.id FROM public.customers c WHERE c.id = $1),"
    " learner AS (SELECT s.id FROM public.stakeholders s"
    "   WHERE s.id = $2 AND s.customer_id = $1),"
    " module AS (SELECT m.id FROM public.training_modules m"
    "   WHERE m.id = $3 AND m.is_active IS NOT FALSE),"
    " written AS ("
    "  INSERT INTO public.training_progress AS p (customer_id, stakeholder_id, module_id,"
    "    status, progress, started_at, completed_at, score)"
    "  SELECT c.id, l.id, m.id,"
    "   CASE $4::integer WHEN 0 THEN 'not_started' WHEN 100 THEN 'completed'"
    "     ELSE 'in_progress' END,"
    "   $4::integer, CASE WHEN $4::integer > 0 THEN now() END,"
    "   CASE WHEN $4::integer = 100 THEN now() END, $5::integer"
    "  FROM customer c, learner l, module m"
    "  ON CONFLICT (customer_id, stakeholder_id, module_id) DO UPDATE SET"
    "   status = excluded.status, progress = excluded.progress,"
    "   started_at = coalesce(p.started_at, excluded.started_at),"
    "   completed_at = CASE WHEN excluded.progress = 100"
    "     THEN coalesce(p.completed_at, excluded.completed_at) END,"
    "   score = coalesce(excluded.score, p.score)"
    "  RETURNING p.*)"
    " SELECT (SELECT to_json(w)::text FROM written w),"
    "  CASE WHEN NOT EXISTS (SELECT 1 FROM customer) THEN 'customer'"
    "   WHEN NOT EXISTS (SELECT 1 FROM learner) THEN 'stakeholder'"
    "   WHEN NOT EXISTS (SELECT 1 FROM module) THEN 'module' END";

asio::awaitable<Result<Response>> progress(api::RouteContext context, const Request& request,
                                           RequestLog& log) {
  auto caller = api::authenticate_user(context, request, log, "record training progress");
  if (!caller) co_return caller.error();
  auto input = parse_progress(request);
  if (!input) co_return input.error();
  const db::Statement statement{
      "record_training_progress",
      kProgress,
      {input->customer_id, input->stakeholder_id, input->module_id,
       std::to_string(input->progress),
       input->score ? std::optional<std::string>(std::to_string(*input->score))
                    : std::nullopt}};
  auto results = co_await context.pool.run_in_transaction(caller->who, std::span(&statement, 1));
  if (!results) co_return results.error();
  const db::QueryResult& row = results->back();
  if (row.rows() != 1) co_return make_error(Code::kInternal, "progress returned no row");
  if (row.is_null(0, 0)) {
    const std::string_view missing = row.value(0, 1);
    if (missing == "customer") co_return make_error(Code::kNotFound, "customer not found");
    if (missing == "stakeholder") {
      co_return invalid("stakeholder_id is not a stakeholder of the customer");
    }
    co_return invalid("module_id is not an active training module");
  }
  co_return Response::json(200, std::string(row.value(0, 0)));
}

// A customer's adoption: its stakeholders' progress over the active modules.
// adoption_score is round(avg(progress)) over its progress rows, 0 without
// any: update_health_score()'s adoption part.
constexpr const char* kAdoption =
    "WITH p AS (SELECT tp.* FROM public.training_progress tp WHERE tp.customer_id = $1),"
    " m AS (SELECT id, title FROM public.training_modules WHERE is_active IS NOT FALSE),"
    " s AS (SELECT id, name FROM public.stakeholders WHERE customer_id = $1)"
    " SELECT json_build_object("
    "  'customer_id', c.id, 'customer_name', c.name,"
    "  'adoption_score', (SELECT round(coalesce(avg(progress), 0))::integer FROM p),"
    "  'modules_available', (SELECT count(*) FROM m),"
    "  'stakeholders', (SELECT count(*) FROM s),"
    "  'learners', (SELECT count(DISTINCT stakeholder_id) FROM p),"
    "  'records', (SELECT count(*) FROM p),"
    "  'completed', (SELECT count(*) FROM p WHERE progress = 100),"
    "  'in_progress', (SELECT count(*) FROM p WHERE progress > 0 AND progress < 100),"
    "  'average_score', (SELECT round(avg(score), 1) FROM p),"
    "  'completion_rate', (SELECT CASE WHEN (SELECT count(*) FROM m) * (SELECT count(*) FROM s) > 0"
    "     THEN round(count(*) FILTER (WHERE p.progress = 100 AND p.module_id IN (SELECT id FROM m))"
    "       ::numeric / ((SELECT count(*) FROM m) * (SELECT count(*) FROM s)), 4) END FROM p),"
    "  'last_activity', (SELECT max(coalesce(updated_at, created_at)) FROM p),"
    "  'by_module', coalesce((SELECT json_agg(json_build_object('module_id', m.id,"
    "     'title', m.title, 'learners', x.learners, 'completed', x.completed,"
    "     'average_progress', x.average) ORDER BY m.title, m.id)"
    "   FROM m CROSS JOIN LATERAL (SELECT count(*) AS learners,"
    "     count(*) FILTER (WHERE progress = 100) AS completed,"
    "     round(coalesce(avg(progress), 0), 1) AS average FROM p WHERE p.module_id = m.id) x),"
    "   '[]'),"
    "  'by_stakeholder', coalesce((SELECT json_agg(json_build_object('stakeholder_id', s.id,"
    "     'name', s.name, 'modules', x.modules, 'completed', x.completed,"
    "     'average_progress', x.average) ORDER BY s.name, s.id)"
    "   FROM s CROSS JOIN LATERAL (SELECT count(*) AS modules,"
    "     count(*) FILTER (WHERE progress = 100) AS completed,"
    "     round(coalesce(avg(progress), 0), 1) AS average FROM p WHERE p.stakeholder_id = s.id) x),"
    "   '[]'))::text"
    " FROM public.customers c WHERE c.id = $1";

asio::awaitable<Result<Response>> adoption(api::RouteContext context, const Request& request,
                                           RequestLog& log) {
  co_return co_await api::read_by_id(context, request, log, "customer_adoption", kAdoption,
                                     "customer not found");
}

}  // namespace

void add_training_routes(http::Router& router, const api::RouteContext& context) {
  api::add_route(router, context, "GET", "/api/training/modules", modules);
  api::add_route(router, context, "POST", "/api/training/progress", progress);
  api::add_route(router, context, "GET", "/api/customers/:id/adoption", adoption);
}

}  // namespace cscx::training
