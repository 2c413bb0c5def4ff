// GET /api/tasks and PATCH /api/tasks/:id: the tasks of the caller's
// customers (RLS), opened by hand, by an agent, or by the health rules.
#include <array>
#include <string>

#include "health/health_routes.h"

namespace cscx::health::internal {
namespace asio = boost::asio;
using api::invalid;
using http::Request;
using http::RequestLog;
using http::Response;

namespace {

// Filters, each NULL when absent: $1 mine (owner is the caller), $2
// customer, $3 status, $4 due on or before. Open tasks first, then by due
// date; at most 200.
constexpr const char* kListTasks =
    "SELECT coalesce(json_agg(t ORDER BY t.status <> 'open', t.due_date NULLS LAST, "
    "t.created_at, t.id), '[]')::text FROM ("
    "  SELECT tk.*, c.name AS customer_name FROM public.tasks tk"
    "  JOIN public.customers c ON c.id = tk.customer_id"
    "  WHERE ($1::boolean IS NOT TRUE OR tk.owner = auth.uid())"
    "    AND ($2::uuid IS NULL OR tk.customer_id = $2::uuid)"
    "    AND ($3::text IS NULL OR tk.status = $3)"
    "    AND ($4::date IS NULL OR tk.due_date <= $4::date)"
    "  ORDER BY tk.status <> 'open', tk.due_date NULLS LAST, tk.created_at, tk.id"
    "  LIMIT 200) t";

// Each field: $n::boolean says whether it is set, the next parameter is its
// value. closed_at follows status. RLS hides other CSMs' tasks: no row, 404.
constexpr const char* kPatchTask =
    "UPDATE public.tasks SET"
    "  title = CASE WHEN $2::boolean THEN $3 ELSE title END,"
    "  status = CASE WHEN $4::boolean THEN $5 ELSE status END,"
    "  closed_at = CASE WHEN NOT $4::boolean THEN closed_at"
    "                   WHEN $5 = 'open' THEN NULL ELSE coalesce(closed_at, now()) END,"
    "  note = CASE WHEN $6::boolean THEN $7 ELSE note END,"
    "  due_date = CASE WHEN $8::boolean THEN $9::date ELSE due_date END,"
    "  owner = CASE WHEN $10::boolean THEN $11::uuid ELSE owner END"
    " WHERE id = $1::uuid RETURNING row_to_json(tasks)::text";

bool is_status(std::string_view s) { return s == "open" || s == "done" || s == "dismissed"; }

// YYYY-MM-DD by shape; PostgreSQL refuses impossible dates (also a 400).
bool is_iso_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

Result<std::vector<db::Param>> list_filters(const Request& request) {
  std::vector<db::Param> params(4);
  if (auto mine = api::query_value(request.query, "mine")) {
    if (!mine->empty() && *mine != "true" && *mine != "false") {
      return invalid("mine must be true or false");
    }
    params[0] = *mine == "false" ? "false" : "true";
  }
  if (auto customer = api::query_value(request.query, "customer")) {
    if (!api::is_uuid(*customer)) return invalid("customer must be a uuid");
    params[1] = *customer;
  }
  if (auto status = api::query_value(request.query, "status")) {
    if (*status != "all" && !is_status(*status)) {
      return invalid("status must be open, done, dismissed or all");
    }
    if (*status != "all") params[2] = *status;
  } else {
    params[2] = "open";
  }
  if (auto due = api::query_value(request.query, "due")) {
    if (!is_iso_date(*due)) return invalid("due must be a date as YYYY-MM-DD");
    params[3] = *due;
  }
  return params;
}

// One optional field of the PATCH body: whether it was given and its value
// (nullopt for JSON null where null is allowed).
struct Field {
  bool set = false;
  db::Param value;
};

Result<std::vector<db::Param>> patch_params(const Request& request) {
  auto id = api::uuid_param(request, "id");
  if (!id) return id.error();
  auto body = api::json_object_body(request);
  if (!body) return body.error();
  Field title, status, note, due_date, owner;
  for (const auto& [key, value] : *body) {
    const bool is_null = value.is_null();
    const std::string text = value.is_string() ? std::string(value.as_string()) : "";
    if (key == "title") {
      if (!value.is_string() || text.find_first_not_of(" \t") == std::string::npos) {
        return invalid("title must be a non-empty string");
      }
      title = {true, text};
    } else if (key == "status") {
      if (!value.is_string() || !is_status(text)) {
        return invalid("status must be open, done or dismissed");
      }
      status = {true, text};
    } else if (key == "note") {
      if (!value.is_string() && !is_null) return invalid("note must be a string or null");
      note = {true, is_null ? db::Param() : text};
    } else if (key == "due_date") {
      if (!is_null && !(value.is_string() && is_iso_date(text))) {
        return invalid("due_date must be a date as YYYY-MM-DD or null");
      }
      due_date = {true, is_null ? db::Param() : text};
    } else if (key == "owner") {
      if (!is_null && !(value.is_string() && api::is_uuid(text))) {
        return invalid("owner must be a user id (uuid) or null");
      }
      owner = {true, is_null ? db::Param() : text};
    } else {
      return invalid("unknown field '" + std::string(key.substr(0, 64)) +
                     "' (expected title, status, note, due_date, owner)");
    }
  }
  if (!title.set && !status.set && !note.set && !due_date.set && !owner.set) {
    return invalid("nothing to change: give title, status, note, due_date or owner");
  }
  std::vector<db::Param> params{std::move(*id)};
  for (Field* f : {&title, &status, &note, &due_date, &owner}) {
    params.emplace_back(f->set ? "true" : "false");
    params.push_back(std::move(f->value));
  }
  return params;
}

}  // namespace

void add_task_routes(http::Router& router, const api::RouteContext& context) {
  router.add("GET", "/api/tasks", "/api/tasks",
             [context](const Request& request,
                       RequestLog& log) -> asio::awaitable<Result<Response>> {
               auto caller = api::authenticate_user(context, request, log, "list tasks");
               if (!caller) co_return caller.error();
               auto params = list_filters(request);
               if (!params) co_return params.error();
               const db::Statement statement{"list_tasks", kListTasks, std::move(*params)};
               co_return co_await api::json_from_sql(context, *caller,
                                                     std::span(&statement, 1));
             });
  router.add("PATCH", "/api/tasks/:id", "/api/tasks/:id",
             [context](const Request& request,
                       RequestLog& log) -> asio::awaitable<Result<Response>> {
               auto caller = api::authenticate_user(context, request, log, "change a task");
               if (!caller) co_return caller.error();
               auto params = patch_params(request);
               if (!params) co_return params.error();
               const db::Statement statement{"patch_task", kPatchTask, std::move(*params)};
               co_return co_await api::json_from_sql(context, *caller,
                                                     std::span(&statement, 1),
                                                     "task not found");
             });
}

}  // namespace cscx::health::internal
