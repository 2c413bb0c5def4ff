// Row-level security: CSM A can never read or change CSM B's rows, on every
// customer-scoped table and for every verb; anon sees nothing; service_role
// sees everything. Runs as the API will: a transaction with SET LOCAL ROLE
// and request.jwt.claims.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "schema/tenant_fixture.h"
#include "support/test_database.h"

namespace cscx::testing {
namespace {

struct TableCase {
  const char* table;
  TenantRow row;
  // An INSERT creating a row under tenant {t}'s parent; {t} is replaced.
  const char* insert;
  // An UPDATE that moves A's row under B's parent.
  const char* move;
};

const TableCase kCases[] = {
    {"customers", kCustomer, "INSERT INTO customers (name, csm_id) VALUES ('x', '{t:1}')",
     "UPDATE customers SET csm_id = '{b:1}' WHERE id = '{a:10}'"},
    {"stakeholders", kStakeholder,
     "INSERT INTO stakeholders (customer_id, name) VALUES ('{t:10}', 'x')",
     "UPDATE stakeholders SET customer_id = '{b:10}' WHERE id = '{a:11}'"},
    {"contracts", kContract, "INSERT INTO contracts (customer_id) VALUES ('{t:10}')",
     "UPDATE contracts SET customer_id = '{b:10}' WHERE id = '{a:12}'"},
    {"entitlements", kEntitlement,
     "INSERT INTO entitlements (contract_id, name) VALUES ('{t:12}', 'x')",
     "UPDATE entitlements SET contract_id = '{b:12}' WHERE id = '{a:13}'"},
    {"agent_sessions", kSession,
     "INSERT INTO agent_sessions (customer_id) VALUES ('{t:10}')",
     "UPDATE agent_sessions SET customer_id = '{b:10}' WHERE id = '{a:14}'"},
    {"agent_messages", kMessage,
     "INSERT INTO agent_messages (session_id, role, content) VALUES ('{t:14}', 'user', "
     "'x')",
     "UPDATE agent_messages SET session_id = '{b:14}' WHERE id = '{a:15}'"},
    {"approvals", kApproval,
     "INSERT INTO approvals (session_id, agent_id, action) VALUES ('{t:14}', 'x', 'x')",
     "UPDATE approvals SET session_id = '{b:14}' WHERE id = '{a:16}'"},
    {"meetings", kMeeting,
     "INSERT INTO meetings (customer_id, title) VALUES ('{t:10}', 'x')",
     "UPDATE meetings SET customer_id = '{b:10}', session_id = NULL WHERE id = '{a:17}'"},
    {"transcripts", kTranscript,
     "INSERT INTO transcripts (meeting_id, content) VALUES ('{t:17}', 'x')",
     "UPDATE transcripts SET meeting_id = '{b:17}' WHERE id = '{a:18}'"},
    {"insights", kInsight,
     "INSERT INTO insights (customer_id, source, type, content) "
     "VALUES ('{t:10}', 'crm', 'concern', 'x')",
     "UPDATE insights SET customer_id = '{b:10}', meeting_id = NULL WHERE id = '{a:19}'"},
    {"training_progress", kProgress,
     "INSERT INTO training_progress (customer_id, module_id) "
     "VALUES ('{t:10}', 'c0000000-0000-0000-0000-000000000001')",
     "UPDATE training_progress SET customer_id = '{b:10}', stakeholder_id = NULL "
     "WHERE id = '{a:20}'"},
    {"activity_log", kActivity,
     "INSERT INTO activity_log (customer_id, user_id, action) VALUES ('{t:10}', '{a:1}', "
     "'x')",
     "UPDATE activity_log SET customer_id = '{b:10}' WHERE id = '{a:21}'"},
};

// Replaces {a:NN}, {b:NN} and {t:NN} (t = `tenant`) with fixture ids.
std::string expand(std::string sql, char tenant) {
  for (size_t pos; (pos = sql.find('{')) != std::string::npos;) {
    size_t end = sql.find('}', pos);
    char t = sql[pos + 1] == 't' ? tenant : sql[pos + 1];
    int row = std::stoi(sql.substr(pos + 3, end - pos - 3));
    sql.replace(pos, end - pos + 1, tenant_id(t, static_cast<TenantRow>(row)));
  }
  return sql;
}

class Rls : public ::testing::TestWithParam<TableCase> {
 protected:
  void SetUp() override { load_two_tenants(conn_); }

  // Runs `sql` as CSM A in its own transaction; returns rows affected, or
  // -1 when the statement was refused.
  long as_a(const std::string& sql, std::string* error = nullptr) {
    begin_as(conn_, "authenticated", tenant_id('a', kUser));
    auto r = conn_.exec("as_csm_a", sql);
    long out = r ? r->affected() : -1;
    if (!r && error) *error = r.error().message;
    (void)conn_.exec("rollback", "ROLLBACK");
    return out;
  }

