// /api/agents over HTTP (issue 8): sessions, chat with the built-in agent,
// and approvals end to end: a proposal runs only when approved, in the
// transaction that marks it; rejected, expired, twice-approved and other
// CSMs' approvals change nothing. The chat finds articles with the
// knowledge base's hybrid search, as the caller, and by full text while
// the index loads.
#include <chrono>
#include <set>
#include <thread>

#include "api/workspace_fixture.h"

namespace cscx::testing {
namespace {
namespace json = boost::json;

class AgentApi : public WorkspaceApi {
 protected:
  // Every table the agent routes or an approved action write.
  std::string agent_rows() {
    return value(
        "SELECT concat_ws('/', (SELECT count(*) FROM agent_sessions),"
        " (SELECT count(*) FROM agent_messages), (SELECT count(*) FROM approvals),"
        " (SELECT count(*) FROM meetings), (SELECT count(*) FROM tasks),"
        " (SELECT count(*) FROM activity_log),"
        " (SELECT string_agg(md5(a::text), ',' ORDER BY id) FROM approvals a),"
        " (SELECT string_agg(md5(c::text), ',' ORDER BY id) FROM customers c),"
        " (SELECT string_agg(md5(s::text), ',' ORDER BY id) FROM stakeholders s))");
  }

  std::string new_session(char tenant) {
    Reply r = call("POST", "/api/agents/sessions", as(tenant),
                   R"({"customer_id":")" + tenant_id(tenant, kCustomer) +
                       R"(","title":"Renewal prep"})");
    EXPECT_EQ(r.status, 201u) << r.body;
    return std::string(r.json().at("id").as_string());
  }

  Reply chat(char tenant, const std::string& session, const std::string& message) {
    return call("POST", "/api/agents/chat", as(tenant),
                json::serialize(json::object{{"session_id", session}, {"message", message}}));
  }

  // The id of the one approval a chat proposed.
  std::string proposed(const Reply& r, std::string_view action) {
    const json::value body = r.json();
    const json::array& approvals = body.at("approvals").as_array();
    EXPECT_EQ(approvals.size(), 1u) << r.body;
    if (approvals.size() != 1) return "";
    EXPECT_EQ(approvals[0].at("action").as_string(), action) << r.body;
    EXPECT_EQ(approvals[0].at("status"), "pending");
    return std::string(approvals[0].at("id").as_string());
  }

  // An article written through the API, so the index has it at once.
  std::string create_article(json::object fields) {
    Reply r = call("POST", "/api/knowledge", service(), json::serialize(fields));
    EXPECT_EQ(r.status, 201u) << r.body;
    return r.status == 201 ? std::string(r.json().at("id").as_string()) : "";
  }

  // The ids of the articles a chat reply cites in its metadata.
  static std::set<std::string> cited_articles(const Reply& r) {
    std::set<std::string> ids;
    const json::value body = r.json();
    for (const json::value& c : body.at("reply").at("metadata").at("citations").as_array()) {
      if (c.at("type") == "article") ids.emplace(c.at("id").as_string());
    }
    return ids;
  }

  Reply decide(char tenant, const std::string& id, bool approved,
               const std::string& comment = "ok") {
    return call("POST", "/api/agents/approve/" + id, as(tenant),
                json::serialize(json::object{{"approved", approved}, {"comment", comment}}));
  }
};

TEST_F(AgentApi, SessionIsCreatedForAVisibleCustomerAndReadBack) {
  const std::string id = new_session('a');
  EXPECT_EQ(value("SELECT concat_ws('/', customer_id, user_id, context->>'title')"
                  " FROM agent_sessions WHERE id = '" + id + "'"),
            tenant_id('a', kCustomer) + "/" + tenant_id('a', kUser) + "/Renewal prep");
  Reply r = get("/api/agents/sessions/" + id, 'a');
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json().at("id").as_string(), id);
  EXPECT_TRUE(r.json().at("messages").as_array().empty());
  EXPECT_EQ(get("/api/agents/sessions/" + id, 'b').status, 404u);
  EXPECT_EQ(get("/api/agents/sessions/not-a-uuid", 'a').status, 400u);
}

