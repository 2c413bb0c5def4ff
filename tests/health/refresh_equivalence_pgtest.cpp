// migrations/008_health_refresh_speed.sql replaced 006's measure_values(),
// compute() and refresh() by faster ones that must give the same results.
// Each test loads 006's versions -- the text of the applied migration, read
// from migrations/006_health.sql, so there is no copy to drift -- into the
// schema health_006 and compares both on random data: every row of
// compute() and measure_values() under several kinds of scorecard, and
// everything a refresh writes (snapshots, scores, tasks, audit rows).
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "schema/tenant_fixture.h"
#include "support/test_database.h"

namespace cscx::testing {
namespace {

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

// 006's measure_values, compute and refresh as health_006.*, calling each other.
std::string reference_functions_sql() {
  const std::string migration = source_text("migrations/006_health.sql");
  std::string sql = "CREATE SCHEMA health_006; GRANT USAGE ON SCHEMA health_006 TO authenticated, service_role;\n";
  for (const char* name : {"measure_values", "compute", "refresh"}) {
    sql += function_statement(migration, std::string("cscx_health.") + name) + "\n";
  }
  for (const char* name : {"measure_values(", "compute(", "refresh("}) {
    replace_all(sql, std::string("cscx_health.") + name, std::string("health_006.") + name);
  }
  return sql + "SELECT 1";
}

// `customers` random customers of CSM A with random sessions, messages over
// 70 days, progress (with NULLs), insights over 120 days, contracts (some
// ending soon, some without ARR), three customers without any data; and, for
// the rules, nine days of earlier snapshots with random scores, open and
// recently closed rule tasks, and active, expired and cleared overrides.
std::string random_data_sql(int customers, double seed) {
  const std::string n = std::to_string(customers);
  return "SELECT setseed(" + std::to_string(seed) + ");\n"
         "INSERT INTO customers (id, name, csm_id) SELECT gen_random_uuid(), 'r' || g, '" +
         tenant_id('a', kUser) + "' FROM generate_series(1, " + n + ") g;\n"
         "INSERT INTO training_modules (id, title) SELECT ('d0000000-0000-0000-0000-0000000000' "
         "|| lpad(g::text, 2, '0'))::uuid, 'm' || g FROM generate_series(1, 6) g;\n"
         "INSERT INTO agent_sessions (customer_id) SELECT id FROM customers "
         "WHERE name LIKE 'r%' AND random() < 0.8;\n"
         "INSERT INTO agent_sessions (customer_id) SELECT id FROM customers "
         "WHERE name LIKE 'r%' AND random() < 0.3;\n"
         "INSERT INTO agent_messages (session_id, role, content, created_at) "
         "SELECT s.id, 'user', 'x', now() - random() * interval '70 days' "
         "FROM agent_sessions s, generate_series(1, 14) g WHERE random() < 0.6;\n"
         "INSERT INTO stakeholders (id, customer_id, name) "
         "SELECT gen_random_uuid(), c.id, 's' || g FROM customers c, generate_series(1, 2) g "
         "WHERE c.name LIKE 'r%';\n"
         "INSERT INTO training_progress (customer_id, stakeholder_id, module_id, progress, updated_at) "
         "SELECT s.customer_id, s.id, m.id, CASE WHEN random() < 0.1 THEN NULL "
         "ELSE (random() * 100)::int END, now() - random() * interval '60 days' "
         "FROM stakeholders s JOIN customers c ON c.id = s.customer_id AND c.name LIKE 'r%', "
         "training_modules m WHERE random() < 0.4;\n"
         "INSERT INTO insights (customer_id, source, type, content, created_at) "
         "SELECT c.id, 'meeting', (ARRAY['decision','concern','risk','quote'])[1 + (random() * 3)::int], "
         "'x', now() - random() * interval '120 days' "
         "FROM customers c, generate_series(1, 4) g WHERE c.name LIKE 'r%' AND random() < 0.5;\n"
         "INSERT INTO contracts (customer_id, arr, start_date, end_date, status) "
         "SELECT c.id, CASE WHEN random() < 0.1 THEN NULL ELSE 1000 + (random() * 9000)::int END, "
         "current_date - g * 365 - (random() * 30)::int, current_date + (random() * 120)::int - 10, "
         "(ARRAY['active','renewed','active'])[1 + (random() * 2)::int] "
         "FROM customers c, generate_series(0, 2) g WHERE c.name LIKE 'r%' AND random() < 0.6;\n"
         "INSERT INTO health_snapshots (customer_id, computed_at, scorecard_version, score, "
         "computed_score, band, completeness, measures) "
         "SELECT c.id, now() - d * interval '1 day' - random() * interval '20 hours', 1, x.score, "
         "x.score, CASE WHEN x.score < 40 THEN 'red' WHEN x.score < 70 THEN 'yellow' ELSE 'green' END, "
         "1, '{}' FROM customers c, generate_series(1, 9) d, "
         "LATERAL (SELECT (random() * 100 + d * 0)::int AS score) x WHERE random() < 0.8;\n"
         "INSERT INTO tasks (customer_id, title, source, rule_key, status, created_at) "
         "SELECT id, 'earlier', 'rule', (ARRAY['health_drop','health_red'])[1 + (random())::int], "
         "(ARRAY['open','done'])[1 + (random())::int], now() - random() * interval '12 days' "
         "FROM customers WHERE random() < 0.4 ON CONFLICT DO NOTHING;\n"
         "INSERT INTO health_overrides (customer_id, score, reason, expires_at, created_at, cleared_at) "
         "SELECT id, (random() * 100)::int, 'why', now() + (random() * 4 - 2) * interval '1 day', "
         "now() - interval '3 days', CASE WHEN random() < 0.2 THEN now() END "
         "FROM customers WHERE random() < 0.2;\n"
         "INSERT INTO customers (id, name, csm_id) SELECT gen_random_uuid(), 'empty' || g, '" +
         tenant_id('a', kUser) + "' FROM generate_series(1, 3) g;\n"
         "SELECT 1";
}

// What one refresh wrote, per kind, as md5 and count, so that a difference
// names its kind. now() is the transaction's: both refreshes run in one.
// Audit rows carry clock_timestamp(), and new tasks random ids: left out.
constexpr const char* kWritten = R"sql(
SELECT string_agg(kind || ' ' || n || ' ' || digest, ', ' ORDER BY kind) FROM (
  SELECT kind, count(*) AS n, md5(string_agg(line, E'\n' ORDER BY line)) AS digest FROM (
    SELECT 'snapshots' AS kind, concat_ws(' ', customer_id, computed_at, scorecard_version, score,
             computed_score, band, completeness, measures, override) AS line
    FROM health_snapshots WHERE computed_at = now()
    UNION ALL
    SELECT 'scores', concat_ws(' ', id, health_score, updated_at) FROM customers
    UNION ALL
    SELECT 'tasks', concat_ws(' ', customer_id, title, owner, due_date, source, status, rule_key,
                              note, metadata, closed_at, created_at, updated_at) FROM tasks
    UNION ALL
    SELECT 'audit', concat_ws(' ', customer_id, action, entity_type, old_values - 'id',
                              new_values - 'id')
    FROM activity_log WHERE created_at >= now()
  ) lines GROUP BY kind) kinds)sql";

class RefreshEquivalence : public ::testing::Test {
 protected:
  void SetUp() override {
    load_two_tenants(admin_);
    value(reference_functions_sql());
  }