  std::vector<std::string> ids_seen_by(std::string_view role, std::string_view user,
                                       const std::string& table) {
    begin_as(conn_, role, user);
    auto r = conn_.exec("select_ids", "SELECT id FROM " + table + " ORDER BY id");
    (void)conn_.exec("rollback", "ROLLBACK");
    if (!r) throw std::runtime_error(r.error().to_string());
    std::vector<std::string> ids;
    for (int i = 0; i < r->rows(); ++i) ids.emplace_back(r->value(i, 0));
    return ids;
  }

  TestDatabase db_;
  db::Connection conn_ = db_.connect();
};

TEST_P(Rls, CsmSelectsOnlyTheirOwnRows) {
  const TableCase& c = GetParam();
  EXPECT_EQ(ids_seen_by("authenticated", tenant_id('a', kUser), c.table),
            std::vector<std::string>{tenant_id('a', c.row)});
  EXPECT_EQ(ids_seen_by("authenticated", tenant_id('b', kUser), c.table),
            std::vector<std::string>{tenant_id('b', c.row)});
}

TEST_P(Rls, CsmCannotUpdateOrDeleteAnotherCsmsRows) {
  const TableCase& c = GetParam();
  const std::string b_row = tenant_id('b', c.row);
  const std::string table = c.table;
  EXPECT_LE(as_a("UPDATE " + table + " SET id = id WHERE id = '" + b_row + "'"), 0);
  EXPECT_LE(as_a("DELETE FROM " + table + " WHERE id = '" + b_row + "'"), 0);
  EXPECT_LE(as_a("DELETE FROM " + table), table == "activity_log" ? 0 : 1)
      << "a blanket DELETE reached beyond A's own row";
  EXPECT_EQ(
      query_value(conn_, "SELECT count(*) FROM " + table + " WHERE id = '" + b_row + "'"),
      "1");
}

TEST_P(Rls, CsmCanChangeTheirOwnRows) {
  // The control for the test above: the same statements on A's own row work
  // (activity_log is append-only, so there they are refused too).
  const TableCase& c = GetParam();
  const std::string a_row = tenant_id('a', c.row);
  const long expected = std::string(c.table) == "activity_log" ? -1 : 1;
  EXPECT_EQ(
      as_a("UPDATE " + std::string(c.table) + " SET id = id WHERE id = '" + a_row + "'"),
      expected);
}

TEST_P(Rls, CsmCannotCreateRowsUnderAnotherCsmsCustomer) {
  const TableCase& c = GetParam();
  std::string error;
  EXPECT_EQ(as_a(expand(c.insert, 'b'), &error), -1);
  EXPECT_NE(error.find("row-level security"), std::string::npos) << error;
  EXPECT_EQ(as_a(expand(c.insert, 'a')), 1) << "control: A may create under A";
}

TEST_P(Rls, CsmCannotMoveTheirRowToAnotherCsm) {
  const TableCase& c = GetParam();
  EXPECT_LE(as_a(expand(c.move, 'a')), 0);
  const std::string a_row = tenant_id('a', c.row);
  EXPECT_EQ(ids_seen_by("authenticated", tenant_id('a', kUser), c.table),
            std::vector<std::string>{a_row});
}

TEST_P(Rls, AnonSeesNothingAndWritesNothing) {
  const TableCase& c = GetParam();
  EXPECT_TRUE(ids_seen_by("anon", "", c.table).empty());
  begin_as(conn_, "anon");
  auto r = conn_.exec("anon_insert", expand(c.insert, 'a'));
  (void)conn_.exec("rollback", "ROLLBACK");
  EXPECT_FALSE(r);
}

TEST_P(Rls, AuthenticatedWithoutSubjectSeesNothing) {
  EXPECT_TRUE(ids_seen_by("authenticated", "", GetParam().table).empty());
}

TEST_P(Rls, ServiceRoleSeesEveryTenant) {
  const TableCase& c = GetParam();
  EXPECT_EQ(ids_seen_by("service_role", "", c.table),
            (std::vector<std::string>{tenant_id('a', c.row), tenant_id('b', c.row)}));
}

INSTANTIATE_TEST_SUITE_P(EveryCustomerScopedTable, Rls, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.table); });

class SharedTables : public ::testing::Test {
 protected:
  void SetUp() override { load_two_tenants(conn_); }
  TestDatabase db_;
  db::Connection conn_ = db_.connect();
};