TEST_F(AgentApi, BadSessionRequestsAre400AndWriteNothing) {
  const std::string before = agent_rows();
  const std::string customer = tenant_id('a', kCustomer);
  for (const std::string& body : std::vector<std::string>{
           "{}", "[]", "not json", R"({"customer_id":"x"})",
           R"({"customer_id":")" + customer + R"(","title":""})",
           R"({"customer_id":")" + customer + R"(","context":[1]})",
           R"({"customer_id":")" + customer + R"(","agent":"other"})"}) {
    Reply r = call("POST", "/api/agents/sessions", as('a'), body);
    EXPECT_EQ(r.status, 400u) << body << ": " << r.body;
    EXPECT_EQ(r.code(), "invalid_argument") << body;
  }
  EXPECT_EQ(agent_rows(), before);
}

TEST_F(AgentApi, SessionForAnotherCsmsCustomerIs404AndAnonIs401) {
  const std::string before = agent_rows();
  const std::string body = R"({"customer_id":")" + tenant_id('b', kCustomer) + R"("})";
  EXPECT_EQ(call("POST", "/api/agents/sessions", as('a'), body).status, 404u);
  EXPECT_EQ(call("POST", "/api/agents/sessions", anon(), body).status, 401u);
  EXPECT_EQ(agent_rows(), before);
}

TEST_F(AgentApi, ChatStoresTheMessageAndACitedReplyOldestFirst) {
  const std::string session = new_session('a');
  Reply r = chat('a', session, "how are they doing? who are the stakeholders?");
  ASSERT_EQ(r.status, 201u) << r.body;
  const std::string reply(r.json().at("reply").at("content").as_string());
  EXPECT_NE(reply.find("[customer:" + tenant_id('a', kCustomer) + "]"), std::string::npos)
      << reply;
  EXPECT_NE(reply.find("[stakeholder:" + tenant_id('a', kStakeholder) + "]"), std::string::npos)
      << reply;
  Reply read = get("/api/agents/sessions/" + session, 'a');
  ASSERT_EQ(read.status, 200u) << read.body;
  const json::value session_json = read.json();
  const json::array& messages = session_json.at("messages").as_array();
  ASSERT_EQ(messages.size(), 2u);
  EXPECT_EQ(messages[0].at("role"), "user");
  EXPECT_EQ(messages[1].at("role"), "agent");
  EXPECT_EQ(messages[1].at("agent_id"), "cscx-builtin");
  EXPECT_EQ(value("SELECT metadata->'citations' @> '[{\"type\":\"stakeholder\",\"id\":\"" +
                  tenant_id('a', kStakeholder) + "\"}]' FROM agent_messages WHERE session_id = '" +
                  session + "' AND role = 'agent'"),
            "t");
}

TEST_F(AgentApi, ChatCitesPublicArticlesOnlyThroughFullTextSearch) {
  value("INSERT INTO knowledge_base (id, title, content, is_public) VALUES"
        " ('d0000000-0000-0000-0000-000000000001', 'Renewal playbook',"
        "  'How to prepare a renewal conversation', true),"
        " ('d0000000-0000-0000-0000-000000000002', 'Internal renewal pricing',"
        "  'Secret renewal discounts', false) RETURNING 1");
  const std::string session = new_session('a');
  Reply r = chat('a', session, "how should I prepare the renewal?");
  ASSERT_EQ(r.status, 201u) << r.body;
  const std::string content(r.json().at("reply").at("content").as_string());
  EXPECT_NE(content.find("[article:d0000000-0000-0000-0000-000000000001]"), std::string::npos)
      << content;
  EXPECT_EQ(content.find("d0000000-0000-0000-0000-000000000002"), std::string::npos) << content;
}

TEST_F(AgentApi, ChatCitesAnArticleOnlyTheSemanticHalfOfTheSearchFinds) {
  wait_for_index();
  const std::string id = create_article(
      {{"title", "Renewal playbook"},
       {"content", "Start renewal conversations ninety days before the term ends."}});
  // Misspelt: no word of it is in any article, so full text alone (the
  // agent's own lookup before it used the hybrid search: any of the words)
  // finds nothing; the character trigrams of the embedding still match.
  const std::string message = "the renwal conversatons?";
  EXPECT_EQ(value("SELECT count(*) FROM knowledge_base"
                  " WHERE to_tsvector('english', title || ' ' || content) @@"
                  " replace(plainto_tsquery('english', '" + message + "')::text,"
                  " ' & ', ' | ')::tsquery"),
            "0");
  Reply r = chat('a', new_session('a'), message);
  ASSERT_EQ(r.status, 201u) << r.body;
  EXPECT_EQ(cited_articles(r), std::set<std::string>{id}) << r.body;
  const std::string content(r.json().at("reply").at("content").as_string());
  EXPECT_NE(content.find("[article:" + id + "]"), std::string::npos) << content;
}

