#include "meetings/meeting_routes.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <regex>
#include <set>

#include "api/list_query.h"
#include "meetings/icalendar.h"
#include "meetings/meeting_schedule.h"

namespace cscx::meetings {
namespace asio = boost::asio;
namespace json = boost::json;
using api::invalid;
using http::Request;
using http::RequestLog;
using http::Response;

namespace {

using ScheduleRequest = MeetingToSchedule;

bool is_date_time(const std::string& text) {
  static const std::regex kDateTime(
      R"(\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:\d{2}))");
  return std::regex_match(text, kDateTime);
}

Result<std::string> text_field(const json::value& v, std::string_view field, std::size_t max,
                               bool required_content) {
  if (!v.is_string()) return invalid(std::string(field) + " must be a string");
  std::string s(v.as_string());
  if (s.size() > max) {
    return invalid(std::string(field) + " is longer than " + std::to_string(max) +
                   " characters");
  }
  if (required_content && s.find_first_not_of(" \t\r\n") == std::string::npos) {
    return invalid(std::string(field) + " must not be empty");
  }
  return s;
}

Result<std::vector<std::string>> attendee_ids(const json::value& v) {
  const Error bad = invalid("attendees must be an array of stakeholder ids (uuids)");
  if (!v.is_array()) return bad;
  if (v.as_array().size() > 100) return invalid("attendees holds more than 100 ids");
  std::vector<std::string> ids;
  std::set<std::string> seen;
  for (const json::value& item : v.as_array()) {
    if (!item.is_string() || !api::is_uuid(item.as_string())) return bad;
    std::string id(item.as_string());
    for (char& c : id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (seen.insert(id).second) ids.push_back(std::move(id));
  }
  return ids;
}

Result<void> read_schedule_field(std::string_view key, const json::value& v,
                                 ScheduleRequest& out) {
  if (key == "customer_id") {
    if (!v.is_string() || !api::is_uuid(v.as_string())) {
      return invalid("customer_id must be a uuid");
    }
    out.customer_id = std::string(v.as_string());
  } else if (key == "title") {
    auto title = text_field(v, key, 200, true);
    if (!title) return title.error();
    out.title = std::move(*title);
  } else if (key == "scheduled_at") {
    if (!v.is_string() || !is_date_time(std::string(v.as_string()))) {
      return invalid("scheduled_at must be an RFC 3339 date-time with Z or an offset");
    }
    out.scheduled_at = std::string(v.as_string());
  } else if (key == "duration") {
    if (!v.is_int64() || v.as_int64() < 1 || v.as_int64() > 1440) {
      return invalid("duration must be a whole number of minutes from 1 to 1440");
    }
    out.duration = static_cast<int>(v.as_int64());
  } else if (key == "attendees") {
    auto ids = attendee_ids(v);
    if (!ids) return ids.error();
    out.attendees = std::move(*ids);
  } else if (key == "description" || key == "meeting_url") {
    if (v.is_null()) return ok();
    auto text = text_field(v, key, key == "description" ? 10000 : 2000, false);
    if (!text) return text.error();
    (key == "description" ? out.description : out.meeting_url) = std::move(*text);
  } else {
    return invalid("unknown field '" + std::string(key.substr(0, 64)) +
                   "' (expected customer_id, title, scheduled_at, duration, attendees, "
                   "description, meeting_url)");
  }
  return ok();
}

Result<ScheduleRequest> parse_schedule(const Request& request) {
  auto body = api::json_object_body(request);
  if (!body) return body.error();
  return parse_meeting_to_schedule(*body);
}

asio::awaitable<Result<Response>> schedule(api::RouteContext context, const Request& request,
                                           RequestLog& log) {
  auto caller = api::authenticate_user(context, request, log, "schedule a meeting");
  if (!caller) co_return caller.error();
  auto input = parse_schedule(request);
  if (!input) co_return input.error();
  const db::Statement statement = schedule_meeting_statement(*input);
  auto results = co_await context.pool.run_in_transaction(caller->who, std::span(&statement, 1));
  if (!results) co_return results.error();
  const db::QueryResult& row = results->back();
  if (row.rows() != 1) co_return make_error(Code::kInternal, "schedule_meeting returned no row");
  if (row.is_null(0, 0)) {
    if (row.value(0, 1) == "customer") co_return make_error(Code::kNotFound, "customer not found");
    co_return invalid("attendees must be stakeholders of the customer; not: " +
                      std::string(row.value(0, 1)));
  }
  co_return Response::json(201, std::string(row.value(0, 0)));
}

// The meeting as the calendar file needs it, times in UTC basic form. A
// meeting without a duration lasts 30 minutes.
constexpr const char* kCalendarEvent =
    "SELECT json_build_object('id', m.id, 'title', m.title, 'description', m.description,"
    " 'status', m.status, 'url', m.meeting_url, 'attendees', m.attendees,"
    " 'start', to_char(m.scheduled_at AT TIME ZONE 'UTC', 'YYYYMMDD\"T\"HH24MISS\"Z\"'),"
    " 'end', to_char((m.scheduled_at + make_interval(mins => coalesce(m.duration, 30)))"
    "   AT TIME ZONE 'UTC', 'YYYYMMDD\"T\"HH24MISS\"Z\"'),"
    " 'stamp', to_char(now() AT TIME ZONE 'UTC', 'YYYYMMDD\"T\"HH24MISS\"Z\"'))::text"
    " FROM public.meetings m WHERE m.id = $1";

std::string string_at(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// meetings.attendees holds objects from /schedule ({stakeholder_id, name,
// email}) or, in older rows, plain strings (an email, or a name).
CalendarAttendee attendee(const json::value& v) {
  CalendarAttendee a;
  if (v.is_string()) {
    std::string s(v.as_string());
    (s.find('@') != std::string::npos ? a.email : a.name) = s;
  } else if (v.is_object()) {
    a.name = string_at(v.as_object(), "name");
    a.email = string_at(v.as_object(), "email");
    const std::string id = string_at(v.as_object(), "stakeholder_id");
    if (!id.empty()) a.uri = "urn:uuid:" + id;
  }
  return a;
}

Result<CalendarEvent> calendar_event(std::string_view row) {
  boost::system::error_code ec;
  const json::value v = json::parse(row, ec);
  if (ec || !v.is_object()) return make_error(Code::kInternal, "meeting row is not JSON");
  const json::object& m = v.as_object();
  CalendarEvent event;
  event.start = string_at(m, "start");
  if (event.start.empty()) {
    return make_error(Code::kFailedPrecondition, "the meeting has no scheduled time yet");
  }
  event.uid = string_at(m, "id") + "@cscx";
  event.stamp = string_at(m, "stamp");
  event.end = string_at(m, "end");
  event.summary = string_at(m, "title");
  event.description = string_at(m, "description");
  event.location = string_at(m, "url");
  event.cancelled = string_at(m, "status") == "cancelled";
  if (const json::value* list = m.if_contains("attendees"); list && list->is_array()) {
    for (const json::value& item : list->as_array()) {
      CalendarAttendee a = attendee(item);
      if (!a.email.empty() || !a.uri.empty()) event.attendees.push_back(std::move(a));
    }
  }
  return event;
}

asio::awaitable<Result<Response>> calendar_file(api::RouteContext context,
                                                const Request& request, RequestLog& log) {
  auto caller = api::authenticate(context, request, log);
  if (!caller) co_return caller.error();
  const std::string_view file = request.path_param("file");
  if (!file.ends_with(".ics")) co_return make_error(Code::kNotFound, "not found");
  const std::string id(file.substr(0, file.size() - 4));
  if (!api::is_uuid(id)) co_return invalid("id must be a uuid");
  const db::Statement statement{"meeting_calendar_event", kCalendarEvent, {id}};
  auto results = co_await context.pool.run_in_transaction(caller->who, std::span(&statement, 1),
                                                          db::kReadOnly);
  if (!results) co_return results.error();
  const db::QueryResult& row = results->back();
  if (row.rows() == 0) co_return make_error(Code::kNotFound, "meeting not found");
  auto event = calendar_event(row.value(0, 0));
  if (!event) co_return event.error();
  Response response;
  response.status = 200;
  response.content_type = "text/calendar; charset=utf-8";
  response.headers.emplace_back("Content-Disposition",
                                "attachment; filename=\"meeting-" + id + ".ics\"");
  response.body = format_icalendar(*event);
  co_return response;
}

// $1 customer, $2 type, $3 from, $4 to (exclusive), $5/$6 cursor, $7 limit.
// Newest first.
constexpr const char* kInsights =
    "WITH page AS ("
    "  SELECT to_json(i) AS j, i.created_at::text AS k, i.id,"
    "    row_number() OVER (ORDER BY i.created_at DESC, i.id DESC) AS n"
    "  FROM public.insights i"
    "  WHERE ($1::uuid IS NULL OR i.customer_id = $1::uuid)"
    "    AND ($2::text IS NULL OR i.type = $2)"
    "    AND ($3::timestamptz IS NULL OR i.created_at >= $3::timestamptz)"
    "    AND ($4::timestamptz IS NULL OR i.created_at < $4::timestamptz)"
    "    AND ($5::timestamptz IS NULL OR (i.created_at, i.id) < ($5::timestamptz, $6::uuid))"
    "    AND i.created_at IS NOT NULL"
    "  ORDER BY i.created_at DESC, i.id DESC LIMIT $7::integer + 1)"
    " SELECT CASE WHEN $1::uuid IS NULL OR EXISTS"
    "   (SELECT 1 FROM public.customers c WHERE c.id = $1::uuid)"
    "   THEN coalesce(json_agg(j ORDER BY n) FILTER (WHERE n <= $7::integer), '[]') END::text,"
    " max(k) FILTER (WHERE n = $7::integer AND (SELECT count(*) FROM page) > $7::integer),"
    " max(id::text) FILTER (WHERE n = $7::integer AND"
    "   (SELECT count(*) FROM page) > $7::integer)"
    " FROM page";

constexpr std::string_view kInsightScope = "insights";

Result<db::Statement> insights_statement(std::string_view query) {
  auto known = api::only_params(query, {"customer_id", "type", "from", "to", "cursor", "limit"});
  if (!known) return known.error();
  std::optional<std::string> customer = api::query_value(query, "customer_id");
  if (customer && !api::is_uuid(*customer)) return invalid("customer_id must be a uuid");
  auto from = api::instant_param(query, "from");
  if (!from) return from.error();
  auto to = api::instant_param(query, "to", true);
  if (!to) return to.error();
  auto limit = api::limit_param(query, 50);
  if (!limit) return limit.error();
  auto cursor = api::cursor_param(query, kInsightScope);
  if (!cursor) return cursor.error();
  std::vector<db::Param> params{customer,     api::query_value(query, "type"),
                                *from,        *to,
                                std::nullopt, std::nullopt,
                                std::to_string(*limit)};
  if (*cursor) {
    params[4] = (*cursor)->key;
    params[5] = (*cursor)->id;
  }
  return db::Statement{"list_insights", kInsights, std::move(params)};
}

asio::awaitable<Result<Response>> insights(api::RouteContext context, const Request& request,
                                           RequestLog& log) {
  auto caller = api::authenticate(context, request, log);
  if (!caller) co_return caller.error();
  auto statement = insights_statement(request.query);
  if (!statement) co_return statement.error();
  co_return co_await api::json_page_from_sql(context, *caller, std::span(&*statement, 1),
                                             kInsightScope, "customer not found");
}

using RouteFunction = asio::awaitable<Result<Response>> (*)(api::RouteContext,
                                                            const Request&, RequestLog&);

void add(http::Router& router, const api::RouteContext& context, const char* method,
         const char* path, const char* route, RouteFunction function) {
  router.add(method, path, route,
             [context, function](const Request& request,
                                 RequestLog& log) -> asio::awaitable<Result<Response>> {
               co_return co_await function(context, request, log);
             });
}

}  // namespace

namespace {
std::string uuid_array(const std::vector<std::string>& ids) {
  std::string literal = "{";
  for (const std::string& id : ids) {
    if (literal.size() > 1) literal += ',';
    literal += id;
  }
  return literal + "}";
}

// $1 customer, $2 title, $3 start, $4 minutes, $5 attendee ids (uuid[]),
// $6 description, $7 URL. Inserts only when the customer is visible and
// every attendee is one of its stakeholders; attendees are stored in the
// order given, with name, email and role. Second column: what was missing
// ('customer', or the unknown attendee ids), NULL on success.
constexpr const char* kSchedule =
    "WITH customer AS (SELECT c.id FROM public.customers c WHERE c.id = $1),"
    " chosen AS (SELECT s.id, s.name, s.email, s.role FROM public.stakeholders s"
    "   WHERE s.customer_id = $1 AND s.id = ANY($5::uuid[])),"
    " inserted AS ("
    "   INSERT INTO public.meetings (customer_id, title, description, scheduled_at, duration,"
    "     status, meeting_url, attendees)"
    "   SELECT c.id, $2, $6, $3::timestamptz, $4::integer, 'scheduled', $7,"
    "     coalesce((SELECT jsonb_agg(jsonb_build_object('stakeholder_id', ch.id,"
    "       'name', ch.name, 'email', ch.email, 'role', ch.role)"
    "       ORDER BY array_position($5::uuid[], ch.id)) FROM chosen ch), '[]')"
    "   FROM customer c"
    "   WHERE (SELECT count(*) FROM chosen) = cardinality($5::uuid[])"
    "   RETURNING *)"
    " SELECT (SELECT to_json(i)::text FROM inserted i),"
    "  CASE WHEN NOT EXISTS (SELECT 1 FROM customer) THEN 'customer'"
    "   WHEN NOT EXISTS (SELECT 1 FROM inserted) THEN"
    "    (SELECT string_agg(a::text, ', ') FROM unnest($5::uuid[]) a"
    "     WHERE a NOT IN (SELECT id FROM chosen)) END";

}  // namespace

Result<MeetingToSchedule> parse_meeting_to_schedule(const json::object& body) {
  ScheduleRequest out;
  for (const auto& [key, value] : body) {
    auto read = read_schedule_field(key, value, out);
    if (!read) return read.error();
  }
  for (std::string_view required : {"customer_id", "title", "scheduled_at"}) {
    if (!body.contains(required)) return invalid(std::string(required) + " is required");
  }
  return out;
}

db::Statement schedule_meeting_statement(const MeetingToSchedule& meeting) {
  return db::Statement{
      "schedule_meeting",
      kSchedule,
      {meeting.customer_id, meeting.title, meeting.scheduled_at, std::to_string(meeting.duration),
       uuid_array(meeting.attendees), meeting.description, meeting.meeting_url}};
}

void add_meeting_routes(http::Router& router, const api::RouteContext& context) {
  add(router, context, "POST", "/api/meetings/schedule", "/api/meetings/schedule", schedule);
  add(router, context, "GET", "/api/meetings/:file", "/api/meetings/:id.ics", calendar_file);
  add(router, context, "GET", "/api/insights", "/api/insights", insights);
}

}  // namespace cscx::meetings