  std::string value(const std::string& sql) { return query_value(admin_, sql); }

  // Rows of `a` not in `b` plus rows of `b` not in `a` (both: SELECT lists).
  std::string differing_rows(const std::string& a, const std::string& b) {
    return value("SELECT (SELECT count(*) FROM ((" + a + ") EXCEPT ALL (" + b + ")) x) + "
                 "(SELECT count(*) FROM ((" + b + ") EXCEPT ALL (" + a + ")) y)");
  }

  // compute(NULL, version) and compute(customer, version) of 006 and 008.
  void expect_compute_equal(const std::string& version) {
    const std::string row = "customer_id, scorecard_version, score, band, completeness, measures::text";
    auto of = [&](const std::string& schema, const std::string& customer) {
      return "SELECT " + row + " FROM " + schema + ".compute(" + customer + ", " + version + ")";
    };
    SCOPED_TRACE("scorecard version " + version);
    EXPECT_EQ(differing_rows(of("health_006", "NULL"), of("cscx_health", "NULL")), "0");
    EXPECT_EQ(value("SELECT count(*) FROM cscx_health.compute(NULL, " + version + ")"),
              value("SELECT count(*) FROM health_006.compute(NULL, " + version + ")"));
    const std::string one = "(SELECT id FROM customers ORDER BY id LIMIT 1 OFFSET 7)";
    EXPECT_EQ(differing_rows(of("health_006", one), of("cscx_health", one)), "0");
  }