TEST_F(AgentApi, ChatNeverCitesANonPublicOrAnotherCsmsCustomersArticle) {
  wait_for_index();
  const std::string shared =
      create_article({{"title", "Renewal basics"}, {"content", "Renewal steps for all."}});
  const std::string hidden = create_article({{"title", "Renewal pricing floor"},
                                             {"content", "Internal renewal discount limits."},
                                             {"is_public", false}});
  const std::string for_b = create_article(
      {{"title", "Renewal plan for customer B"},
       {"content", "Renewal risks of this one customer."},
       {"metadata", json::object{{"customer_id", tenant_id('b', kCustomer)}}}});
  // Both halves of the search match all three; RLS leaves each CSM theirs.
  const std::string message = "What about the renewal?";
  Reply a = chat('a', new_session('a'), message);
  ASSERT_EQ(a.status, 201u) << a.body;
  EXPECT_EQ(cited_articles(a), std::set<std::string>{shared}) << a.body;
  for (const std::string& unseen : {hidden, for_b, std::string(kPrivateArticleId)}) {
    EXPECT_EQ(a.body.find(unseen), std::string::npos) << a.body;
  }
  Reply b = chat('b', new_session('b'), message);
  ASSERT_EQ(b.status, 201u) << b.body;
  EXPECT_EQ(cited_articles(b), (std::set<std::string>{shared, for_b})) << b.body;
  EXPECT_EQ(b.body.find(hidden), std::string::npos) << b.body;
}

TEST_F(AgentApi, BadChatIs400AndAnotherCsmsSessionIs404WritingNothing) {
  const std::string session = new_session('a');
  const std::string before = agent_rows();
  for (const std::string& body : std::vector<std::string>{
           "{}", R"({"session_id":")" + session + R"("})",
           R"({"session_id":"nope","message":"hi"})",
           R"({"session_id":")" + session + R"(","message":"   "})",
           R"({"session_id":")" + session + R"(","message":"hi","expires_in_hours":0})",
           R"({"session_id":")" + session + R"(","message":"hi","tone":"warm"})"}) {
    Reply r = call("POST", "/api/agents/chat", as('a'), body);
    EXPECT_EQ(r.status, 400u) << body << ": " << r.body;
    EXPECT_EQ(r.code(), "invalid_argument") << body;
  }
  EXPECT_EQ(chat('b', session, "schedule a meeting").status, 404u);
  EXPECT_EQ(agent_rows(), before);
}

TEST_F(AgentApi, ApprovedMeetingIsScheduledInTheSameTransaction) {
  const std::string session = new_session('a');
  Reply r = chat('a', session, "please schedule a meeting");
  ASSERT_EQ(r.status, 201u) << r.body;
  const std::string id = proposed(r, "schedule_meeting");
  EXPECT_EQ(value("SELECT count(*) FROM meetings WHERE customer_id = '" +
                  tenant_id('a', kCustomer) + "'"),
            "1");  // the fixture's; nothing ran yet
  Reply pending = get("/api/agents/pending", 'a');
  ASSERT_EQ(pending.status, 200u) << pending.body;
  EXPECT_NE(pending.body.find(id), std::string::npos);
  EXPECT_EQ(get("/api/agents/pending", 'b').body.find(id), std::string::npos);

  Reply approved = decide('a', id, true, "go ahead");
  ASSERT_EQ(approved.status, 200u) << approved.body;
  EXPECT_EQ(approved.json().at("status"), "approved");
  const std::string meeting(approved.json().at("metadata").at("result").at("meeting_id").as_string());
  EXPECT_EQ(value("SELECT concat_ws('/', customer_id, duration, attendees->0->>'stakeholder_id')"
                  " FROM meetings WHERE id = '" + meeting + "'"),
            tenant_id('a', kCustomer) + "/30/" + tenant_id('a', kStakeholder));
  EXPECT_EQ(value("SELECT concat_ws('/', status, resolved_by, comment) FROM approvals"
                  " WHERE id = '" + id + "'"),
            "approved/" + tenant_id('a', kUser) + "/go ahead");
  // Audited, and on the timeline.
  EXPECT_EQ(value("SELECT count(*) FROM activity_log WHERE entity_id = '" + id +
                  "' AND action = 'update'"),
            "1");
  Reply timeline =
      get("/api/customers/" + tenant_id('a', kCustomer) + "/timeline?type=approval", 'a');
  ASSERT_EQ(timeline.status, 200u) << timeline.body;
  bool shown = false;
  const json::value events = timeline.json();
  for (const json::value& event : events.as_array()) {
    if (event.at("id").as_string() != id) continue;
    shown = true;
    EXPECT_EQ(event.at("detail").at("status"), "approved");
    EXPECT_EQ(event.at("detail").at("comment"), "go ahead");
    EXPECT_EQ(event.at("detail").at("result").at("meeting_id").as_string(), meeting);
    EXPECT_EQ(event.at("detail").at("payload").at("title").as_string(),
              value("SELECT title FROM meetings WHERE id = '" + meeting + "'"));
  }
  EXPECT_TRUE(shown) << timeline.body;

  // Twice: refused, nothing more runs.
  const std::string before = agent_rows();
  Reply again = decide('a', id, true);
  EXPECT_EQ(again.status, 409u) << again.body;
  EXPECT_EQ(again.code(), "conflict");
  EXPECT_EQ(agent_rows(), before);
}

