// GET /api/customers/:id/timeline over HTTP (issue 8): one stream merged from
// activity_log, meetings, insights, agent messages, contracts, approvals and
// tasks,
// newest first, with type and date filters and keyset pages.
#include <set>

#include "api/workspace_fixture.h"

namespace cscx::testing {
namespace {
namespace json = boost::json;

class TimelineApi : public WorkspaceApi {
 protected:
  // Fixed, distinct times for A's fixture rows, one per source.
  void SetUp() override {
    WorkspaceApi::SetUp();
    auto at = [&](const char* table, TenantRow row, const char* when) {
      value(std::string("UPDATE ") + table + " SET " +
            (std::string(table) == "meetings" ? "scheduled_at" : "created_at") + " = '" + when +
            "' WHERE id = '" + tenant_id('a', row) + "' RETURNING 1");
    };
    at("activity_log", kActivity, "2026-01-01T10:00:00Z");
    at("contracts", kContract, "2026-01-02T10:00:00Z");
    at("agent_messages", kMessage, "2026-01-03T10:00:00Z");
    at("approvals", kApproval, "2026-01-04T10:00:00Z");
    at("meetings", kMeeting, "2026-01-05T10:00:00Z");
    at("insights", kInsight, "2026-01-06T10:00:00Z");
  }

  std::vector<std::string> types(const Reply& r) {
    std::vector<std::string> out;
    json::value v = r.json();
    if (!v.is_array()) return {"<not an array: " + r.body.substr(0, 300) + ">"};
    for (const auto& e : v.as_array()) out.emplace_back(e.at("type").as_string());
    return out;
  }

  std::string path() { return "/api/customers/" + tenant_id('a', kCustomer) + "/timeline"; }
};

TEST_F(TimelineApi, MergesEverySourceNewestFirst) {
  Reply r = get(path(), 'a');
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(types(r), (std::vector<std::string>{"insight", "meeting", "approval",
                                                "agent_message", "contract", "activity"}));
  const json::value first = r.json().at(0);
  EXPECT_EQ(first.at("id"), tenant_id('a', kInsight).c_str());
  EXPECT_EQ(first.at("detail").at("content"), "pricing");
  EXPECT_EQ(r.json().at(1).at("detail").at("title"), "Kickoff");
  EXPECT_EQ(r.next_cursor, "");
}

TEST_F(TimelineApi, FiltersByTypeAndDate) {
  EXPECT_EQ(types(get(path() + "?type=meeting,contract", 'a')),
            (std::vector<std::string>{"meeting", "contract"}));
  // `to` as a date includes that whole day.
  EXPECT_EQ(types(get(path() + "?from=2026-01-03&to=2026-01-04", 'a')),
            (std::vector<std::string>{"approval", "agent_message"}));
  EXPECT_EQ(types(get(path() + "?from=2026-01-05T10:00:00Z", 'a')),
            (std::vector<std::string>{"insight", "meeting"}));
  EXPECT_EQ(types(get(path() + "?to=2026-01-02T10:00:00%2B00:00", 'a')),
            std::vector<std::string>{"activity"});
}

TEST_F(TimelineApi, KeysetPagesCoverEveryEventOnce) {
  std::vector<std::string> seen;
  std::string target = path() + "?limit=4";
  Reply first = get(target, 'a');
  ASSERT_EQ(first.status, 200u) << first.body;
  ASSERT_FALSE(first.next_cursor.empty());
  Reply second = get(target + "&cursor=" + first.next_cursor, 'a');
  ASSERT_EQ(second.status, 200u) << second.body;
  EXPECT_EQ(second.next_cursor, "");
  EXPECT_EQ(types(first),
            (std::vector<std::string>{"insight", "meeting", "approval", "agent_message"}));
  EXPECT_EQ(types(second), (std::vector<std::string>{"contract", "activity"}));
}

TEST_F(TimelineApi, WritesThroughTheApiShowUp) {
  ASSERT_EQ(call("PATCH", "/api/customers/" + tenant_id('a', kCustomer), as('a'),
                 R"({"stage":"active"})")
                .status,
            200u);
  Reply r = get(path() + "?type=activity&limit=1", 'a');
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json().at(0).at("detail").at("action"), "update");
  EXPECT_EQ(r.json().at(0).at("detail").at("entity_type"), "customers");
}

TEST_F(TimelineApi, TasksShowUpWithTheirState) {
  value("INSERT INTO public.tasks (customer_id, title, source, rule_key, due_date, created_at)"
        " VALUES ('" + tenant_id('a', kCustomer) + "', 'Renewal in 90 days', 'renewal',"
        " 'renewal:90', '2026-04-01', '2026-01-07T10:00:00Z') RETURNING 1");
  Reply r = get(path(), 'a');
  ASSERT_EQ(r.status, 200u) << r.body;
  ASSERT_EQ(types(r).front(), "task");
  const json::value detail = r.json().at(0).at("detail");
  EXPECT_EQ(detail.at("title"), "Renewal in 90 days");
  EXPECT_EQ(detail.at("status"), "open");
  EXPECT_EQ(detail.at("source"), "renewal");
  EXPECT_EQ(detail.at("due_date"), "2026-04-01");
  EXPECT_EQ(types(get(path() + "?type=task", 'a')), std::vector<std::string>{"task"});
}

TEST_F(TimelineApi, BadParametersAre400) {
  for (const char* q : {"?type=email", "?type=meeting,", "?from=yesterday", "?to=2026-13-01",
                        "?limit=500", "?cursor=abc", "?sort=at"}) {
    Reply r = get(path() + q, 'a');
    EXPECT_EQ(r.status, 400u) << q << ": " << r.body;
    EXPECT_EQ(r.code(), "invalid_argument") << q;
  }
  EXPECT_EQ(get("/api/customers/xyz/timeline", 'a').status, 400u);
}

TEST_F(TimelineApi, AnotherCsmGets404AndAnEmptyCustomerAnEmptyList) {
  Reply hidden = get(path(), 'b');
  EXPECT_EQ(hidden.status, 404u) << hidden.body;
  EXPECT_EQ(hidden.body.find("pricing"), std::string::npos);
  value("INSERT INTO customers (id, name, csm_id) VALUES"
        " ('a0000000-0000-0000-0000-000000000201', 'Quiet', '" + tenant_id('a', kUser) +
        "') RETURNING 1");
  Reply empty = get("/api/customers/a0000000-0000-0000-0000-000000000201/timeline", 'a');
  EXPECT_EQ(empty.status, 200u) << empty.body;
  EXPECT_EQ(empty.body, "[]");
}

}  // namespace
}  // namespace cscx::testing
