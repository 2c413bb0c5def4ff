// Health scoring in the database (migrations/006_health.sql, issue 7): the
// default scorecard is the seed's update_health_score, missing data is never
// silent, history explains every change, overrides expire, rules open one
// task and close it on recovery, renewal tasks open once per threshold, a
// CSM sees only their own tasks and snapshots, and one refresh runs at a time.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "schema/tenant_fixture.h"
#include "support/test_database.h"

namespace cscx::testing {
namespace {

// The seed's update_health_score, verbatim but for its name and the UPDATE:
// the reference the default scorecard must reproduce.
constexpr const char* kSeedFunction = R"sql(
CREATE FUNCTION pg_temp.seed_health_score(customer_uuid UUID)
RETURNS INTEGER AS $$
DECLARE
  engagement_score INTEGER;
  adoption_score INTEGER;
  total_score INTEGER;
BEGIN
  SELECT LEAST(100, COUNT(*) * 10) INTO engagement_score
  FROM agent_messages am
  JOIN agent_sessions s ON s.id = am.session_id
  WHERE s.customer_id = customer_uuid
  AND am.created_at > NOW() - INTERVAL '30 days';

  SELECT COALESCE(AVG(progress), 0) INTO adoption_score
  FROM training_progress
  WHERE customer_id = customer_uuid;

  total_score := (engagement_score + adoption_score) / 2;
  RETURN total_score;
END;
$$ LANGUAGE plpgsql;
SELECT 1)sql";

// `customers` random customers of CSM A (on top of the fixture's), with
// random sessions, messages over 60 days (some exactly at the 30-day edge
// region), training progress including NULLs and x.5 averages, insights and
// contracts. setseed makes a failure reproducible.
std::string random_data_sql(int customers, double seed) {
  const std::string n = std::to_string(customers);
  return "SELECT setseed(" + std::to_string(seed) + ");\n"
         "INSERT INTO training_modules (id, title) SELECT ('d0000000-0000-0000-0000-0000000000' "
         "|| lpad(g::text, 2, '0'))::uuid, 'm' || g FROM generate_series(1, 6) g "
         "ON CONFLICT DO NOTHING;\n"
         "INSERT INTO customers (id, name, csm_id) SELECT gen_random_uuid(), 'r' || g, '" +
         tenant_id('a', kUser) + "' FROM generate_series(1, " + n + ") g;\n"
         "INSERT INTO agent_sessions (customer_id) SELECT id FROM customers "
         "WHERE name LIKE 'r%' AND random() < 0.8;\n"
         "INSERT INTO agent_sessions (customer_id) SELECT id FROM customers "
         "WHERE name LIKE 'r%' AND random() < 0.3;\n"
         "INSERT INTO agent_messages (session_id, role, content, created_at) "
         "SELECT s.id, 'user', 'x', now() - random() * interval '60 days' "
         "FROM agent_sessions s, generate_series(1, 12) g WHERE random() < 0.6;\n"
         "INSERT INTO stakeholders (id, customer_id, name) "
         "SELECT gen_random_uuid(), c.id, 's' || g FROM customers c, generate_series(1, 2) g "
         "WHERE c.name LIKE 'r%';\n"
         "INSERT INTO training_progress (customer_id, stakeholder_id, module_id, progress) "
         "SELECT s.customer_id, s.id, m.id, CASE WHEN random() < 0.1 THEN NULL "
         "ELSE (random() * 100)::int END "
         "FROM stakeholders s JOIN customers c ON c.id = s.customer_id AND c.name LIKE 'r%', "
         "training_modules m WHERE random() < 0.4;\n"
         "INSERT INTO insights (customer_id, source, type, content) "
         "SELECT c.id, 'meeting', (ARRAY['decision','concern','risk','quote'])[1 + (random() * 3)::int], 'x' "
         "FROM customers c, generate_series(1, 3) g WHERE c.name LIKE 'r%' AND random() < 0.5;\n"
         "INSERT INTO contracts (customer_id, arr, start_date) "
         "SELECT c.id, 1000 + (random() * 9000)::int, current_date - g * 365 "
         "FROM customers c, generate_series(0, 1) g WHERE c.name LIKE 'r%' AND random() < 0.6;\n"
         "SELECT 1";
}

class HealthSchema : public ::testing::Test {
 protected:
  void SetUp() override {
    load_two_tenants(admin_);
    value(kSeedFunction);
  }