TEST_F(AgentApi, TwoConcurrentApprovalsRunTheActionOnce) {
  const std::string session = new_session('a');
  const std::string id = proposed(chat('a', session, "schedule a meeting"), "schedule_meeting");
  const std::string meetings_before = value("SELECT count(*) FROM meetings");
  Reply first;
  Reply second;
  std::thread other([&] { second = decide('a', id, true); });
  first = decide('a', id, true);
  other.join();
  std::multiset<unsigned> statuses{first.status, second.status};
  EXPECT_EQ(statuses, (std::multiset<unsigned>{200u, 409u})) << first.body << " / " << second.body;
  EXPECT_EQ(value("SELECT count(*) FROM meetings"), std::to_string(std::stoi(meetings_before) + 1));
}

TEST_F(AgentApi, ApprovedStageChangeAndTaskTakeEffect) {
  const std::string session = new_session('a');
  const std::string stage = proposed(chat('a', session, "move them to the at risk stage"),
                                     "change_stage");
  ASSERT_EQ(decide('a', stage, true).status, 200u);
  EXPECT_EQ(value("SELECT stage FROM customers WHERE id = '" + tenant_id('a', kCustomer) + "'"),
            "at_risk");
  const std::string task =
      proposed(chat('a', session, "open a task to review the roadmap"), "open_task");
  Reply r = decide('a', task, true);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(value("SELECT concat_ws('/', status, source, owner, title) FROM tasks"
                  " WHERE metadata->>'approval_id' = '" + task + "'"),
            "open/agent/" + tenant_id('a', kUser) + "/open a task to review the roadmap");
}

TEST_F(AgentApi, ApprovedStakeholderUpdateAndEmailDraftTakeEffect) {
  value("UPDATE stakeholders SET email = 'stake@a.test' WHERE id = '" +
        tenant_id('a', kStakeholder) + "' RETURNING 1");
  const std::string session = new_session('a');
  const std::string update =
      proposed(chat('a', session, "Stake is frustrated"), "update_stakeholder");
  ASSERT_EQ(decide('a', update, true).status, 200u);
  EXPECT_EQ(value("SELECT sentiment FROM stakeholders WHERE id = '" +
                  tenant_id('a', kStakeholder) + "'"),
            "negative");
  const std::string email = proposed(chat('a', session, "draft an email"), "draft_email");
  ASSERT_EQ(decide('a', email, true).status, 200u);
  EXPECT_EQ(value("SELECT metadata->>'to' FROM agent_messages WHERE metadata->>'approval_id' = '" +
                  email + "'"),
            "stake@a.test");
}

TEST_F(AgentApi, RejectedApprovalChangesOnlyItsStatus) {
  const std::string session = new_session('a');
  const std::string id = proposed(chat('a', session, "move them to churned stage"),
                                  "change_stage");
  Reply r = decide('a', id, false, "not yet");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json().at("status"), "rejected");
  EXPECT_EQ(value("SELECT stage FROM customers WHERE id = '" + tenant_id('a', kCustomer) + "'"),
            "prospect");
  EXPECT_EQ(value("SELECT comment FROM approvals WHERE id = '" + id + "'"), "not yet");
  EXPECT_EQ(decide('a', id, true).status, 409u);
  EXPECT_EQ(value("SELECT stage FROM customers WHERE id = '" + tenant_id('a', kCustomer) + "'"),
            "prospect");
}

