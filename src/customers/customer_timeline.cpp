// GET /api/customers/:id/timeline: one stream of typed events merged from
// the customer's tables, newest first, in keyset pages.
#include <array>
#include <string>

#include "api/list_query.h"
#include "customers/customer_internal.h"

namespace cscx::customers::internal {
namespace {

using api::invalid;

// One source of events: every branch selects columns named (type, id, at,
// detail) for the customer $1, so a new source (tasks, once that table
// exists) is one more entry here; its type becomes a valid `type` filter by
// itself. `at` is never NULL, so events compare as rows for the keyset.
struct EventSource {
  std::string_view type;
  std::string_view select;
};

constexpr std::array<EventSource, 7> kSources{{
    {"activity",
     "SELECT 'activity'::text AS type, a.id, coalesce(a.created_at, '-infinity') AS at,"
     " json_build_object('action', a.action, 'entity_type', a.entity_type,"
     "  'entity_id', a.entity_id, 'user_id', a.user_id, 'old_values', a.old_values,"
     "  'new_values', a.new_values) AS detail"
     " FROM public.activity_log a WHERE a.customer_id = $1"},
    {"meeting",
     "SELECT 'meeting'::text AS type, m.id,"
     " coalesce(m.scheduled_at, m.created_at, '-infinity') AS at,"
     " json_build_object('title', m.title, 'status', m.status, 'scheduled_at', m.scheduled_at,"
     "  'duration', m.duration, 'attendees', m.attendees) AS detail"
     " FROM public.meetings m WHERE m.customer_id = $1"},
    {"insight",
     "SELECT 'insight'::text AS type, i.id, coalesce(i.created_at, '-infinity') AS at,"
     " json_build_object('type', i.type, 'source', i.source, 'content', i.content,"
     "  'importance', i.importance, 'status', i.status, 'meeting_id', i.meeting_id) AS detail"
     " FROM public.insights i WHERE i.customer_id = $1"},
    {"agent_message",
     "SELECT 'agent_message'::text AS type, am.id, coalesce(am.created_at, '-infinity') AS at,"
     " json_build_object('session_id', am.session_id, 'role', am.role,"
     "  'agent_id', am.agent_id, 'content', am.content,"
     "  'citations', am.metadata->'citations', 'kind', am.metadata->>'kind') AS detail"
     " FROM public.agent_messages am JOIN public.agent_sessions s ON s.id = am.session_id"
     " WHERE s.customer_id = $1"},
    {"contract",
     "SELECT 'contract'::text AS type, k.id, coalesce(k.created_at, '-infinity') AS at,"
     " json_build_object('file_name', k.file_name, 'arr', k.arr, 'status', k.status,"
     "  'start_date', k.start_date, 'end_date', k.end_date) AS detail"
     " FROM public.contracts k WHERE k.customer_id = $1"},
    {"approval",
     "SELECT 'approval'::text AS type, ap.id, coalesce(ap.created_at, '-infinity') AS at,"
     " json_build_object('session_id', ap.session_id, 'agent_id', ap.agent_id,"
     "  'action', ap.action, 'details', ap.details, 'status', ap.status,"
     "  'resolved_by', ap.resolved_by, 'resolved_at', ap.resolved_at, 'comment', ap.comment,"
     "  'payload', ap.metadata->'payload', 'evidence', ap.metadata->'evidence',"
     "  'result', ap.metadata->'result', 'expires_at', ap.metadata->'expires_at') AS detail"
     " FROM public.approvals ap JOIN public.agent_sessions s ON s.id = ap.session_id"
     " WHERE s.customer_id = $1"},
    {"task",
     "SELECT 'task'::text AS type, t.id, t.created_at AS at,"
     " json_build_object('title', t.title, 'status', t.status, 'source', t.source,"
     "  'owner', t.owner, 'due_date', t.due_date, 'note', t.note, 'closed_at', t.closed_at)"
     "  AS detail"
     " FROM public.tasks t WHERE t.customer_id = $1"},
}};

// $1 customer, $2 types (text[]), $3 from (inclusive), $4 to (exclusive),
// $5/$6 cursor (at, id), $7 limit. Each branch is filtered and cut to the
// page size on its own (a top-N sort over the customer's rows of one table,
// found through its customer index), so the merge sorts at most limit x
// sources rows however long the history. A type filter that leaves a branch out
// makes it return nothing before reading a row. A hidden or missing customer
// gives NULL (404), an empty timeline '[]'.
std::string timeline_sql() {
  const std::string page_of_branch =
      " WHERE ($2::text[] IS NULL OR b.type = ANY($2::text[]))"
      "   AND ($3::timestamptz IS NULL OR b.at >= $3::timestamptz)"
      "   AND ($4::timestamptz IS NULL OR b.at < $4::timestamptz)"
      "   AND ($5::timestamptz IS NULL OR (b.at, b.id) < ($5::timestamptz, $6::uuid))"
      " ORDER BY b.at DESC, b.id DESC LIMIT $7::integer + 1";
  std::string events;
  for (const EventSource& source : kSources) {
    if (!events.empty()) events += " UNION ALL ";
    events += "(SELECT * FROM (" + std::string(source.select) + ") b" + page_of_branch + ")";
  }
  return "WITH page AS ("
         "  SELECT json_build_object('type', e.type, 'id', e.id, 'at', e.at,"
         "    'detail', e.detail) AS j, e.at::text AS k, e.id,"
         "    row_number() OVER (ORDER BY e.at DESC, e.id DESC) AS n"
         "  FROM (" + events + ") e"
         "  ORDER BY e.at DESC, e.id DESC LIMIT $7::integer + 1)"
         " SELECT CASE WHEN EXISTS (SELECT 1 FROM public.customers c WHERE c.id = $1)"
         "   THEN coalesce(json_agg(j ORDER BY n) FILTER (WHERE n <= $7::integer), '[]') END::text,"
         " max(k) FILTER (WHERE n = $7::integer AND (SELECT count(*) FROM page) > $7::integer),"
         " max(id::text) FILTER (WHERE n = $7::integer AND"
         "   (SELECT count(*) FROM page) > $7::integer)"
         " FROM page";
}

// `type=meeting,insight` as a text[] literal of known names only.
Result<std::optional<std::string>> types_param(std::string_view query) {
  auto text = api::query_value(query, "type");
  if (!text) return std::optional<std::string>();
  std::string literal = "{";
  std::string_view rest = *text;
  while (true) {
    const std::size_t comma = rest.find(',');
    const std::string_view name = rest.substr(0, comma);
    bool known = false;
    for (const EventSource& source : kSources) known = known || source.type == name;
    if (!known) {
      std::string expected;
      for (const EventSource& source : kSources) {
        expected += expected.empty() ? "" : ", ";
        expected += source.type;
      }
      return invalid("type must be a comma-separated list of " + expected);
    }
    if (literal.size() > 1) literal += ',';
    literal += name;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return std::optional<std::string>(literal + "}");
}

}  // namespace

Result<db::Statement> timeline_statement(const std::string& id, std::string_view query) {
  auto known = api::only_params(query, {"type", "from", "to", "cursor", "limit"});
  if (!known) return known.error();
  auto types = types_param(query);
  if (!types) return types.error();
  auto from = api::instant_param(query, "from", false);
  if (!from) return from.error();
  auto to = api::instant_param(query, "to", true);
  if (!to) return to.error();
  auto limit = api::limit_param(query, 50);
  if (!limit) return limit.error();
  auto cursor = api::cursor_param(query, kTimelineScope);
  if (!cursor) return cursor.error();

  static const std::string kSql = timeline_sql();
  std::vector<db::Param> params{id, *types, *from, *to, std::nullopt, std::nullopt,
                                std::to_string(*limit)};
  if (*cursor) {
    params[4] = (*cursor)->key;
    params[5] = (*cursor)->id;
  }
  return db::Statement{"customer_timeline", kSql, std::move(params)};
}

}  // namespace cscx::customers::internal