TEST_F(SharedTables, CsmReadsModulesAndPublicArticlesOnly) {
  begin_as(conn_, "authenticated", tenant_id('a', kUser));
  EXPECT_EQ(query_value(conn_, "SELECT count(*) FROM training_modules"), "1");
  EXPECT_EQ(query_value(conn_, "SELECT string_agg(id::text, ',') FROM knowledge_base"),
            kPublicArticleId);
  (void)conn_.exec("rollback", "ROLLBACK");
}

TEST_F(SharedTables, CsmCannotWriteModulesOrArticles) {
  for (const char* sql :
       {"INSERT INTO training_modules (title) VALUES ('x')",
        "INSERT INTO knowledge_base (title, content) VALUES ('x', 'y')"}) {
    begin_as(conn_, "authenticated", tenant_id('a', kUser));
    auto r = conn_.exec("csm_write_shared", sql);
    (void)conn_.exec("rollback", "ROLLBACK");
    EXPECT_FALSE(r) << sql;
  }
  begin_as(conn_, "authenticated", tenant_id('a', kUser));
  auto r = conn_.exec("csm_update_shared", "UPDATE training_modules SET title = 'y'");
  (void)conn_.exec("rollback", "ROLLBACK");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->affected(), 0);
}

TEST_F(SharedTables, AnonReadsNoModulesOrArticles) {
  begin_as(conn_, "anon");
  EXPECT_EQ(query_value(conn_, "SELECT count(*) FROM training_modules"), "0");
  EXPECT_EQ(query_value(conn_, "SELECT count(*) FROM knowledge_base"), "0");
  EXPECT_EQ(query_value(conn_, "SELECT count(*) FROM customer_health_view"), "0");
  (void)conn_.exec("rollback", "ROLLBACK");
}

TEST_F(SharedTables, HealthViewShowsACsmOnlyTheirCustomers) {
  begin_as(conn_, "authenticated", tenant_id('a', kUser));
  EXPECT_EQ(
      query_value(conn_, "SELECT string_agg(id::text, ',') FROM customer_health_view"),
      tenant_id('a', kCustomer));
  (void)conn_.exec("rollback", "ROLLBACK");
}

TEST_F(SharedTables, EveryTableHasRowLevelSecurityEnabled) {
  EXPECT_EQ(query_value(conn_,
                        "SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class "
                        "WHERE relnamespace = 'public'::regnamespace AND relkind = 'r' "
                        "AND NOT relrowsecurity"),
            "");
  EXPECT_EQ(query_value(conn_,
                        "SELECT count(*) FROM pg_class WHERE relnamespace = "
                        "'public'::regnamespace AND relkind = 'r' AND relrowsecurity"),
            "18");  // the seed's 14 + 006_health's 4
}

TEST_F(SharedTables, ParentTablesHaveOnlyTheirCsmAndServiceRolePolicies) {
  // Since 013 a child row is visible and writable to whoever sees its
  // parent, so a policy added on a parent widens every child table too.
  // Adding one must be a decision: change this list with it.
  EXPECT_EQ(
      query_value(conn_,
                  "SELECT string_agg(format('%s.%s:%s:%s', tablename, policyname, cmd, "
                  "roles), ' ' ORDER BY tablename, policyname) FROM pg_policies "
                  "WHERE schemaname = 'public' AND tablename IN "
                  "('customers', 'contracts', 'agent_sessions', 'meetings')"),
      "agent_sessions.agent_sessions_policy:ALL:{authenticated} "
      "agent_sessions.service_role_policy:ALL:{service_role} "
      "contracts.contracts_policy:ALL:{authenticated} "
      "contracts.service_role_policy:ALL:{service_role} "
      "customers.customers_policy:ALL:{authenticated} "
      "customers.service_role_policy:ALL:{service_role} "
      "meetings.meetings_policy:ALL:{authenticated} "
      "meetings.service_role_policy:ALL:{service_role}");
}

TEST_F(SharedTables, PoliciesCallAuthUidOncePerStatement) {
  // auth.uid() must appear as (SELECT auth.uid()), an initplan evaluated
  // once, never bare, which is evaluated per row.
  EXPECT_EQ(
      query_value(conn_,
                  "SELECT count(*) FROM pg_policies WHERE schemaname = 'public' AND "
                  "(regexp_replace(coalesce(qual, '') || coalesce(with_check, ''), "
                  "'SELECT auth\\.uid\\(\\)', '', 'g') ~ 'auth\\.uid\\(\\)')"),
      "0");
}

TEST_F(SharedTables, ViewRunsWithTheCallersRights) {
  EXPECT_EQ(query_value(conn_,
                        "SELECT reloptions::text FROM pg_class WHERE oid = "
                        "'public.customer_health_view'::regclass"),
            "{security_invoker=true}");
}

}  // namespace
}  // namespace cscx::testing
