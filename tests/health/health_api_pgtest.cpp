// The health /api routes over HTTP against the real `cscx serve` (issue 7):
// a customer's explained score, portfolio, refresh and scorecard (service
// role only), overrides, tasks; another CSM's customer is a 404 everywhere,
// and bad input is a 400 with nothing written.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <memory>
#include <thread>

#include "api/api_fixture.h"

namespace cscx::testing {
namespace {
namespace json = boost::json;
using http::testing::HeaderList;

class HealthApi : public ApiTest {
 protected:
  // No background refresh: the tests refresh when they mean to.
  void SetUp() override {
    load_two_tenants(admin_);
    start_server({{"CSCX_HEALTH_REFRESH_SECONDS", "0"}});
  }

  std::string health_path(char tenant) {
    return "/api/customers/" + tenant_id(tenant, kCustomer) + "/health";
  }
  // What a refused request could have written.
  std::string written() {
    return value("SELECT (SELECT count(*) FROM health_scorecards) || '/' ||"
                 " (SELECT count(*) FROM health_overrides) || '/' ||"
                 " (SELECT count(*) FROM health_snapshots) || '/' ||"
                 " (SELECT count(*) FROM activity_log) || '/' ||"
                 " (SELECT string_agg(coalesce(health_score::text, '-'), ',' ORDER BY id) FROM customers) || '/' ||"
                 " (SELECT string_agg(status || coalesce(note, ''), ',' ORDER BY id) FROM tasks)");
  }
};

TEST_F(HealthApi, HealthExplainsTheScoreAndWhatMovedIt) {
  // A: 1 message (engagement 10), progress 50: (10 + 50) / 2 = 30.
  Reply first = call("POST", "/api/health/refresh", service());
  ASSERT_EQ(first.status, 200u) << first.body;
  EXPECT_EQ(first.json().at("customers").as_int64(), 2) << first.body;
  // Seven more messages: engagement 80, score 65.
  value("INSERT INTO agent_messages (session_id, role, content) SELECT '" +
        tenant_id('a', kSession) + "', 'user', 'x' FROM generate_series(1, 7); SELECT 1");
  ASSERT_EQ(call("POST", "/api/health/refresh", service()).status, 200u);

  Reply r = call("GET", health_path('a'), as('a'));
  ASSERT_EQ(r.status, 200u) << r.body;
  const json::object h = r.json().as_object();
  EXPECT_EQ(h.at("score").as_int64(), 65) << r.body;
  EXPECT_EQ(std::string(h.at("band").as_string()), "yellow");
  EXPECT_EQ(h.at("completeness").to_number<double>(), 1.0);
  const json::object& engagement = h.at("measures").at("engagement").as_object();
  EXPECT_EQ(engagement.at("value").as_int64(), 80);
  EXPECT_EQ(engagement.at("contribution").as_int64(), 40);
  EXPECT_EQ(engagement.at("inputs").at("messages_30d").as_int64(), 8);
  EXPECT_EQ(h.at("measures").at("adoption").at("inputs").at("modules").as_int64(), 1);
  EXPECT_EQ(h.at("previous").at("score").as_int64(), 30);
  const json::array& changes = h.at("changes").as_array();
  ASSERT_EQ(changes.size(), 1u) << r.body;
  EXPECT_EQ(changes[0].at("delta").as_int64(), 35);
  EXPECT_EQ(std::string(changes[0].at("sentence").as_string()),
            "Engagement 10 → 80: 8 messages in 30 days, was 1 messages in 30 days; +35 points");
  // The fixture's open concern is a risk; the stakeholder is no champion.
  std::string kinds;
  for (const auto& risk : h.at("risks").as_array()) kinds += std::string(risk.at("kind").as_string()) + ",";
  EXPECT_EQ(kinds, "risk_insights,no_champion,") << r.body;
  EXPECT_TRUE(h.at("override").is_null());
  EXPECT_TRUE(h.at("trend").at("7_days").at("score").is_null());
}

TEST_F(HealthApi, AnotherCsmsCustomerIsNotFoundOnEveryEndpoint) {
  ASSERT_EQ(call("POST", "/api/health/refresh", service()).status, 200u);
  value("INSERT INTO tasks (id, customer_id, title) VALUES ('b0000000-0000-0000-0000-000000000070', '" +
        tenant_id('b', kCustomer) + "', 'B task'); SELECT 1");
  const std::string before = written();
  EXPECT_EQ(call("GET", health_path('b'), as('a')).status, 404u);
  EXPECT_EQ(call("POST", health_path('b') + "/override", as('a'),
                 R"({"score": 10, "reason": "x", "expires_at": "2999-01-01T00:00:00Z"})")
                .status,
            404u);
  EXPECT_EQ(call("DELETE", health_path('b') + "/override", as('a')).status, 404u);
  EXPECT_EQ(call("PATCH", "/api/tasks/b0000000-0000-0000-0000-000000000070", as('a'),
                 R"({"status": "done"})")
                .status,
            404u);
  Reply tasks = call("GET", "/api/tasks?status=all&customer=" + tenant_id('b', kCustomer), as('a'));
  EXPECT_EQ(tasks.status, 200u);
  EXPECT_EQ(tasks.body, "[]");
  Reply portfolio = call("GET", "/api/health/portfolio", as('a'));
  ASSERT_EQ(portfolio.status, 200u) << portfolio.body;
  EXPECT_EQ(portfolio.json().at("customers").as_int64(), 1);
  EXPECT_EQ(written(), before);
  // B itself sees its own.
  EXPECT_EQ(call("GET", health_path('b'), as('b')).status, 200u);
}

TEST_F(HealthApi, RefreshAndScorecardChangesNeedTheServiceRole) {
  const std::string before = written();
  EXPECT_EQ(call("POST", "/api/health/refresh", as('a')).status, 403u);
  EXPECT_EQ(call("POST", "/api/health/refresh", anon()).status, 403u);
  EXPECT_EQ(call("PUT", "/api/scorecard", as('a'), R"({"weights": {"adoption": 1}})").status, 403u);
  EXPECT_EQ(call("POST", "/api/health/refresh", {}).status, 401u);
  EXPECT_EQ(written(), before);
  Reply card = call("GET", "/api/scorecard", as('a'));
  ASSERT_EQ(card.status, 200u) << card.body;
  EXPECT_EQ(card.json().at("current").at("version").as_int64(), 1);
}

TEST_F(HealthApi, BadScorecardsAre400WithNothingWritten) {
  const std::string before = written();
  for (const char* body : {R"({"weights": {"happiness": 1}})",
                           R"({"weights": {"engagement": -1, "adoption": 1}})",
                           R"({"weights": {"engagement": 0, "adoption": 0}})",
                           R"({"weights": {"adoption": 1}, "missing": "ignore"})", "[1]", "{not json"}) {
    Reply r = call("PUT", "/api/scorecard", service(), body);
    EXPECT_EQ(r.status, 400u) << body << " -> " << r.body;
  }
  EXPECT_NE(call("PUT", "/api/scorecard", service(), R"({"weights": {"happiness": 1}})")
                .body.find("unknown measure"),
            std::string::npos);
  EXPECT_EQ(written(), before);
  Reply ok = call("PUT", "/api/scorecard", service(),
                  R"({"weights": {"engagement": 1, "adoption": 3}, "missing": "renormalize"})");
  ASSERT_EQ(ok.status, 200u) << ok.body;
  EXPECT_EQ(ok.json().at("version").as_int64(), 2);
  ASSERT_EQ(call("POST", "/api/health/refresh", service()).status, 200u);
  // A: (10 x 1 + 50 x 3) / 4 = 40.
  EXPECT_EQ(call("GET", health_path('a'), as('a')).json().at("score").as_int64(), 40);
}

TEST_F(HealthApi, OverrideIsShownRespectedAndCleared) {
  ASSERT_EQ(call("POST", "/api/health/refresh", service()).status, 200u);
  const std::string before = written();
  for (const char* body :
       {R"({"score": 10, "reason": "x", "expires_at": "2000-01-01T00:00:00Z"})",
        R"({"score": 101, "reason": "x", "expires_at": "2999-01-01T00:00:00Z"})",
        R"({"score": 10, "reason": " ", "expires_at": "2999-01-01T00:00:00Z"})",
        R"({"score": 10, "reason": "x", "expires_at": "next tuesday"})",
        R"({"score": 10, "reason": "x"})", R"({"score": 10, "reason": "x", "expires_at": "2999-01-01", "by": 1})"}) {
    Reply r = call("POST", health_path('a') + "/override", as('a'), body);
    EXPECT_EQ(r.status, 400u) << body << " -> " << r.body;
  }
  EXPECT_NE(call("POST", health_path('a') + "/override", as('a'),
                 R"({"score": 10, "reason": "x", "expires_at": "2000-01-01T00:00:00Z"})")
                .body.find("expires_at must be in the future"),
            std::string::npos);
  EXPECT_EQ(written(), before);

  Reply set = call("POST", health_path('a') + "/override", as('a'),
                   R"({"score": 90, "reason": "Signed the expansion", "expires_at": "2999-01-01T00:00:00Z"})");
  ASSERT_EQ(set.status, 200u) << set.body;
  EXPECT_EQ(set.json().at("score").as_int64(), 90);
  EXPECT_EQ(set.json().at("computed_score").as_int64(), 30);
  EXPECT_EQ(std::string(set.json().at("band").as_string()), "green");
  EXPECT_EQ(std::string(set.json().at("override").at("reason").as_string()), "Signed the expansion");
  ASSERT_EQ(call("POST", "/api/health/refresh", service()).status, 200u);
  EXPECT_EQ(call("GET", health_path('a'), as('a')).json().at("score").as_int64(), 90);
  EXPECT_EQ(value("SELECT health_score FROM customers WHERE id = '" + tenant_id('a', kCustomer) + "'"), "90");

  Reply cleared = call("DELETE", health_path('a') + "/override", as('a'));
  ASSERT_EQ(cleared.status, 200u) << cleared.body;
  EXPECT_TRUE(cleared.json().at("override").is_null());
  EXPECT_EQ(cleared.json().at("score").as_int64(), 30);
  EXPECT_EQ(value("SELECT string_agg(action, ',' ORDER BY created_at) FROM activity_log"
                  " WHERE entity_type = 'health_overrides'"),
            "insert,update");
}

TEST_F(HealthApi, TasksAreListedFilteredAndUpdated) {
  value("INSERT INTO tasks (id, customer_id, title, owner, due_date) VALUES"
        " ('a0000000-0000-0000-0000-000000000070', '" + tenant_id('a', kCustomer) +
        "', 'Call the sponsor', '" + tenant_id('a', kUser) + "', '2030-01-10'),"
        " ('a0000000-0000-0000-0000-000000000071', '" + tenant_id('a', kCustomer) +
        "', 'Unassigned', NULL, '2030-02-10'); SELECT 1");
  Reply all = call("GET", "/api/tasks", as('a'));
  ASSERT_EQ(all.status, 200u) << all.body;
  EXPECT_EQ(all.json().as_array().size(), 2u);
  Reply mine = call("GET", "/api/tasks?mine=true&due=2030-01-31", as('a'));
  ASSERT_EQ(mine.status, 200u) << mine.body;
  ASSERT_EQ(mine.json().as_array().size(), 1u);
  EXPECT_EQ(std::string(mine.json().as_array()[0].at("title").as_string()), "Call the sponsor");
  EXPECT_EQ(std::string(mine.json().as_array()[0].at("customer_name").as_string()), "Customer a");
  for (const char* query : {"?status=closed", "?due=tomorrow", "?customer=42", "?mine=yes"}) {
    EXPECT_EQ(call("GET", std::string("/api/tasks") + query, as('a')).status, 400u) << query;
  }

  const std::string before = written();
  const std::string task = "/api/tasks/a0000000-0000-0000-0000-000000000070";
  for (const char* body : {R"({"status": "finished"})", R"({})", R"({"due_date": "soon"})",
                           R"({"owner": "me"})", R"({"priority": 1})"}) {
    EXPECT_EQ(call("PATCH", task, as('a'), body).status, 400u) << body;
  }
  EXPECT_EQ(written(), before);
  Reply done = call("PATCH", task, as('a'), R"({"status": "done", "note": "Spoke on Monday"})");
  ASSERT_EQ(done.status, 200u) << done.body;
  EXPECT_EQ(std::string(done.json().at("status").as_string()), "done");
  EXPECT_FALSE(done.json().at("closed_at").is_null());
  EXPECT_EQ(call("GET", "/api/tasks", as('a')).json().as_array().size(), 1u);
  EXPECT_EQ(call("GET", "/api/tasks?status=done", as('a')).json().as_array().size(), 1u);
  EXPECT_EQ(value("SELECT count(*) FROM activity_log WHERE entity_type = 'tasks' AND action = 'update'"),
            "1");
}

// Two servers on one database, each scheduled every 2 s: refreshes happen,
// never two at once, and never two within 90% of an interval (one process
// refreshes per interval).
TEST_F(HealthApi, ScheduledRefreshRunsInOneProcessPerInterval) {
  auto start = [&] {
    return std::make_unique<ServerProcess>(
        std::vector<std::string>{},
        std::map<std::string, std::string>{{"DATABASE_URL", db_.url()},
                                           {"CSCX_API_DATABASE_URL", db_.url_as("authenticator")},
                                           {"CSCX_JWT_SECRET", kSecret},
                                           {"CSCX_HOME", home_.path()},
                                           {"CSCX_HEALTH_REFRESH_SECONDS", "2"},
                                           {"CSCX_THREADS", "1"}});
  };
  auto first = start();
  auto second = start();
  // Polls (no timing assertion): up to 60 s for three runs.
  for (int i = 0; i < 120 && std::stoi(value("SELECT count(*) FROM cscx_health.refresh_runs")) < 3; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  first.reset();
  second.reset();
  ASSERT_GE(std::stoi(value("SELECT count(*) FROM cscx_health.refresh_runs")), 3);
  EXPECT_EQ(value("SELECT count(*) FROM (SELECT finished_at - lag(finished_at) OVER (ORDER BY id) AS gap"
                  " FROM cscx_health.refresh_runs) g WHERE g.gap < interval '1.8 seconds'"),
            "0");
  // Each run wrote one snapshot per customer.
  EXPECT_EQ(value("SELECT count(*) = 2 * (SELECT count(*) FROM cscx_health.refresh_runs)"
                  " FROM health_snapshots"),
            "t");
}

}  // namespace
}  // namespace cscx::testing
