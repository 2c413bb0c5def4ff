#include "agents/agent_routes.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "agents/agent.h"
#include "agents/agent_articles.h"
#include "agents/approval_actions.h"

namespace cscx::agents {
namespace asio = boost::asio;
namespace json = boost::json;
using api::invalid;
using http::Request;
using http::RequestLog;
using http::Response;

namespace {

// ---------------------------------------------------------------------------
// Sessions.
// ---------------------------------------------------------------------------

// $1 customer, $2 title, $3 context (jsonb). Only a visible customer gets a
// session; the title is kept in the context.
constexpr const char* kCreateSession =
    "INSERT INTO public.agent_sessions (customer_id, user_id, active_agent, deployed_agents,"
    "  context)"
    " SELECT c.id, auth.uid(), 'cscx-builtin', ARRAY['cscx-builtin'],"
    "  coalesce($3::jsonb, '{}') || CASE WHEN $2::text IS NULL THEN '{}'::jsonb"
    "   ELSE jsonb_build_object('title', $2::text) END"
    " FROM public.customers c WHERE c.id = $1::uuid"
    " RETURNING to_json(agent_sessions.*)::text";

// The session with its messages and approvals, oldest first.
constexpr const char* kSession =
    "SELECT (to_jsonb(s) || jsonb_build_object("
    "  'messages', coalesce((SELECT jsonb_agg(to_jsonb(m) ORDER BY m.created_at, m.id)"
    "    FROM public.agent_messages m WHERE m.session_id = s.id), '[]'),"
    "  'approvals', coalesce((SELECT jsonb_agg(to_jsonb(a) ORDER BY a.created_at, a.id)"
    "    FROM public.approvals a WHERE a.session_id = s.id), '[]')))::text"
    " FROM public.agent_sessions s WHERE s.id = $1::uuid";

Result<db::Statement> create_session_statement(const json::object& body) {
  db::Param title;
  db::Param context;
  for (const auto& [key, value] : body) {
    if (key == "customer_id") {
      if (!value.is_string() || !api::is_uuid(value.as_string())) {
        return invalid("customer_id must be a uuid");
      }
    } else if (key == "title") {
      if (!value.is_string() || value.as_string().empty() || value.as_string().size() > 200) {
        return invalid("title must be a non-empty string of at most 200 characters");
      }
      title = std::string(value.as_string());
    } else if (key == "context") {
      if (!value.is_object()) return invalid("context must be a JSON object");
      context = json::serialize(value);
    } else {
      return invalid("unknown field '" + std::string(key.substr(0, 64)) +
                     "' (expected customer_id, title, context)");
    }
  }
  if (!body.contains("customer_id")) return invalid("customer_id is required");
  return db::Statement{"agent_create_session",
                       kCreateSession,
                       {std::string(body.at("customer_id").as_string()), title, context}};
}

asio::awaitable<Result<Response>> create_session(api::RouteContext context,
                                                 const Request& request, RequestLog& log) {
  auto caller = api::authenticate_user(context, request, log, "start an agent session");
  if (!caller) co_return caller.error();
  auto body = api::json_object_body(request);
  if (!body) co_return body.error();
  auto statement = create_session_statement(*body);
  if (!statement) co_return statement.error();
  co_return co_await api::json_from_sql(context, *caller, std::span(&*statement, 1),
                                        "customer not found", 201);
}

asio::awaitable<Result<Response>> get_session(api::RouteContext context, const Request& request,
                                              RequestLog& log) {
  co_return co_await api::read_by_id(context, request, log, "agent_session", kSession,
                                     "session not found");
}

// ---------------------------------------------------------------------------
// Chat.
// ---------------------------------------------------------------------------

// $1 session. What the agent may use of the customer, read as the caller
// (agent.h documents the shape); the articles come from the knowledge
// base's search (agent_articles.h).
constexpr const char* kChatContext =
    "SELECT json_build_object("
    " 'today', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD'),"
    " 'customer', (SELECT json_build_object('id', c.id, 'name', c.name, 'arr', c.arr,"
    "   'stage', c.stage, 'health_score', c.health_score)"
    "   FROM public.customers c WHERE c.id = s.customer_id),"
    " 'contract', (SELECT json_build_object('id', k.id, 'end_date', k.end_date, 'arr', k.arr)"
    "   FROM public.contracts k WHERE k.customer_id = s.customer_id AND k.status = 'active'"
    "   ORDER BY k.end_date DESC NULLS LAST, k.id LIMIT 1),"
    " 'stakeholders', coalesce((SELECT json_agg(json_build_object('id', x.id, 'name', x.name,"
    "   'role', x.role, 'email', x.email, 'is_primary', coalesce(x.is_primary, false),"
    "   'sentiment', x.sentiment) ORDER BY x.is_primary DESC NULLS LAST, x.name, x.id)"
    "   FROM public.stakeholders x WHERE x.customer_id = s.customer_id), '[]'),"
    " 'insights', coalesce((SELECT json_agg(i ORDER BY i.created_at DESC NULLS LAST, i.id)"
    "   FROM (SELECT id, type, content, created_at FROM public.insights"
    "    WHERE customer_id = s.customer_id ORDER BY created_at DESC NULLS LAST, id LIMIT 5) i),"
    "   '[]'),"
    " 'tasks', coalesce((SELECT json_agg(t ORDER BY t.due_date NULLS LAST, t.id)"
    "   FROM (SELECT id, title, due_date FROM public.tasks"
    "    WHERE customer_id = s.customer_id AND status = 'open'"
    "    ORDER BY due_date NULLS LAST, id LIMIT 10) t), '[]'))::text"
    " FROM public.agent_sessions s WHERE s.id = $1::uuid";

// $1 session, $2 the user's message, $3 the reply, $4 the reply's metadata,
// $5 the proposals [{action, details, payload, evidence}], $6 hours until
// they expire. Both messages and every approval in one statement; the reply
// and the approvals are stamped just after the message so "oldest first"
// reads as the conversation went.
constexpr const char* kChat =
    "WITH s AS (SELECT id, customer_id FROM public.agent_sessions WHERE id = $1::uuid),"
    " u AS (INSERT INTO public.agent_messages (session_id, role, content, created_at)"
    "   SELECT id, 'user', $2, now() FROM s RETURNING *),"
    " a AS (INSERT INTO public.agent_messages (session_id, agent_id, role, content,"
    "   requires_approval, metadata, created_at)"
    "   SELECT id, 'cscx-builtin', 'agent', $3, jsonb_array_length($5::jsonb) > 0, $4::jsonb,"
    "    now() + interval '1 microsecond' FROM s RETURNING *),"
    " p AS (INSERT INTO public.approvals (session_id, agent_id, action, details, status,"
    "   metadata, created_at)"
    "   SELECT s.id, 'cscx-builtin', e.x->>'action', e.x->>'details', 'pending',"
    "    jsonb_build_object('customer_id', s.customer_id, 'payload', e.x->'payload',"
    "     'evidence', e.x->'evidence', 'message_id', (SELECT id FROM a),"
    "     'expires_at', now() + make_interval(hours => $6::integer)),"
    "    now() + make_interval(secs => (1 + e.n) / 1000000.0)"
    "   FROM s, jsonb_array_elements($5::jsonb) WITH ORDINALITY e(x, n) RETURNING *)"
    " SELECT json_build_object('session_id', s.id, 'message', (SELECT to_json(u) FROM u),"
    "  'reply', (SELECT to_json(a) FROM a),"
    "  'approvals', coalesce((SELECT json_agg(to_json(p) ORDER BY p.created_at, p.id) FROM p),"
    "   '[]'))::text"
    " FROM s";

constexpr int kDefaultExpiryHours = 7 * 24;

struct ChatRequest {
  std::string session_id;
  std::string message;
  int expires_in_hours = kDefaultExpiryHours;
};

Result<ChatRequest> parse_chat(const json::object& body) {
  ChatRequest out;
  for (const auto& [key, value] : body) {
    if (key == "session_id") {
      if (!value.is_string() || !api::is_uuid(value.as_string())) {
        return invalid("session_id must be a uuid");
      }
      out.session_id = std::string(value.as_string());
    } else if (key == "message") {
      if (!value.is_string() ||
          value.as_string().find_first_not_of(" \t\r\n") == json::string::npos) {
        return invalid("message must be a non-empty string");
      }
      if (value.as_string().size() > 4000) {
        return invalid("message is longer than 4000 characters");
      }
      out.message = std::string(value.as_string());
    } else if (key == "expires_in_hours") {
      if (!value.is_int64() || value.as_int64() < 1 || value.as_int64() > 24 * 90) {
        return invalid("expires_in_hours must be a whole number from 1 to 2160");
      }
      out.expires_in_hours = static_cast<int>(value.as_int64());
    } else {
      return invalid("unknown field '" + std::string(key.substr(0, 64)) +
                     "' (expected session_id, message, expires_in_hours)");
    }
  }
  if (out.session_id.empty()) return invalid("session_id is required");
  if (out.message.empty()) return invalid("message is required");
  return out;
}

json::array citations_json(const std::vector<Citation>& citations) {
  json::array out;
  for (const Citation& c : citations) out.push_back(json::object{{"type", c.type}, {"id", c.id}});
  return out;
}

json::object reply_metadata(const AgentReply& reply) {
  json::array intents;
  for (Intent i : reply.intents) intents.emplace_back(intent_name(i));
  json::array actions;
  for (const Proposal& p : reply.proposals) actions.emplace_back(p.action);
  return {{"intents", std::move(intents)},
          {"citations", citations_json(reply.citations)},
          {"proposed_actions", std::move(actions)}};
}

json::array proposals_json(const AgentReply& reply) {
  json::array out;
  for (const Proposal& p : reply.proposals) {
    out.push_back(json::object{{"action", p.action},
                               {"details", p.details},
                               {"payload", p.payload},
                               {"evidence", citations_json(p.evidence)}});
  }
  return out;
}

// Reads what the agent may use as the caller, read-only: the customer's
// rows in one statement, then the knowledge base's search; kNotFound when
// the session is not visible.
asio::awaitable<Result<json::object>> read_chat_context(const api::RouteContext& context,
                                                        const api::Caller& caller,
                                                        const ChatRequest& input,
                                                        const knowledge::AnnIndex& index,
                                                        const knowledge::IndexState& state) {
  const db::Statement read{"agent_chat_context", kChatContext, {input.session_id}};
  auto facts = co_await context.pool.run_in_transaction(caller.who, std::span(&read, 1),
                                                        db::kReadOnly);
  if (!facts) co_return facts.error();
  const db::QueryResult& row = facts->back();
  if (row.rows() == 0 || row.is_null(0, 0)) {
    co_return make_error(Code::kNotFound, "session not found");
  }
  boost::system::error_code ec;
  json::value data = json::parse(row.value(0, 0), ec);
  if (ec || !data.is_object()) co_return make_error(Code::kInternal, "agent context is not JSON");
  auto articles =
      co_await internal::find_articles(context.pool, caller.who, input.message, index, state);
  if (!articles) co_return articles.error();
  data.as_object()["articles"] = std::move(*articles);
  co_return std::move(data.as_object());
}

asio::awaitable<Result<Response>> chat(api::RouteContext context,
                                       const knowledge::AnnIndex& index,
                                       const knowledge::IndexState& state,
                                       const Request& request, RequestLog& log) {
  auto caller = api::authenticate_user(context, request, log, "chat with the agent");
  if (!caller) co_return caller.error();
  auto body = api::json_object_body(request);
  if (!body) co_return body.error();
  auto input = parse_chat(*body);
  if (!input) co_return input.error();

  // Read what the agent may use, then answer, then write: the agent is pure
  // C++ and runs between the reads and the write, holding no connection.
  auto data = co_await read_chat_context(context, *caller, *input, index, state);
  if (!data) co_return data.error();
  const AgentReply reply = respond(input->message, *data);

  const db::Statement write{"agent_chat",
                            kChat,
                            {input->session_id, input->message, reply.text,
                             json::serialize(reply_metadata(reply)),
                             json::serialize(proposals_json(reply)),
                             std::to_string(input->expires_in_hours)}};
  co_return co_await api::json_from_sql(context, *caller, std::span(&write, 1),
                                        "session not found", 201);
}

// ---------------------------------------------------------------------------
// Approvals.
// ---------------------------------------------------------------------------

// The caller's pending approvals that have not expired, oldest first, with
// the customer each is about.
constexpr const char* kPending =
    "SELECT coalesce(json_agg(json_build_object('id', ap.id, 'session_id', ap.session_id,"
    "  'customer_id', s.customer_id, 'agent_id', ap.agent_id, 'action', ap.action,"
    "  'details', ap.details, 'status', ap.status, 'payload', ap.metadata->'payload',"
    "  'evidence', ap.metadata->'evidence', 'message_id', ap.metadata->'message_id',"
    "  'expires_at', ap.metadata->'expires_at', 'created_at', ap.created_at)"
    "  ORDER BY ap.created_at, ap.id), '[]')::text"
    " FROM public.approvals ap JOIN public.agent_sessions s ON s.id = ap.session_id"
    " WHERE coalesce(ap.status, 'pending') = 'pending'"
    "  AND coalesce((ap.metadata->>'expires_at')::timestamptz > now(), true)"
    "  AND ($1::uuid IS NULL OR s.customer_id = $1::uuid)";

asio::awaitable<Result<Response>> pending(api::RouteContext context, const Request& request,
                                          RequestLog& log) {
  auto caller = api::authenticate(context, request, log);
  if (!caller) co_return caller.error();
  auto known = api::query_value(request.query, "customer_id");
  if (known && !api::is_uuid(*known)) co_return invalid("customer_id must be a uuid");
  const db::Statement statement{"agent_pending", kPending, {known}};
  co_return co_await api::json_from_sql(context, *caller, std::span(&statement, 1),
                                        "not found", 200, db::kReadOnly);
}

// $1 approval. What the decision needs to know, as the caller sees it.
constexpr const char* kApproval =
    "SELECT json_build_object('session_id', ap.session_id,"
    "  'status', coalesce(ap.status, 'pending'), 'action', ap.action,"
    "  'payload', ap.metadata->'payload', 'expires_at', ap.metadata->'expires_at',"
    "  'expired', coalesce((ap.metadata->>'expires_at')::timestamptz <= now(), false))::text"
    " FROM public.approvals ap WHERE ap.id = $1::uuid";

// $1 approval, $2 comment, $3 'rejected' or 'expired'. Only a pending one
// changes; nothing else does.
constexpr const char* kResolve =
    "UPDATE public.approvals SET status = $3,"
    "  resolved_by = CASE WHEN $3 = 'expired' THEN NULL ELSE auth.uid() END,"
    "  resolved_at = now(), comment = $2"
    " WHERE id = $1::uuid AND coalesce(status, 'pending') = 'pending'"
    " RETURNING to_json(approvals.*)::text";

// Marks the approval approved with what the action left behind; `effect`
// (approval_actions.h) is spliced in whole, its parameters from $3.
std::string mark_approved_sql(const std::string& effect) {
  return "UPDATE public.approvals ap SET status = 'approved', resolved_by = auth.uid(),"
         "  resolved_at = now(), comment = $2,"
         "  metadata = ap.metadata || jsonb_build_object('result', e.r)"
         " FROM (" + effect + ") e(r)"
         " WHERE ap.id = $1::uuid AND coalesce(ap.status, 'pending') = 'pending'"
         "  AND coalesce((ap.metadata->>'expires_at')::timestamptz > now(), true)"
         "  AND e.r IS NOT NULL";
}

// Fails the transaction (22012) unless this transaction marked the approval
// approved: when another request approved it first, or the action left
// nothing behind, everything this request ran is rolled back.
constexpr const char* kApprovedHere =
    "SELECT 1 / count(*)::integer FROM public.approvals"
    " WHERE id = $1::uuid AND status = 'approved' AND resolved_at = now()";

constexpr const char* kApprovalJson =
    "SELECT to_json(ap)::text FROM public.approvals ap WHERE ap.id = $1::uuid";

struct Decision {
  bool approved = false;
  db::Param comment;
};

Result<Decision> parse_decision(const json::object& body) {
  Decision out;
  for (const auto& [key, value] : body) {
    if (key == "approved") {
      if (!value.is_bool()) return invalid("approved must be true or false");
      out.approved = value.as_bool();
    } else if (key == "comment") {
      if (value.is_null()) continue;
      if (!value.is_string() || value.as_string().size() > 2000) {
        return invalid("comment must be a string of at most 2000 characters");
      }
      out.comment = std::string(value.as_string());
    } else {
      return invalid("unknown field '" + std::string(key.substr(0, 64)) +
                     "' (expected approved, comment)");
    }
  }
  if (!body.contains("approved")) return invalid("approved is required");
  return out;
}

// The approval as the caller sees it; kNotFound when RLS hides it.
asio::awaitable<Result<json::object>> read_approval(const api::RouteContext& context,
                                                    const api::Caller& caller,
                                                    const std::string& id) {
  const db::Statement statement{"agent_approval", kApproval, {id}};
  auto results = co_await context.pool.run_in_transaction(caller.who, std::span(&statement, 1),
                                                          db::kReadOnly);
  if (!results) co_return results.error();
  const db::QueryResult& row = results->back();
  if (row.rows() == 0 || row.is_null(0, 0)) {
    co_return make_error(Code::kNotFound, "approval not found");
  }
  boost::system::error_code ec;
  json::value v = json::parse(row.value(0, 0), ec);
  if (ec || !v.is_object()) co_return make_error(Code::kInternal, "approval row is not JSON");
  co_return std::move(v.as_object());
}

Error not_pending(const json::object& approval) {
  return make_error(Code::kConflict, "approval is already " +
                                         std::string(approval.at("status").as_string()) +
                                         "; nothing ran");
}

asio::awaitable<Result<Response>> resolve(const api::RouteContext& context,
                                          const api::Caller& caller, const std::string& id,
                                          const db::Param& comment, const char* status) {
  const db::Statement statement{"agent_resolve", kResolve, {id, comment, std::string(status)}};
  co_return co_await api::json_from_sql(context, caller, std::span(&statement, 1),
                                        "approval not found");
}

asio::awaitable<Result<Response>> run_approved(const api::RouteContext& context,
                                               const api::Caller& caller, const std::string& id,
                                               const Decision& decision,
                                               const json::object& approval) {
  const json::value* payload = approval.if_contains("payload");
  if (payload == nullptr || !payload->is_object()) {
    co_return invalid("the approval holds no payload to run");
  }
  const std::string self = caller.is_service_role() ? std::string() : caller.user_id();
  auto action = internal::approved_action(std::string(approval.at("action").as_string()),
                                          payload->as_object(), id,
                                          std::string(approval.at("session_id").as_string()), self);
  if (!action) co_return action.error();
  std::vector<db::Statement> statements = std::move(action->run);
  std::vector<db::Param> mark_params{id, decision.comment};
  mark_params.insert(mark_params.end(), action->effect_params.begin(),
                     action->effect_params.end());
  statements.push_back({"agent_mark_approved", mark_approved_sql(action->effect_sql),
                        std::move(mark_params), false});
  statements.push_back({"agent_approved_here", kApprovedHere, {id}});
  statements.push_back({"agent_approval_json", kApprovalJson, {id}});
  auto results = co_await context.pool.run_in_transaction(caller.who, statements);
  if (results) co_return Response::json(200, std::string(results->back().value(0, 0)));
  // Rolled back: say why. Another request decided first, or the action ran
  // and left nothing (its customer or stakeholder is gone), or it failed.
  auto now = co_await read_approval(context, caller, id);
  if (now && (*now).at("status") != "pending") co_return not_pending(*now);
  if (results.error().database.sqlstate == "22012") {
    co_return make_error(Code::kFailedPrecondition,
                         "the approved action could not run (its customer, stakeholder or "
                         "session is no longer there); nothing was changed");
  }
  co_return results.error();
}

asio::awaitable<Result<Response>> approve(api::RouteContext context, const Request& request,
                                          RequestLog& log) {
  auto caller = api::authenticate_user(context, request, log, "decide on an approval");
  if (!caller) co_return caller.error();
  auto id = api::uuid_param(request, "id");
  if (!id) co_return id.error();
  auto body = api::json_object_body(request);
  if (!body) co_return body.error();
  auto decision = parse_decision(*body);
  if (!decision) co_return decision.error();
  auto approval = co_await read_approval(context, *caller, *id);
  if (!approval) co_return approval.error();
  if (approval->at("status") != "pending") co_return not_pending(*approval);
  if (approval->at("expired").as_bool()) {
    // An expired approval only records that it expired.
    auto expired = co_await resolve(context, *caller, *id, std::nullopt, "expired");
    if (!expired) co_return expired.error();
    co_return make_error(Code::kConflict, "approval expired; nothing ran");
  }
  if (!decision->approved) {
    co_return co_await resolve(context, *caller, *id, decision->comment, "rejected");
  }
  co_return co_await run_approved(context, *caller, *id, *decision, *approval);
}

}  // namespace

void add_agent_routes(http::Router& router, const api::RouteContext& context,
                      const knowledge::AnnIndex& index, const knowledge::IndexState& state) {
  api::add_route(router, context, "POST", "/api/agents/sessions", create_session);
  api::add_route(router, context, "GET", "/api/agents/sessions/:id", get_session);
  router.add("POST", "/api/agents/chat", "/api/agents/chat",
             [context, &index, &state](const Request& request,
                                       RequestLog& log) -> asio::awaitable<Result<Response>> {
               co_return co_await chat(context, index, state, request, log);
             });
  api::add_route(router, context, "GET", "/api/agents/pending", pending);
  api::add_route(router, context, "POST", "/api/agents/approve/:id", approve);
}

}  // namespace cscx::agents
