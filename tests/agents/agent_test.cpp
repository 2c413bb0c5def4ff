// The built-in agent without a database: intents from stemmed lexicons,
// answers that cite the rows they use, and proposals with exact payloads.
#include "agents/agent.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace cscx::agents {
namespace {

namespace json = boost::json;

const json::object& context() {
  static const json::object kContext = json::parse(R"({
    "today": "2026-11-25",
    "customer": {"id": "c1", "name": "Acme", "arr": 120000, "stage": "active",
                 "health_score": 35},
    "contract": {"id": "k1", "end_date": "2027-01-31", "arr": 120000},
    "stakeholders": [
      {"id": "s1", "name": "Maria", "role": "VP", "email": "maria@acme.test",
       "is_primary": true, "sentiment": null},
      {"id": "s2", "name": "Bob", "role": "Admin", "email": null, "is_primary": false}],
    "insights": [{"id": "i1", "type": "concern", "content": "pricing"}],
    "tasks": [{"id": "t1", "title": "Send deck", "due_date": "2026-12-01"}],
    "articles": [{"id": "a1", "title": "Renewal playbook", "snippet": "..."}]
  })").as_object();
  return kContext;
}

bool cites(const AgentReply& reply, const std::string& id) {
  for (const Citation& c : reply.citations) {
    if (c.id == id) return reply.text.find(":" + id + "]") != std::string::npos;
  }
  return false;
}

TEST(AgentClassify, StemmedWordsFindTheIntent) {
  EXPECT_EQ(classify("How healthy are they?"),
            (std::vector<Intent>{Intent::kHealth, Intent::kKnowledge}));
  EXPECT_EQ(classify("when are they renewing"), std::vector<Intent>{Intent::kRenewal});
  EXPECT_EQ(classify("Schedule a meeting"), std::vector<Intent>{Intent::kMeeting});
  EXPECT_EQ(classify("list the open tasks"), std::vector<Intent>{Intent::kTasks});
  EXPECT_EQ(classify("open a task to follow up"), std::vector<Intent>{Intent::kTask});
  EXPECT_EQ(classify("Maria seems unhappy"), std::vector<Intent>{Intent::kStakeholderUpdate});
  EXPECT_EQ(classify("hello there"), std::vector<Intent>{Intent::kSummary});
}

TEST(AgentRespond, HealthAnswerCitesTheCustomerAndProposesAReviewWhenRed) {
  const AgentReply reply = respond("what is the health score", context());
  EXPECT_NE(reply.text.find("35 (red)"), std::string::npos) << reply.text;
  EXPECT_TRUE(cites(reply, "c1"));
  ASSERT_EQ(reply.proposals.size(), 1u);
  EXPECT_EQ(reply.proposals[0].action, "open_task");
  EXPECT_EQ(reply.proposals[0].payload.at("due_date"), "2026-12-02");
}

TEST(AgentRespond, RenewalCitesContractAndArticles) {
  const AgentReply reply = respond("when does the contract renew?", context());
  EXPECT_NE(reply.text.find("2027-01-31"), std::string::npos) << reply.text;
  EXPECT_TRUE(cites(reply, "k1"));
  EXPECT_TRUE(cites(reply, "a1"));
  EXPECT_TRUE(reply.proposals.empty());
}

TEST(AgentRespond, MeetingProposalInvitesThePrimaryStakeholderAWeekOut) {
  const AgentReply reply = respond("schedule a renewal meeting", context());
  ASSERT_EQ(reply.proposals.size(), 1u);
  const Proposal& p = reply.proposals[0];
  EXPECT_EQ(p.action, "schedule_meeting");
  EXPECT_EQ(p.payload.at("customer_id"), "c1");
  EXPECT_EQ(p.payload.at("scheduled_at"), "2026-12-02T15:00:00Z");
  EXPECT_EQ(p.payload.at("attendees").as_array(), json::array{"s1"});
  EXPECT_EQ(p.payload.at("title"), "Renewal review: Acme");
  EXPECT_EQ(p.evidence.size(), 2u);
  EXPECT_NE(reply.text.find("nothing runs until you approve"), std::string::npos);
}

TEST(AgentRespond, StageChangeNeedsATarget) {
  AgentReply reply = respond("move them to the at risk stage", context());
  ASSERT_EQ(reply.proposals.size(), 1u);
  EXPECT_EQ(reply.proposals[0].action, "change_stage");
  EXPECT_EQ(reply.proposals[0].payload.at("stage"), "at_risk");
  reply = respond("change the stage", context());
  EXPECT_TRUE(reply.proposals.empty());
  EXPECT_NE(reply.text.find("Which stage"), std::string::npos);
}

TEST(AgentRespond, EmailDraftGoesToThePrimaryStakeholder) {
  const AgentReply reply = respond("draft an email", context());
  ASSERT_EQ(reply.proposals.size(), 1u);
  EXPECT_EQ(reply.proposals[0].action, "draft_email");
  EXPECT_EQ(reply.proposals[0].payload.at("to"), "maria@acme.test");
}

TEST(AgentRespond, UnhappyStakeholderBecomesASentimentUpdate) {
  const AgentReply reply = respond("Maria is frustrated with support", context());
  ASSERT_EQ(reply.proposals.size(), 1u);
  EXPECT_EQ(reply.proposals[0].action, "update_stakeholder");
  EXPECT_EQ(reply.proposals[0].payload.at("stakeholder_id"), "s1");
  EXPECT_EQ(reply.proposals[0].payload.at("fields").at("sentiment"), "negative");
}

TEST(AgentRespond, SummaryOfAnEmptyCustomerDoesNotInvent) {
  const json::object empty = json::parse(R"({"today":"2026-11-25",
    "customer":{"id":"c9","name":"Empty","stage":"prospect"}})").as_object();
  const AgentReply reply = respond("hi", empty);
  EXPECT_NE(reply.text.find("no health score"), std::string::npos) << reply.text;
  EXPECT_NE(reply.text.find("no active contract"), std::string::npos);
  EXPECT_TRUE(reply.proposals.empty());
  ASSERT_EQ(reply.citations.size(), 1u);
  EXPECT_EQ(reply.citations[0].id, "c9");
}

TEST(AgentRespond, SameInputSameReply) {
  const AgentReply a = respond("schedule a call and open a task", context());
  const AgentReply b = respond("schedule a call and open a task", context());
  EXPECT_EQ(a.text, b.text);
  EXPECT_EQ(a.proposals.size(), 2u);
}

}  // namespace
}  // namespace cscx::agents