TEST_F(AgentApi, ExpiredApprovalRunsNothing) {
  const std::string session = new_session('a');
  const std::string id =
      proposed(chat('a', session, "open a task to review the roadmap"), "open_task");
  value("UPDATE approvals SET metadata = jsonb_set(metadata, '{expires_at}',"
        " to_jsonb(now() - interval '1 hour')) WHERE id = '" + id + "' RETURNING 1");
  EXPECT_EQ(get("/api/agents/pending", 'a').body.find(id), std::string::npos);
  Reply r = decide('a', id, true);
  EXPECT_EQ(r.status, 409u) << r.body;
  EXPECT_EQ(value("SELECT status FROM approvals WHERE id = '" + id + "'"), "expired");
  EXPECT_EQ(value("SELECT count(*) FROM tasks WHERE metadata->>'approval_id' = '" + id + "'"),
            "0");
}

TEST_F(AgentApi, AnotherCsmsApprovalIs404AndStaysPending) {
  const std::string session = new_session('a');
  const std::string id = proposed(chat('a', session, "schedule a meeting"), "schedule_meeting");
  const std::string before = agent_rows();
  EXPECT_EQ(decide('b', id, true).status, 404u);
  EXPECT_EQ(decide('b', id, false).status, 404u);
  EXPECT_EQ(agent_rows(), before);
}

TEST_F(AgentApi, ActionThatCannotRunMarksNothing) {
  const std::string session = new_session('a');
  const std::string id = proposed(chat('a', session, "schedule a meeting"), "schedule_meeting");
  // The attendee is gone: the meeting statement inserts nothing.
  value("DELETE FROM training_progress WHERE stakeholder_id = '" + tenant_id('a', kStakeholder) +
        "'; DELETE FROM stakeholders WHERE id = '" + tenant_id('a', kStakeholder) +
        "' RETURNING 1");
  const std::string before = agent_rows();
  Reply r = decide('a', id, true);
  EXPECT_EQ(r.status, 400u) << r.body;
  EXPECT_EQ(agent_rows(), before);
  EXPECT_EQ(value("SELECT status FROM approvals WHERE id = '" + id + "'"), "pending");
}

TEST_F(AgentApi, BadDecisionsAre400) {
  const std::string before = agent_rows();
  const std::string id = tenant_id('a', kApproval);
  for (const std::string& body :
       std::vector<std::string>{"{}", R"({"approved":"yes"})", R"({"approved":true,"x":1})",
                                R"({"approved":true,"comment":5})"}) {
    Reply r = call("POST", "/api/agents/approve/" + id, as('a'), body);
    EXPECT_EQ(r.status, 400u) << body << ": " << r.body;
  }
  EXPECT_EQ(call("POST", "/api/agents/approve/nope", as('a'), R"({"approved":true})").status,
            400u);
  EXPECT_EQ(agent_rows(), before);
}

// A server whose knowledge index load is held after its first page (the
// test-only pause of KnowledgeApiWhileLoading): the search it shares with
// the agent ranks by full text alone.
class AgentApiWhileLoading : public AgentApi {
 protected:
  void SetUp() override {
    if (pgvector_storage()) GTEST_SKIP() << "with pgvector no index is loaded in memory";
    load_two_tenants(admin_);
    start_server_while_the_index_loads();
  }

  // /ready's "knowledge" once the first page of 1000 is in (or after 60 s).
  json::value knowledge_after_first_page() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    json::value knowledge;
    do {
      const json::value ready = call("GET", "/ready", {}).json();
      if (ready.is_object()) knowledge = ready.at("knowledge");
      if (knowledge.is_object() && knowledge.at("articles") == 1000) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    } while (std::chrono::steady_clock::now() < deadline);
    return knowledge;
  }
};

TEST_F(AgentApiWhileLoading, ChatStillCitesFullTextMatches) {
  const json::value knowledge = knowledge_after_first_page();
  ASSERT_TRUE(knowledge.is_object());
  ASSERT_EQ(knowledge.at("index"), "loading") << json::serialize(knowledge);
  Reply r = chat('a', new_session('a'), "what are the churn signals?");
  ASSERT_EQ(r.status, 201u) << r.body;
  EXPECT_EQ(cited_articles(r), std::set<std::string>{"d0000000-0000-0000-0000-000000000002"})
      << r.body;
  EXPECT_EQ(call("GET", "/ready", {}).json().at("knowledge").at("index"), "loading");
}

}  // namespace
}  // namespace cscx::testing