  // What health_006.refresh() and cscx_health.refresh() each write, from the
  // same state at the same now(): the first is rolled back before the second.
  // As service_role with claims, as the API runs it, so that tasks are audited.
  void expect_refresh_equal() {
    begin_as(admin_, "service_role", tenant_id('a', kUser));
    value("SAVEPOINT before_refresh; SELECT 1");
    const std::string result_006 = value("SELECT health_006.refresh() - 'milliseconds'");
    const std::string written_006 = value("RESET ROLE; " + std::string(kWritten));
    value("ROLLBACK TO SAVEPOINT before_refresh; SELECT 1");
    const std::string result_008 = value("SELECT cscx_health.refresh() - 'milliseconds'");
    const std::string written_008 = value("RESET ROLE; " + std::string(kWritten));
    value("ROLLBACK; SELECT 1");
    EXPECT_EQ(result_008, result_006);
    EXPECT_EQ(written_008, written_006);
    EXPECT_NE(result_008.find("\"customers\": 305"), std::string::npos) << result_008;
    EXPECT_NE(written_008.find("audit "), std::string::npos) << written_008;
  }

  TestDatabase db_;
  db::Connection admin_ = db_.connect();
};

const std::string kMeasureValues =
    "SELECT customer_id, measure, value, has_data, as_of, inputs::text FROM ";

TEST_F(RefreshEquivalence, ComputeAndMeasureValuesMatch006UnderEveryKindOfScorecard) {
  value(random_data_sql(300, 0.42));
  EXPECT_EQ(differing_rows(kMeasureValues + "health_006.measure_values()",
                           kMeasureValues + "cscx_health.measure_values()"),
            "0");
  EXPECT_EQ(value("SELECT count(*) FROM cscx_health.measure_values()"), "1220");

  // Version 1 (the seed's); equal weights under renormalize, where shares
  // tie; uneven fractional weights and a short freshness (stale measures);
  // a weight of zero; a scorecard that leaves measures out, and one that
  // weighs none of them (006 computed no rows for it).
  value("SELECT cscx_health.put_scorecard('{\"weights\": {\"engagement\": 1, \"adoption\": 1, "
        "\"sentiment\": 1, \"growth\": 1}, \"missing\": \"renormalize\"}')");
  value("SELECT cscx_health.put_scorecard('{\"weights\": {\"engagement\": 1.5, \"adoption\": 0.25, "
        "\"sentiment\": 3, \"growth\": 0.7}, \"freshness_days\": 20, \"red_below\": 50, "
        "\"green_from\": 60}')");
  value("SELECT cscx_health.put_scorecard('{\"weights\": {\"engagement\": 0, \"adoption\": 2, "
        "\"sentiment\": 1}, \"missing\": \"renormalize\"}')");
  value("INSERT INTO health_scorecards (version, weights, missing) VALUES "
        "(5, '{\"engagement\": 2, \"growth\": 1}', 'renormalize'), (6, '{\"other\": 1}', 'zero');"
        "SELECT 1");
  for (const char* version : {"1", "2", "3", "4", "5", "6"}) expect_compute_equal(version);
  EXPECT_EQ(value("SELECT count(*) FROM cscx_health.compute(NULL, 6)"), "0");
  // The cases above did occur: ties, stale measures, unknown scores.
  EXPECT_NE(value("SELECT count(*) FROM cscx_health.compute(NULL, 3) h, jsonb_each(h.measures) m "
                  "WHERE (m.value ->> 'stale')::boolean"),
            "0");
  EXPECT_NE(value("SELECT count(*) FROM cscx_health.compute(NULL, 2) WHERE score IS NULL"), "0");

  // As CSM A, under RLS: the same rows, only A's.
  begin_as(admin_, "authenticated", tenant_id('a', kUser));
  expect_compute_equal("2");
  EXPECT_EQ(value("SELECT count(*) FROM cscx_health.compute(NULL, 2)"), "304");
  value("ROLLBACK; SELECT 1");
}

TEST_F(RefreshEquivalence, RefreshWritesWhat006WroteWithHistoryTasksAndOverrides) {
  value(random_data_sql(300, 0.77));
  // The rules have something to do: drops, entering red, recoveries, renewals.
  EXPECT_NE(value("SELECT count(*) FROM tasks WHERE status = 'open'"), "0");
  expect_refresh_equal();

  value("SELECT cscx_health.put_scorecard('{\"weights\": {\"engagement\": 2, \"adoption\": 1, "
        "\"sentiment\": 1, \"growth\": 1}, \"missing\": \"renormalize\", \"red_below\": 45}')");
  expect_refresh_equal();

  // After a committed refresh the next one starts from its snapshots.
  value("SELECT cscx_health.refresh()");
  value("SELECT setseed(0.1); DELETE FROM agent_messages WHERE random() < 0.5; SELECT 1");
  expect_refresh_equal();
}

}  // namespace
}  // namespace cscx::testing
