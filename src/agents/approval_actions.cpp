#include "agents/approval_actions.h"

#include <boost/json/serialize.hpp>
#include <regex>

#include "api/route_support.h"
#include "customers/customer_routes.h"
#include "meetings/meeting_schedule.h"

namespace cscx::agents::internal {
namespace {

namespace json = boost::json;
using api::invalid;

Result<std::string> string_field(const json::object& payload, std::string_view key,
                                 std::size_t max) {
  const json::value* v = payload.if_contains(key);
  if (v == nullptr || !v->is_string() || v->as_string().empty() || v->as_string().size() > max) {
    return invalid("payload." + std::string(key) + " must be a non-empty string of at most " +
                   std::to_string(max) + " characters");
  }
  return std::string(v->as_string());
}

Result<std::string> uuid_field(const json::object& payload, std::string_view key) {
  const json::value* v = payload.if_contains(key);
  if (v == nullptr || !v->is_string() || !api::is_uuid(v->as_string())) {
    return invalid("payload." + std::string(key) + " must be a uuid");
  }
  return std::string(v->as_string());
}

// The meeting POST /api/meetings/schedule would insert, found by what this
// transaction inserted: meetings.created_at defaults to now(), the
// transaction's start.
constexpr const char* kMeetingEffect =
    "SELECT jsonb_build_object('meeting_id', m.id) FROM public.meetings m"
    " WHERE m.customer_id = $3::uuid AND m.title = $4 AND m.created_at = now()"
    " ORDER BY m.id LIMIT 1";

Result<ApprovedAction> schedule_meeting(const json::object& payload) {
  auto meeting = meetings::parse_meeting_to_schedule(payload);
  if (!meeting) return meeting.error();
  ApprovedAction out;
  out.run.push_back(meetings::schedule_meeting_statement(*meeting));
  out.effect_sql = kMeetingEffect;
  out.effect_params = {meeting->customer_id, meeting->title};
  return out;
}

constexpr const char* kStageEffect =
    "SELECT jsonb_build_object('customer_id', c.id, 'stage', c.stage) FROM public.customers c"
    " WHERE c.id = $3::uuid AND c.stage = $4";

Result<ApprovedAction> change_stage(const json::object& payload, const std::string& self) {
  auto customer = uuid_field(payload, "customer_id");
  if (!customer) return customer.error();
  auto stage = string_field(payload, "stage", 40);
  if (!stage) return stage.error();
  auto statement = customers::stage_change_statement(*customer, *stage, self);
  if (!statement) return statement.error();
  ApprovedAction out;
  out.run.push_back(std::move(*statement));
  out.effect_sql = kStageEffect;
  out.effect_params = {*customer, *stage};
  return out;
}

// $1 task's customer, $2 title, $3 due date, $4 note, $5 approval id. The
// task is the caller's, from the agent.
constexpr const char* kOpenTask =
    "INSERT INTO public.tasks (customer_id, title, owner, due_date, source, note, metadata)"
    " SELECT c.id, $2, auth.uid(), $3::date, 'agent', $4,"
    "  jsonb_build_object('approval_id', $5::uuid)"
    " FROM public.customers c WHERE c.id = $1::uuid";

constexpr const char* kTaskEffect =
    "SELECT jsonb_build_object('task_id', t.id) FROM public.tasks t"
    " WHERE t.metadata->>'approval_id' = $3 AND t.status = 'open'";

Result<ApprovedAction> open_task(const json::object& payload, const std::string& approval_id) {
  auto customer = uuid_field(payload, "customer_id");
  if (!customer) return customer.error();
  auto title = string_field(payload, "title", 200);
  if (!title) return title.error();
  db::Param due;
  if (const json::value* v = payload.if_contains("due_date"); v != nullptr && !v->is_null()) {
    static const std::regex kDate(R"(\d{4}-\d{2}-\d{2})");
    if (!v->is_string() || !std::regex_match(std::string(v->as_string()), kDate)) {
      return invalid("payload.due_date must be a date (YYYY-MM-DD)");
    }
    due = std::string(v->as_string());
  }
  db::Param note;
  if (const json::value* v = payload.if_contains("note"); v != nullptr && v->is_string()) {
    note = std::string(v->as_string());
  }
  ApprovedAction out;
  out.run.push_back({"agent_open_task", kOpenTask, {*customer, *title, due, note, approval_id}});
  out.effect_sql = kTaskEffect;
  out.effect_params = {approval_id};
  return out;
}

// $1 stakeholder, $2 its customer, $3 the checked fields (jsonb): only the
// fields named change.
constexpr const char* kUpdateStakeholder =
    "UPDATE public.stakeholders s SET"
    "  role = CASE WHEN f ? 'role' THEN f->>'role' ELSE s.role END,"
    "  sentiment = CASE WHEN f ? 'sentiment' THEN f->>'sentiment' ELSE s.sentiment END,"
    "  notes = CASE WHEN f ? 'notes' THEN f->>'notes' ELSE s.notes END,"
    "  is_primary = CASE WHEN f ? 'is_primary' THEN (f->>'is_primary')::boolean"
    "               ELSE s.is_primary END"
    " FROM (SELECT $3::jsonb AS f) input"
    " WHERE s.id = $1::uuid AND s.customer_id = $2::uuid";

constexpr const char* kStakeholderEffect =
    "SELECT jsonb_build_object('stakeholder_id', s.id, 'sentiment', s.sentiment)"
    " FROM public.stakeholders s WHERE s.id = $3::uuid AND s.customer_id = $4::uuid";

Result<ApprovedAction> update_stakeholder(const json::object& payload) {
  auto stakeholder = uuid_field(payload, "stakeholder_id");
  if (!stakeholder) return stakeholder.error();
  auto customer = uuid_field(payload, "customer_id");
  if (!customer) return customer.error();
  const json::value* fields = payload.if_contains("fields");
  if (fields == nullptr || !fields->is_object() || fields->as_object().empty()) {
    return invalid("payload.fields must be an object naming role, sentiment, notes or is_primary");
  }
  for (const auto& [key, value] : fields->as_object()) {
    const bool text = key == "role" || key == "sentiment" || key == "notes";
    if (!(text && (value.is_string() || value.is_null())) &&
        !(key == "is_primary" && value.is_bool())) {
      return invalid("payload.fields." + std::string(key) +
                     " is not one of role, sentiment, notes (strings) or is_primary (bool)");
    }
  }
  ApprovedAction out;
  out.run.push_back({"agent_update_stakeholder", kUpdateStakeholder,
                     {*stakeholder, *customer, json::serialize(*fields)}});
  out.effect_sql = kStakeholderEffect;
  out.effect_params = {*stakeholder, *customer};
  return out;
}

// An approved draft is kept in the session as an agent message the CSM can
// copy; CSCX sends no email. $1 session, $2 recipient, $3 subject, $4 body,
// $5 approval id.
constexpr const char* kKeepDraft =
    "INSERT INTO public.agent_messages (session_id, agent_id, role, content, metadata)"
    " SELECT s.id, 'cscx-builtin', 'agent', $4,"
    "  jsonb_build_object('kind', 'email_draft', 'to', $2::text, 'subject', $3::text,"
    "   'approval_id', $5::uuid)"
    " FROM public.agent_sessions s WHERE s.id = $1::uuid";

constexpr const char* kDraftEffect =
    "SELECT jsonb_build_object('message_id', m.id) FROM public.agent_messages m"
    " WHERE m.session_id = $3::uuid AND m.metadata->>'approval_id' = $4";

Result<ApprovedAction> draft_email(const json::object& payload, const std::string& approval_id,
                                   const std::string& session_id) {
  auto to = string_field(payload, "to", 320);
  if (!to) return to.error();
  auto subject = string_field(payload, "subject", 300);
  if (!subject) return subject.error();
  auto body = string_field(payload, "body", 20000);
  if (!body) return body.error();
  ApprovedAction out;
  out.run.push_back(
      {"agent_keep_draft", kKeepDraft, {session_id, *to, *subject, *body, approval_id}});
  out.effect_sql = kDraftEffect;
  out.effect_params = {session_id, approval_id};
  return out;
}

}  // namespace

Result<ApprovedAction> approved_action(const std::string& action, const json::object& payload,
                                       const std::string& approval_id,
                                       const std::string& session_id, const std::string& self) {
  if (action == "schedule_meeting") return schedule_meeting(payload);
  if (action == "change_stage") return change_stage(payload, self);
  if (action == "open_task") return open_task(payload, approval_id);
  if (action == "update_stakeholder") return update_stakeholder(payload);
  if (action == "draft_email") return draft_email(payload, approval_id, session_id);
  return invalid("unknown action '" + action.substr(0, 64) + "'");
}

}  // namespace cscx::agents::internal
