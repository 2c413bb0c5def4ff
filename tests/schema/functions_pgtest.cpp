// The view, the health-score functions, the timestamp triggers and the
// cross-customer foreign keys, on real data.
#include <gtest/gtest.h>

#include <utility>

#include "schema/tenant_fixture.h"
#include "support/test_database.h"

namespace cscx::testing {
namespace {

// Random customers (seeded, so reruns see the same data) with 0..n children
// of every kind, NULL timestamps and progress values included.
constexpr const char* kRandomData = R"sql(
SELECT setseed(0.4242);
INSERT INTO auth.users (id) SELECT gen_random_uuid() FROM generate_series(1, 4);
INSERT INTO customers (name, arr, stage, csm_id)
SELECT 'cust ' || g, CASE WHEN g % 7 = 0 THEN NULL ELSE round((random() * 500000)::numeric, 2) END,
       (ARRAY['onboarding', 'active', 'at_risk'])[1 + g % 3],
       (SELECT array_agg(id ORDER BY id) FROM auth.users)[1 + g % 4]
FROM generate_series(1, 120) g;
INSERT INTO stakeholders (customer_id, name)
SELECT c.id, 's' || n FROM customers c, generate_series(1, abs(hashtext(c.id::text)) % 5) n;
INSERT INTO agent_sessions (customer_id)
SELECT c.id FROM customers c, generate_series(1, abs(hashtext(c.id::text || 's')) % 4) n;
INSERT INTO agent_messages (session_id, role, content, created_at)
SELECT s.id, 'user', 'm', now() - random() * interval '60 days'
FROM agent_sessions s, generate_series(1, abs(hashtext(s.id::text)) % 9) n;
INSERT INTO meetings (customer_id, title, scheduled_at)
SELECT c.id, 'm' || n, CASE WHEN random() < 0.2 THEN NULL ELSE now() - random() * interval '90 days' END
FROM customers c, generate_series(1, abs(hashtext(c.id::text || 'm')) % 5) n;
INSERT INTO insights (customer_id, source, type, content)
SELECT c.id, 'meeting', (ARRAY['concern', 'decision', 'action_item'])[1 + n % 3], 'i'
FROM customers c, generate_series(1, abs(hashtext(c.id::text || 'i')) % 6) n;
INSERT INTO training_modules (title) SELECT 'module ' || g FROM generate_series(1, 4) g;
INSERT INTO training_progress (customer_id, module_id, progress)
SELECT c.id, m.id, CASE WHEN random() < 0.1 THEN NULL ELSE (random() * 100)::int END
FROM customers c CROSS JOIN training_modules m
WHERE abs(hashtext(c.id::text || m.id::text)) % 3 <> 0;
SELECT 1)sql";

class SchemaFunctions : public ::testing::Test {
 protected:
  TestDatabase db_;
  db::Connection conn_ = db_.connect();
};

TEST_F(SchemaFunctions, HealthViewReturnsExactlyTheSeedsRows) {
  query_value(conn_, kRandomData);
  query_value(conn_, source_text("sql/seed_reference.sql") + ";SELECT 1");
  EXPECT_EQ(query_value(conn_, "SELECT count(*) FROM customer_health_view"), "120");
  EXPECT_EQ(query_value(conn_, R"sql(
    SELECT count(*) FROM (
      (SELECT * FROM customer_health_view EXCEPT ALL SELECT * FROM seed_ref.customer_health_view)
      UNION ALL
      (SELECT * FROM seed_ref.customer_health_view EXCEPT ALL SELECT * FROM customer_health_view)) d)sql"),
            "0");
  // The data must exercise the fan-out: customers with several children of
  // several kinds, and customers with none.
  EXPECT_NE(query_value(conn_, "SELECT count(*) FROM customer_health_view "
                               "WHERE stakeholder_count > 1 AND meeting_count > 1 AND concern_count > 0"),
            "0");
  EXPECT_NE(query_value(conn_, "SELECT count(*) FROM customer_health_view WHERE last_interaction IS NULL"),
            "0");
}

TEST_F(SchemaFunctions, HealthViewColumnsHaveTheSeedsTypes) {
  query_value(conn_, source_text("sql/seed_reference.sql") + ";SELECT 1");
  const char* kTypes =
      "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod), ', ' ORDER BY attnum) "
      "FROM pg_attribute WHERE attrelid = '%s'::regclass AND attnum > 0";
  char ours[512], seed[512];
  std::snprintf(ours, sizeof ours, kTypes, "public.customer_health_view");
  std::snprintf(seed, sizeof seed, kTypes, "seed_ref.customer_health_view");
  EXPECT_EQ(query_value(conn_, ours), query_value(conn_, seed));
}

TEST_F(SchemaFunctions, UpdateHealthScoreAveragesEngagementAndAdoption) {
  load_two_tenants(conn_);  // A: one message now, one progress row at 50
  const std::string a = tenant_id('a', kCustomer), session = tenant_id('a', kSession);
  // 7 recent messages in all (engagement 70), 2 old ones that do not count.
  query_value(conn_, "INSERT INTO agent_messages (session_id, role, content, created_at) "
                     "SELECT '" + session + "', 'user', 'x', now() - interval '1 day' "
                     "FROM generate_series(1, 6); "
                     "INSERT INTO agent_messages (session_id, role, content, created_at) "
                     "SELECT '" + session + "', 'user', 'x', now() - interval '31 days' "
                     "FROM generate_series(1, 2); SELECT 1");
  // Progress 50 and 75: average 62.5, which the seed's INTEGER assignment
  // rounds to 63; (70 + 63) / 2 = 66 in integer arithmetic.
  query_value(conn_, "INSERT INTO training_modules (id, title) VALUES "
                     "('c0000000-0000-0000-0000-000000000009', 'm2'); "
                     "INSERT INTO training_progress (customer_id, module_id, progress) VALUES ('" +
                         a + "', 'c0000000-0000-0000-0000-000000000009', 75); SELECT 1");
  EXPECT_EQ(query_value(conn_, "SELECT update_health_score('" + a + "')"), "66");
  EXPECT_EQ(query_value(conn_, "SELECT health_score FROM customers WHERE id = '" + a + "'"), "66");
}

TEST_F(SchemaFunctions, UpdateHealthScoreCapsEngagementAndCountsMissingAsZero) {
  load_two_tenants(conn_);
  const std::string a = tenant_id('a', kCustomer);
  query_value(conn_, "INSERT INTO agent_messages (session_id, role, content) SELECT '" +
                         tenant_id('a', kSession) + "', 'user', 'x' FROM generate_series(1, 20); "
                         "DELETE FROM training_progress WHERE customer_id = '" + a + "'; SELECT 1");
  EXPECT_EQ(query_value(conn_, "SELECT update_health_score('" + a + "')"), "50");
  EXPECT_EQ(query_value(conn_, "SELECT update_health_score(gen_random_uuid())"), "0");
}

TEST_F(SchemaFunctions, UpdateHealthScoreAsCsmCannotTouchAnotherCsmsCustomer) {
  load_two_tenants(conn_);
  const std::string b = tenant_id('b', kCustomer);
  query_value(conn_, "UPDATE customers SET health_score = 77 WHERE id = '" + b + "' RETURNING 1");
  begin_as(conn_, "authenticated", tenant_id('a', kUser));
  query_value(conn_, "SELECT update_health_score('" + b + "')");
  query_value(conn_, "COMMIT");
  EXPECT_EQ(query_value(conn_, "SELECT health_score FROM customers WHERE id = '" + b + "'"), "77");
}

TEST_F(SchemaFunctions, SetBasedRecomputeMatchesThePerCustomerFunction) {
  query_value(conn_, kRandomData);
  // Averages ending in .5 exercise the rounding.
  query_value(conn_, "UPDATE training_progress SET progress = 25 WHERE progress % 4 = 1; SELECT 1");
  EXPECT_EQ(query_value(conn_, "SELECT update_all_health_scores()"), "120");
  query_value(conn_, "CREATE TABLE set_based AS SELECT id, health_score FROM customers; "
                     "UPDATE customers SET health_score = NULL; "
                     "SELECT count(update_health_score(id)) FROM customers");
  EXPECT_EQ(query_value(conn_, "SELECT count(*) FROM customers c JOIN set_based s USING (id) "
                               "WHERE c.health_score IS DISTINCT FROM s.health_score"),
            "0");
  EXPECT_NE(query_value(conn_, "SELECT count(DISTINCT health_score) FROM customers"), "1");
}

// 014: customers pages keep half their room, so the recompute, which
// changes no indexed column, updates its rows in place (HOT) instead of
// adding an entry to each of the six indexes, and the next recompute finds
// the room again once the old versions are gone. With the default
// fillfactor a freshly loaded table has full pages and no update is HOT.
TEST_F(SchemaFunctions, RecomputeUpdatesCustomersInPlace) {
  // Autovacuum's ANALYZE of the new rows would hold a snapshot that keeps
  // the previous run's row versions alive a little longer.
  query_value(conn_, "ALTER TABLE customers SET (autovacuum_enabled = off); SELECT 1");
  query_value(conn_,
              "INSERT INTO customers (name, arr, stage) "
              "SELECT 'cust ' || g, g * 100, 'active' FROM generate_series(1, 2000) g; "
              "SELECT 1");
  ASSERT_GT(std::stoi(query_value(conn_, "SELECT pg_relation_size('customers') / 8192")),
            20);
  // The xact_ counters also hold earlier transactions of this session whose
  // counts are not yet flushed to the statistics: compare before and after.
  auto counts = [&] {
    return std::pair{
        std::stoi(query_value(
            conn_, "SELECT pg_stat_get_xact_tuples_updated('customers'::regclass)")),
        std::stoi(query_value(
            conn_, "SELECT pg_stat_get_xact_tuples_hot_updated('customers'::regclass)"))};
  };
  for (int run = 1; run <= 3; ++run) {
    query_value(conn_, "BEGIN");
    auto [updated_before, hot_before] = counts();
    EXPECT_EQ(query_value(conn_, "SELECT update_all_health_scores()"), "2000");
    auto [updated_after, hot_after] = counts();
    EXPECT_EQ(updated_after - updated_before, 2000) << "run " << run;
    // The last row a page took can leave less than its own size free:
    // about one row per page is not HOT.
    EXPECT_GE(hot_after - hot_before, 1800)
        << "run " << run << ": " << hot_after - hot_before << " of "
        << updated_after - updated_before;
    query_value(conn_, "COMMIT");
    // Pruning on the next read removes the old versions only once
    // PostgreSQL has recomputed who can still see them, which it may put
    // off while other databases of the cluster are busy (the parallel
    // tests); hours apart, as recomputes run, that has happened. VACUUM
    // computes it at once.
    query_value(conn_, "VACUUM customers");
  }
}

TEST_F(SchemaFunctions, EveryTableWithUpdatedAtHasTheTimestampTrigger) {
  EXPECT_EQ(query_value(conn_, R"sql(
    SELECT coalesce(string_agg(c.table_name, ','), '') FROM information_schema.columns c
    JOIN information_schema.tables t USING (table_schema, table_name)
    WHERE c.table_schema = 'public' AND c.column_name = 'updated_at' AND t.table_type = 'BASE TABLE'
      AND NOT EXISTS (SELECT 1 FROM pg_trigger tg
                      WHERE tg.tgrelid = format('public.%I', c.table_name)::regclass
                        AND tg.tgfoid = 'public.update_timestamp()'::regprocedure
                        AND NOT tg.tgisinternal))sql"),
            "");
}

TEST_F(SchemaFunctions, UpdatingARowBumpsItsUpdatedAt) {
  load_two_tenants(conn_);
  for (const char* table : {"customers", "stakeholders", "contracts", "agent_sessions", "meetings",
                            "training_modules", "training_progress", "knowledge_base"}) {
    const std::string t = table;
    // Age the rows with triggers off, then make an ordinary update.
    query_value(conn_, "SET session_replication_role = replica; UPDATE " + t +
                           " SET updated_at = '2000-01-01'; RESET session_replication_role; "
                           "SELECT bool_and(updated_at < '2001-01-01') FROM " + t);
    query_value(conn_, "UPDATE " + t + " SET id = id RETURNING 1");
    EXPECT_EQ(query_value(conn_, "SELECT bool_and(updated_at > now() - interval '1 hour') FROM " + t),
              "t")
        << table;
  }
}

TEST_F(SchemaFunctions, RowsCannotPointAcrossCustomers) {
  load_two_tenants(conn_);
  const std::string a = tenant_id('a', kCustomer);
  // Even a privileged writer cannot tie A's rows to B's: foreign-key checks
  // bypass RLS, so the composite keys are what stop it.
  for (const std::string& sql : {
           "INSERT INTO insights (customer_id, meeting_id, source, type, content) VALUES ('" + a +
               "', '" + tenant_id('b', kMeeting) + "', 'meeting', 'concern', 'x')",
           "INSERT INTO meetings (customer_id, session_id, title) VALUES ('" + a + "', '" +
               tenant_id('b', kSession) + "', 'x')",
           "INSERT INTO training_progress (customer_id, stakeholder_id, module_id) VALUES ('" + a +
               "', '" + tenant_id('b', kStakeholder) + "', '" + kModuleId + "')"}) {
    auto r = conn_.exec("cross_customer_insert", sql);
    ASSERT_FALSE(r) << sql;
    EXPECT_NE(r.error().detail.find("23503"), std::string::npos) << r.error().to_string();
  }
  // The same rows within one customer are fine.
  query_value(conn_, "INSERT INTO insights (customer_id, meeting_id, source, type, content) VALUES ('" +
                         a + "', '" + tenant_id('a', kMeeting) + "', 'meeting', 'concern', 'x') RETURNING 1");
}

TEST_F(SchemaFunctions, CsmCannotAttachAMessageToAnotherCsmsSession) {
  load_two_tenants(conn_);
  begin_as(conn_, "authenticated", tenant_id('a', kUser));
  auto r = conn_.exec("foreign_session_message",
                      "INSERT INTO agent_messages (session_id, role, content) VALUES ('" +
                          tenant_id('b', kSession) + "', 'user', 'x')");
  (void)conn_.exec("rollback", "ROLLBACK");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("row-level security"), std::string::npos);
}

TEST_F(SchemaFunctions, DeletingACustomerRemovesItsRowsAndKeepsItsAuditTrail) {
  load_two_tenants(conn_);
  const std::string a = tenant_id('a', kCustomer);
  begin_as(conn_, "authenticated", tenant_id('a', kUser));
  query_value(conn_, "DELETE FROM customers WHERE id = '" + a + "' RETURNING 1");
  query_value(conn_, "COMMIT");
  for (const char* table : {"stakeholders", "contracts", "entitlements", "agent_sessions",
                            "agent_messages", "approvals", "meetings", "transcripts", "insights",
                            "training_progress"}) {
    EXPECT_EQ(query_value(conn_, std::string("SELECT count(*) FROM ") + table), "1") << table;
  }
  EXPECT_EQ(query_value(conn_, "SELECT customer_id IS NULL FROM activity_log WHERE id = '" +
                                   tenant_id('a', kActivity) + "'"),
            "t");
}

}  // namespace
}  // namespace cscx::testing
