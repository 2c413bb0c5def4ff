// The built-in agent: deterministic, no network, no database. Given the
// user's message and what the caller may see of the customer (read through
// RLS by agent_routes.cpp), it classifies the message by intent, answers
// from the data, cites every row and article it used, and proposes actions.
// A proposal never runs here: the routes store it as a pending approval.
#pragma once

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace cscx::agents {

inline constexpr std::string_view kAgentId = "cscx-builtin";

enum class Intent { kHealth, kRenewal, kStakeholders, kInsights, kTasks, kKnowledge,
                    kMeeting, kEmail, kStage, kStakeholderUpdate, kTask, kSummary };

std::string_view intent_name(Intent intent);

// Every intent the message names, in enum order; {kSummary} when none.
// Words are Snowball-stemmed, so "renewing", "renewals" and "renew" match.
std::vector<Intent> classify(std::string_view message);

// A row or article the reply used: type is customer, contract, stakeholder,
// insight, task or article.
struct Citation {
  std::string type;
  std::string id;
};

// An action to put before a human: `action` is schedule_meeting,
// draft_email, update_stakeholder, change_stage or open_task; `payload` is
// exactly what runs when approved; `evidence` the citations behind it.
struct Proposal {
  std::string action;
  std::string details;
  boost::json::object payload;
  std::vector<Citation> evidence;
};

struct AgentReply {
  std::vector<Intent> intents;
  std::string text;
  std::vector<Citation> citations;
  std::vector<Proposal> proposals;
};

// `context` as agent_routes.cpp reads it:
//   {today: "YYYY-MM-DD",
//    customer: {id, name, arr, stage, health_score},
//    contract: {id, end_date, arr} | null,          (the active one ending last)
//    stakeholders: [{id, name, role, email, is_primary, sentiment}],
//    insights: [{id, type, content, created_at}],   (newest first)
//    tasks: [{id, title, due_date}],                (open ones)
//    articles: [{id, title, snippet}]}              (knowledge search hits, best first)
// Missing members count as empty.
AgentReply respond(std::string_view message, const boost::json::object& context);

}  // namespace cscx::agents