  std::string value(const std::string& sql) { return query_value(admin_, sql); }
  std::string refresh() { return value("SELECT cscx_health.refresh()::text"); }
  std::string put_scorecard(const std::string& json) {
    return value("SELECT cscx_health.put_scorecard('" + json + "')::text");
  }
  // The message of the error `sql` raises, or "" when it succeeds.
  std::string error_of(const std::string& sql) {
    try {
      query_value(admin_, sql);
    } catch (const std::runtime_error& e) {
      query_value(admin_, "ROLLBACK; SELECT 1");
      return e.what();
    }
    return "";
  }
  // The number of open tasks of customer A with `rule_key`.
  std::string open_tasks(const std::string& rule_key) {
    return value("SELECT count(*) FROM tasks WHERE customer_id = '" + tenant_id('a', kCustomer) +
                 "' AND rule_key = '" + rule_key + "' AND status = 'open'");
  }

  TestDatabase db_;
  db::Connection admin_ = db_.connect();
};

TEST_F(HealthSchema, DefaultScorecardEqualsTheSeedFunctionOnRandomData) {
  value(random_data_sql(300, 0.42));
  // The computation, the seed's function and every path that stores a score.
  EXPECT_EQ(value("SELECT count(*) FROM customers c JOIN cscx_health.compute() h "
                  "ON h.customer_id = c.id WHERE h.score IS DISTINCT FROM "
                  "pg_temp.seed_health_score(c.id)"),
            "0");
  EXPECT_EQ(value("SELECT count(*) FROM customers"), "302");
  // Some customers have x.5 adoption averages and some exactly 100: the
  // comparison covers the rounding and the cap.
  EXPECT_NE(value("SELECT count(*) FROM customers c WHERE (SELECT avg(progress) % 1 FROM "
                  "training_progress t WHERE t.customer_id = c.id) = 0.5"),
            "0");
  ASSERT_NE(refresh().find("\"skipped\": false"), std::string::npos);
  EXPECT_EQ(value("SELECT count(*) FROM customers c "
                  "WHERE c.health_score IS DISTINCT FROM pg_temp.seed_health_score(c.id)"),
            "0");
  EXPECT_EQ(value("SELECT count(*) FROM customer_health_view v "
                  "WHERE v.health_score IS DISTINCT FROM pg_temp.seed_health_score(v.id)"),
            "0");
  EXPECT_EQ(value("SELECT count(*) FROM customers c "
                  "WHERE update_health_score(c.id) IS DISTINCT FROM pg_temp.seed_health_score(c.id)"),
            "0");
  value("UPDATE customers SET health_score = NULL; SELECT update_all_health_scores()");
  EXPECT_EQ(value("SELECT count(*) FROM customers c "
                  "WHERE c.health_score IS DISTINCT FROM pg_temp.seed_health_score(c.id)"),
            "0");
  // Every snapshot's contributions add up to its score.
  EXPECT_EQ(value("SELECT count(*) FROM health_snapshots s WHERE s.score IS DISTINCT FROM "
                  "(SELECT sum((m.value ->> 'contribution')::int) FROM jsonb_each(s.measures) m)"),
            "0");
}

TEST_F(HealthSchema, RenormalizeAveragesOverMeasuresWithDataAndNoDataIsUnknown) {
  const std::string a = tenant_id('a', kCustomer);
  // A customer with nothing at all, and A with only adoption 80.
  value("INSERT INTO customers (id, name, csm_id) VALUES "
        "('a0000000-0000-0000-0000-000000000099', 'Empty', '" + tenant_id('a', kUser) + "');"
        "UPDATE meetings SET session_id = NULL WHERE customer_id = '" + a + "';"
        "DELETE FROM agent_sessions WHERE customer_id = '" + a + "';"
        "DELETE FROM insights WHERE customer_id = '" + a + "';"
        "UPDATE training_progress SET progress = 80 WHERE customer_id = '" + a + "'; SELECT 1");
  auto field = [&](const std::string& id, const std::string& expr) {
    return value("SELECT " + expr + " FROM cscx_health.compute('" + id + "')");
  };
  // missing: zero (version 1): the seed's 0 for missing measures.
  EXPECT_EQ(field(a, "score || '/' || band || '/' || completeness"), "40/yellow/0.5000");
  EXPECT_EQ(field("a0000000-0000-0000-0000-000000000099", "score || '/' || completeness"),
            "0/0.0000");

  put_scorecard(R"({"weights": {"engagement": 1, "adoption": 1, "sentiment": 1, "growth": 1},)"
                R"( "missing": "renormalize"})");
  EXPECT_EQ(field(a, "score || '/' || band || '/' || completeness"), "80/green/0.2500");
  EXPECT_EQ(field(a, "measures #>> '{adoption,contribution}'"), "80");
  EXPECT_EQ(field(a, "(measures #>> '{engagement,value}') IS NULL"), "t");
  EXPECT_EQ(field(a, "measures #>> '{engagement,has_data}'"), "false");
  EXPECT_EQ(field("a0000000-0000-0000-0000-000000000099",
                  "coalesce(score::text, 'null') || '/' || band || '/' || completeness"),
            "null/unknown/0.0000");

  // missing: zero with all four: the same data now counts 0 for three.
  put_scorecard(R"({"weights": {"engagement": 1, "adoption": 1, "sentiment": 1, "growth": 1},)"
                R"( "missing": "zero"})");
  EXPECT_EQ(field(a, "score || '/' || band || '/' || completeness"), "20/red/0.2500");

  // Refresh stores the unknown score as NULL, never 0.
  refresh();
  put_scorecard(R"({"weights": {"adoption": 1}, "missing": "renormalize"})");
  refresh();
  EXPECT_EQ(value("SELECT coalesce(health_score::text, 'null') FROM customers "
                  "WHERE id = 'a0000000-0000-0000-0000-000000000099'"),
            "null");
  EXPECT_EQ(value("SELECT band FROM health_snapshots WHERE customer_id = "
                  "'a0000000-0000-0000-0000-000000000099' ORDER BY id DESC LIMIT 1"),
            "unknown");
}

TEST_F(HealthSchema, ChangesExplainEveryPointOfTheScoreChange) {
  value(random_data_sql(200, 0.17));
  put_scorecard(R"({"weights": {"engagement": 3, "adoption": 2, "sentiment": 1, "growth": 1}})");
  refresh();
  // Move every input at random, then refresh again.
  value("SELECT setseed(0.5); DELETE FROM agent_messages WHERE random() < 0.4;"
        "UPDATE training_progress SET progress = (random() * 100)::int WHERE random() < 0.5;"
        "INSERT INTO insights (customer_id, source, type, content) SELECT id, 'crm', 'concern', "
        "'x' FROM customers WHERE random() < 0.3; SELECT 1");
  refresh();
  EXPECT_EQ(value("SELECT count(*) FROM customers"), "202");
  // For each customer: the deltas of changes[] add up to the score's change.
  const std::string sums =
      "SELECT c.id, (h ->> 'score')::int - (h #>> '{previous,score}')::int AS change,"
      "  (SELECT coalesce(sum((x ->> 'delta')::numeric), 0) FROM jsonb_array_elements(h -> 'changes') x) AS deltas"
      " FROM customers c, LATERAL cscx_health.customer_health(c.id) h";
  EXPECT_EQ(value("SELECT count(*) FROM (" + sums + ") s WHERE abs(s.change - s.deltas) > 0.5"), "0");
  EXPECT_NE(value("SELECT count(*) FROM (" + sums + ") s WHERE s.change <> 0"), "0");
  // Each change has one plain sentence that names the measure and the points.
  EXPECT_EQ(value("SELECT count(*) FROM customers c, LATERAL cscx_health.customer_health(c.id) h,"
                  " jsonb_array_elements(h -> 'changes') x WHERE x ->> 'measure' <> 'override'"
                  " AND (x ->> 'sentence') !~ '^[A-Z][a-z]+ [0-9a-z ]+ → [0-9a-z ]+: .*; [−+][0-9]+ points$'"),
            "0");
}

TEST_F(HealthSchema, OverrideHoldsUntilItExpiresAndIsAudited) {
  const std::string a = tenant_id('a', kCustomer);
  const std::string computed = value("SELECT score FROM cscx_health.compute('" + a + "')");
  begin_as(admin_, "authenticated", tenant_id('a', kUser));
  value("SELECT cscx_health.set_override('" + a + "', 12, 'Exec sponsor left', now() + interval '1 day')");
  value("COMMIT; SELECT 1");
  EXPECT_EQ(value("SELECT health_score FROM customers WHERE id = '" + a + "'"), "12");
  refresh();
  EXPECT_EQ(value("SELECT score || '/' || computed_score || '/' || band || '/' || (override ->> 'reason')"
                  " FROM health_snapshots WHERE customer_id = '" + a + "' ORDER BY id DESC LIMIT 1"),
            "12/" + computed + "/red/Exec sponsor left");
  EXPECT_EQ(value("SELECT health_score FROM customers WHERE id = '" + a + "'"), "12");
  EXPECT_EQ(value("SELECT count(*) FROM activity_log WHERE entity_type = 'health_overrides'"
                  " AND action = 'insert' AND user_id = '" + tenant_id('a', kUser) + "'"),
            "1");
  // An expiry in the past is refused.
  begin_as(admin_, "authenticated", tenant_id('a', kUser));
  EXPECT_NE(error_of("SELECT cscx_health.set_override('" + a +
                     "', 5, 'x', now() - interval '1 minute')")
                .find("expires_at must be in the future"),
            std::string::npos);
  // Once expired, the next refresh computes again.
  value("UPDATE health_overrides SET created_at = now() - interval '2 days',"
        " expires_at = now() - interval '1 second'; SELECT 1");
  refresh();
  EXPECT_EQ(value("SELECT score || '/' || coalesce(override::text, 'none') FROM health_snapshots"
                  " WHERE customer_id = '" + a + "' ORDER BY id DESC LIMIT 1"),
            computed + "/none");
  EXPECT_EQ(value("SELECT health_score FROM customers WHERE id = '" + a + "'"), computed);
}

TEST_F(HealthSchema, ClearingAnOverrideRestoresTheComputedScoreAndIsAudited) {
  const std::string a = tenant_id('a', kCustomer);
  refresh();
  begin_as(admin_, "authenticated", tenant_id('a', kUser));
  value("SELECT cscx_health.set_override('" + a + "', 99, 'Renewal signed', now() + interval '1 day')");
  value("SELECT cscx_health.clear_override('" + a + "')");
  value("COMMIT; SELECT 1");
  EXPECT_EQ(value("SELECT health_score FROM customers WHERE id = '" + a + "'"),
            value("SELECT score FROM cscx_health.compute('" + a + "')"));
  EXPECT_EQ(value("SELECT count(*) FROM activity_log WHERE entity_type = 'health_overrides'"
                  " AND action = 'update' AND new_values ? 'cleared_at'"),
            "1");
}

TEST_F(HealthSchema, RulesOpenOneTaskPerCustomerAndRuleAndCloseOnRecovery) {
  const std::string a = tenant_id('a', kCustomer);
  // A and B: 10 recent messages (engagement 100) and progress 50: score 75.
  for (char t : {'a', 'b'}) {
    value("INSERT INTO agent_messages (session_id, role, content) SELECT '" +
          tenant_id(t, kSession) + "', 'user', 'x' FROM generate_series(1, 9); SELECT 1");
  }
  const std::string a_messages =
      " FROM agent_sessions s WHERE s.id = agent_messages.session_id AND s.customer_id = '" + a + "'";
  refresh();
  EXPECT_EQ(value("SELECT health_score FROM customers WHERE id = '" + a + "'"), "75");
  EXPECT_EQ(value("SELECT count(*) FROM tasks"), "0");
  // Engagement falls to 0: score 25, a drop of 50 and entering red.
  value("UPDATE agent_messages SET created_at = now() - interval '40 days'" + a_messages + "; SELECT 1");
  for (int i = 0; i < 3; ++i) refresh();
  EXPECT_EQ(open_tasks("health_drop"), "1");
  EXPECT_EQ(open_tasks("health_red"), "1");
  EXPECT_EQ(value("SELECT count(*) FROM tasks"), "2");
  EXPECT_EQ(value("SELECT count(*) FROM tasks WHERE owner = '" + tenant_id('a', kUser) +
                  "' AND source = 'rule' AND due_date IS NOT NULL"),
            "2");
  // B's score did not move: nothing for B.
  EXPECT_EQ(value("SELECT count(*) FROM tasks WHERE customer_id = '" + tenant_id('b', kCustomer) + "'"),
            "0");
  // Recovery closes both, with a note, and opens nothing new.
  value("UPDATE agent_messages SET created_at = now()" + a_messages + "; SELECT 1");
  refresh();
  refresh();
  EXPECT_EQ(open_tasks("health_drop"), "0");
  EXPECT_EQ(open_tasks("health_red"), "0");
  EXPECT_EQ(value("SELECT count(*) FROM tasks WHERE status = 'done' AND closed_at IS NOT NULL"
                  " AND note LIKE '%Closed automatically%score recovered to 75%'"),
            "2");
  EXPECT_EQ(value("SELECT count(*) FROM tasks"), "2");
}

TEST_F(HealthSchema, RenewalTasksOpenOncePerThreshold) {
  const std::string contract = tenant_id('a', kContract);
  auto renewal_tasks = [&] {
    return value("SELECT coalesce(string_agg(split_part(rule_key, ':', 1), ',' ORDER BY rule_key DESC), '')"
                 " FROM tasks WHERE source = 'renewal'");
  };
  value("UPDATE contracts SET end_date = current_date + 120 WHERE id = '" + contract + "'; SELECT 1");
  refresh();
  EXPECT_EQ(renewal_tasks(), "");
  value("UPDATE contracts SET end_date = current_date + 85 WHERE id = '" + contract + "'; SELECT 1");
  refresh();
  refresh();
  EXPECT_EQ(renewal_tasks(), "renewal_90");
  value("UPDATE contracts SET end_date = current_date + 55 WHERE id = '" + contract + "'; SELECT 1");
  refresh();
  refresh();
  EXPECT_EQ(renewal_tasks(), "renewal_90,renewal_60");
  // Done by hand: still never reopened.
  value("UPDATE tasks SET status = 'done'; SELECT 1");
  value("UPDATE contracts SET end_date = current_date + 20 WHERE id = '" + contract + "'; SELECT 1");
  refresh();
  refresh();
  EXPECT_EQ(renewal_tasks(), "renewal_90,renewal_60,renewal_30");
  EXPECT_EQ(value("SELECT count(*) FROM tasks WHERE source = 'renewal' AND owner = '" +
                  tenant_id('a', kUser) + "' AND customer_id = '" + tenant_id('a', kCustomer) + "'"),
            "3");
}

TEST_F(HealthSchema, CsmSeesOnlyTheirTasksSnapshotsAndOverrides) {
  refresh();
  value("INSERT INTO tasks (customer_id, title) VALUES ('" + tenant_id('b', kCustomer) +
        "', 'B task'); INSERT INTO health_overrides (customer_id, score, reason, expires_at)"
        " VALUES ('" + tenant_id('b', kCustomer) + "', 50, 'b', now() + interval '1 day'); SELECT 1");
  begin_as(admin_, "authenticated", tenant_id('a', kUser));
  EXPECT_EQ(value("SELECT count(*) || '/' || count(*) FILTER (WHERE customer_id = '" +
                  tenant_id('a', kCustomer) + "') FROM health_snapshots"),
            "1/1");
  EXPECT_EQ(value("SELECT count(*) FROM tasks WHERE customer_id <> '" + tenant_id('a', kCustomer) + "'"),
            "0");
  EXPECT_EQ(value("SELECT count(*) FROM tasks WHERE title = 'B task'"), "0");
  EXPECT_EQ(value("SELECT count(*) FROM health_overrides"), "0");
  EXPECT_EQ(value("SELECT cscx_health.customer_health('" + tenant_id('b', kCustomer) + "') IS NULL"),
            "t");
  EXPECT_EQ(value("SELECT cscx_health.set_override('" + tenant_id('b', kCustomer) +
                  "', 1, 'x', now() + interval '1 day') IS NULL"),
            "t");
  EXPECT_EQ(value("SELECT (cscx_health.portfolio() ->> 'customers')"), "1");
  EXPECT_NE(error_of("INSERT INTO tasks (customer_id, title) VALUES ('" + tenant_id('b', kCustomer) +
                     "', 'sneaky')")
                .find("row-level security"),
            std::string::npos);
  begin_as(admin_, "authenticated", tenant_id('a', kUser));
  EXPECT_NE(error_of("INSERT INTO health_snapshots (customer_id, scorecard_version, band, "
                     "completeness, measures) VALUES ('" + tenant_id('a', kCustomer) +
                     "', 1, 'green', 1, '{}')")
                .find("permission denied"),
            std::string::npos);
  begin_as(admin_, "authenticated", tenant_id('a', kUser));
  EXPECT_NE(error_of("SELECT cscx_health.refresh()").find("permission denied"), std::string::npos);
  begin_as(admin_, "authenticated", tenant_id('a', kUser));
  EXPECT_NE(error_of("SELECT cscx_health.put_scorecard('{\"weights\": {\"adoption\": 1}}')")
                .find("permission denied"),
            std::string::npos);
}

TEST_F(HealthSchema, BadScorecardsAreRefusedAndNothingIsWritten) {
  const struct {
    const char* json;
    const char* message;
  } cases[] = {
      {R"({"weights": {"engagment": 1}})", "unknown measure \"engagment\""},
      {R"({"weights": {"engagement": -1, "adoption": 2}})", "weights.engagement must be a number >= 0"},
      {R"({"weights": {"engagement": 0, "adoption": 0}})", "weights must sum to more than 0"},
      {R"({"weights": {}})", "weights must sum to more than 0"},
      {R"({"weights": {"adoption": "1"}})", "weights.adoption must be a number >= 0"},
      {R"({"weights": {"adoption": 1}, "missing": "skip"})", "missing must be"},
      {R"({"weights": {"adoption": 1}, "red_below": 80, "green_from": 70})", "bands must satisfy"},
      {R"({"weights": {"adoption": 1}, "colour": "red"})", "unknown field \"colour\""},
      {R"({"missing": "zero"})", "weights must be an object"},
  };
  for (const auto& c : cases) {
    const std::string error = error_of(std::string("SELECT cscx_health.put_scorecard('") + c.json + "')");
    EXPECT_NE(error.find(c.message), std::string::npos) << c.json << ": " << error;
  }
  EXPECT_EQ(value("SELECT count(*) FROM health_scorecards"), "1");
  const std::string ok = put_scorecard(R"({"weights": {"adoption": 2, "growth": 1}, "note": "v2"})");
  EXPECT_NE(ok.find("\"version\": 2"), std::string::npos) << ok;
  EXPECT_EQ(value("SELECT weights::text FROM health_scorecards WHERE version = 2"),
            R"({"growth": 1, "adoption": 2, "sentiment": 0, "engagement": 0})");
  EXPECT_EQ(value("SELECT count(*) FROM health_scorecards"), "2");
}

TEST_F(HealthSchema, OnlyOneRefreshRunsAtATime) {
  db::Connection other = db_.connect();
  value("BEGIN; SELECT 1");
  ASSERT_NE(refresh().find("\"skipped\": false"), std::string::npos);
  // The first transaction still holds the lock: the second skips at once.
  const std::string second = query_value(other, "SELECT cscx_health.refresh()::text");
  EXPECT_NE(second.find("\"skipped\": true"), std::string::npos) << second;
  value("COMMIT; SELECT 1");
  const std::string third = query_value(other, "SELECT cscx_health.refresh()::text");
  EXPECT_NE(third.find("\"skipped\": false"), std::string::npos) << third;
  EXPECT_EQ(value("SELECT count(*) FROM health_snapshots"), "4");
}

}  // namespace
}  // namespace cscx::testing
