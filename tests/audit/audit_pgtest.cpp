// The audit trail (migrations/004_audit.sql): every insert, update and delete
// on a customer-scoped table writes one activity_log row with the request's
// user, IP and user agent; activity_log is append-only below service_role.
// Writes run as the API runs them: one transaction with SET LOCAL ROLE,
// request.jwt.claims and the request.* settings the pool sets.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "schema/tenant_fixture.h"
#include "support/test_database.h"

namespace cscx::testing {
namespace {

// A fresh id under tenant 'a' (row 50 and up are not used by the fixture).
std::string new_id(int n) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "a0000000-0000-0000-0000-0000000000%02d", 50 + n);
  return buf;
}

struct TableCase {
  const char* table;
  TenantRow row;
  // INSERT of a row with id {id} under A's parent rows.
  const char* insert;
  // One column of A's fixture row: its name, fixture value (as JSON) and a
  // new value (SQL literal, and as JSON).
  const char* column;
  const char* old_json;
  const char* new_sql;
  const char* new_json;
};

// {id} is replaced by the new row's id, {a:NN} by fixture ids.
const TableCase kCases[] = {
    {"customers", kCustomer,
     "INSERT INTO customers (id, name, csm_id) VALUES ('{id}', 'x', '{a:1}')", "name",
     R"("Customer a")", "'Renamed'", R"("Renamed")"},
    {"stakeholders", kStakeholder,
     "INSERT INTO stakeholders (id, customer_id, name) VALUES ('{id}', '{a:10}', 'x')", "name",
     R"("Stake")", "'Ada'", R"("Ada")"},
    {"contracts", kContract, "INSERT INTO contracts (id, customer_id) VALUES ('{id}', '{a:10}')",
     "status", R"("active")", "'expired'", R"("expired")"},
    {"entitlements", kEntitlement,
     "INSERT INTO entitlements (id, contract_id, name) VALUES ('{id}', '{a:12}', 'x')", "quantity",
     "null", "25", "25"},
    {"agent_sessions", kSession,
     "INSERT INTO agent_sessions (id, customer_id) VALUES ('{id}', '{a:10}')", "status",
     R"("active")", "'ended'", R"("ended")"},
    {"agent_messages", kMessage,
     "INSERT INTO agent_messages (id, session_id, role, content) "
     "VALUES ('{id}', '{a:14}', 'user', 'x')",
     "content", R"("hello")", "'bye'", R"("bye")"},
    {"approvals", kApproval,
     "INSERT INTO approvals (id, session_id, agent_id, action) VALUES ('{id}', '{a:14}', 'x', 'x')",
     "status", R"("pending")", "'approved'", R"("approved")"},
    {"meetings", kMeeting,
     "INSERT INTO meetings (id, customer_id, title) VALUES ('{id}', '{a:10}', 'x')", "title",
     R"("Kickoff")", "'QBR'", R"("QBR")"},
    {"transcripts", kTranscript,
     "INSERT INTO transcripts (id, meeting_id, content) VALUES ('{id}', '{a:17}', 'x')",
     "word_count", "null", "2", "2"},
    {"insights", kInsight,
     "INSERT INTO insights (id, customer_id, source, type, content) "
     "VALUES ('{id}', '{a:10}', 'crm', 'concern', 'x')",
     "importance", R"("medium")", "'high'", R"("high")"},
    {"training_progress", kProgress,
     "INSERT INTO training_progress (id, customer_id, module_id) "
     "VALUES ('{id}', '{a:10}', 'c0000000-0000-0000-0000-000000000001')",
     "progress", "50", "75", "75"},
};

// gtest prints the parameter in test names and messages.
void PrintTo(const TableCase& c, std::ostream* os) { *os << c.table; }

std::string expand(std::string sql, const std::string& id = "") {
  for (size_t pos; (pos = sql.find('{')) != std::string::npos;) {
    size_t end = sql.find('}', pos);
    std::string key = sql.substr(pos + 1, end - pos - 1);
    std::string value = key == "id" ? id
                                    : tenant_id(key[0], static_cast<TenantRow>(
                                                            std::stoi(key.substr(2))));
    sql.replace(pos, end - pos + 1, value);
  }
  return sql;
}

// The audit row's columns, as text ("" for NULL), in one line.
constexpr const char* kAuditColumns =
    "coalesce(user_id::text, '') || '|' || coalesce(customer_id::text, '') || '|' || action || "
    "'|' || coalesce(entity_type, '') || '|' || coalesce(entity_id::text, '') || '|' || "
    "coalesce(host(ip_address), '') || '|' || coalesce(user_agent, '')";

// BEGIN as the API does: role, claims (sub = user unless empty), and the
// request settings.
void begin_request(db::Connection& conn, std::string_view role, std::string_view user,
                   const std::string& ip = "203.0.113.7",
                   const std::string& user_agent = "supabase-js/2 test") {
  begin_as(conn, role, user);
  auto r = conn.exec_params("request_settings",
                            "SELECT set_config('request.ip', $1, true), "
                            "set_config('request.user_agent', $2, true), "
                            "set_config('request.method', 'POST', true), "
                            "set_config('request.path', '/rest/v1/x', true)",
                            {ip, user_agent});
  if (!r) throw std::runtime_error(r.error().to_string());
}

class Audit : public ::testing::Test {
 protected:
  void SetUp() override { load_two_tenants(conn_); }

  void begin_request(std::string_view role, std::string_view user,
                     const std::string& ip = "203.0.113.7",
                     const std::string& user_agent = "supabase-js/2 test") {
    cscx::testing::begin_request(conn_, role, user, ip, user_agent);
  }

  // Runs `sql` in a request as CSM A and commits; throws if it fails.
  void as_a(const std::string& sql) {
    begin_request("authenticated", tenant_id('a', kUser));
    query_value(conn_, sql);
    query_value(conn_, "COMMIT");
  }

  // Runs `sql` in a request as `role`/`user` and rolls back; returns rows
  // affected, or -1 and the message when refused.
  long try_as(std::string_view role, std::string_view user, const std::string& sql,
              std::string* error = nullptr) {
    begin_request(role, user);
    auto r = conn_.exec("try_as", sql);
    long out = r ? r->affected() : -1;
    if (!r && error) *error = r.error().message;
    (void)conn_.exec("rollback", "ROLLBACK");
    return out;
  }

  void exec_params(const std::string& sql, const std::vector<std::optional<std::string>>& params) {
    auto r = conn_.exec_params("exec_params", sql, params);
    if (!r) throw std::runtime_error(r.error().to_string() + " in: " + sql);
  }

  // Audit rows written by the trigger (the fixture's own rows say 'created').
  std::vector<std::string> trigger_rows(const std::string& where = "true") {
    auto r = conn_.exec("trigger_rows",
                        std::string("SELECT ") + kAuditColumns +
                            " FROM activity_log WHERE action IN ('insert', 'update', 'delete') "
                            "AND (" + where + ") ORDER BY created_at, entity_type");
    if (!r) throw std::runtime_error(r.error().to_string());
    std::vector<std::string> rows;
    for (int i = 0; i < r->rows(); ++i) rows.emplace_back(r->value(i, 0));
    return rows;
  }

  std::string row_line(const std::string& customer, const std::string& action,
                       const std::string& table, const std::string& id,
                       const std::string& user = tenant_id('a', kUser),
                       const std::string& ip = "203.0.113.7",
                       const std::string& user_agent = "supabase-js/2 test") {
    return user + "|" + customer + "|" + action + "|" + table + "|" + id + "|" + ip + "|" +
           user_agent;
  }

  TestDatabase db_;
  db::Connection conn_ = db_.connect();
};

class AuditPerTable : public Audit, public ::testing::WithParamInterface<TableCase> {};

TEST_P(AuditPerTable, InsertWritesOneRowWithTheNewRow) {
  const TableCase& c = GetParam();
  const std::string id = new_id(0);
  as_a(expand(c.insert, id));
  const std::string customer =
      std::string(c.table) == "customers" ? id : tenant_id('a', kCustomer);
  EXPECT_EQ(trigger_rows(), std::vector<std::string>{row_line(customer, "insert", c.table, id)});
  EXPECT_EQ(query_value(conn_, "SELECT old_values IS NULL AND new_values = (SELECT to_jsonb(t) FROM " +
                                   std::string(c.table) + " t WHERE id = '" + id +
                                   "') FROM activity_log WHERE action = 'insert'"),
            "t");
}

TEST_P(AuditPerTable, UpdateWritesOneRowWithTheChangedColumnsOnly) {
  const TableCase& c = GetParam();
  const std::string id = tenant_id('a', c.row);
  as_a("UPDATE " + std::string(c.table) + " SET " + c.column + " = " + c.new_sql +
       " WHERE id = '" + id + "'");
  EXPECT_EQ(trigger_rows(), std::vector<std::string>{
                                row_line(tenant_id('a', kCustomer), "update", c.table, id)});
  EXPECT_EQ(query_value(conn_, "SELECT old_values::text || ' -> ' || new_values::text "
                               "FROM activity_log WHERE action = 'update'"),
            std::string("{\"") + c.column + "\": " + c.old_json + "} -> {\"" + c.column +
                "\": " + c.new_json + "}");
}

TEST_P(AuditPerTable, DeleteWritesOneRowWithTheOldRow) {
  const TableCase& c = GetParam();
  const std::string id = new_id(1);
  query_value(conn_, expand(c.insert, id) + "; SELECT 1");  // superuser: not audited
  const std::string before = query_value(
      conn_, "SELECT to_jsonb(t)::text FROM " + std::string(c.table) + " t WHERE id = '" + id + "'");
  as_a("DELETE FROM " + std::string(c.table) + " WHERE id = '" + id + "'");
  // A deleted customer is gone when the trigger runs: its id stays in
  // entity_id, customer_id is NULL (activity_log's foreign key).
  const std::string customer =
      std::string(c.table) == "customers" ? "" : tenant_id('a', kCustomer);
  EXPECT_EQ(trigger_rows(), std::vector<std::string>{row_line(customer, "delete", c.table, id)});
  EXPECT_EQ(query_value(conn_, "SELECT old_values::text FROM activity_log WHERE action = 'delete'"),
            before);
  EXPECT_EQ(query_value(conn_, "SELECT new_values IS NULL FROM activity_log WHERE action = 'delete'"),
            "t");
}

TEST_P(AuditPerTable, UpdateThatChangesNothingWritesNothing) {
  const TableCase& c = GetParam();
  const std::string id = tenant_id('a', c.row);
  // update_timestamp() still moves updated_at where the table has one.
  as_a("UPDATE " + std::string(c.table) + " SET id = id WHERE id = '" + id + "'");
  as_a("UPDATE " + std::string(c.table) + " SET " + c.column + " = " + c.column +
       " WHERE id = '" + id + "'");
  EXPECT_EQ(trigger_rows(), std::vector<std::string>{});
}

TEST_P(AuditPerTable, CsmSeesTheirOwnAuditRowsButNotAnotherCsms) {
  const TableCase& c = GetParam();
  as_a("UPDATE " + std::string(c.table) + " SET " + c.column + " = " + c.new_sql +
       " WHERE id = '" + tenant_id('a', c.row) + "'");
  begin_request("authenticated", tenant_id('b', kUser));
  query_value(conn_, expand("UPDATE " + std::string(c.table) + " SET " + c.column + " = " +
                            c.new_sql + " WHERE id = '{b:" + std::to_string(c.row) + "}'"));
  query_value(conn_, "COMMIT");
  ASSERT_EQ(trigger_rows().size(), 2u);
  for (char t : {'a', 'b'}) {
    begin_request("authenticated", tenant_id(t, kUser));
    const std::string seen = query_value(
        conn_, "SELECT string_agg(entity_id::text, ',') FROM activity_log WHERE action = 'update'");
    (void)conn_.exec("rollback", "ROLLBACK");
    EXPECT_EQ(seen, tenant_id(t, c.row)) << "CSM " << t;
  }
}

INSTANTIATE_TEST_SUITE_P(Tables, AuditPerTable, ::testing::ValuesIn(kCases),
                         [](const auto& info) { return std::string(info.param.table); });

TEST_F(Audit, WritesOutsideAnyRequestAreNotAudited) {
  // The fixture was loaded as superuser without claims: migrations, demo
  // data and maintenance sessions write no audit rows.
  EXPECT_EQ(trigger_rows(), std::vector<std::string>{});
  query_value(conn_, "UPDATE customers SET name = 'maintenance'; SELECT 1");
  EXPECT_EQ(trigger_rows(), std::vector<std::string>{});
}

TEST_F(Audit, UpdatingOnlyUpdatedAtWritesNothing) {
  as_a("UPDATE customers SET updated_at = now() - interval '1 day' WHERE id = '" +
       tenant_id('a', kCustomer) + "'");
  EXPECT_EQ(trigger_rows(), std::vector<std::string>{});
}

TEST_F(Audit, OneStatementOverManyRowsWritesOneAuditRowPerChangedRow) {
  const std::string customer = tenant_id('a', kCustomer);
  as_a("INSERT INTO stakeholders (customer_id, name) SELECT '" + customer +
       "', 's' || g FROM generate_series(1, 5) g");
  // Six rows of A's (five new, the fixture's 'Stake'), one of them unchanged.
  as_a("UPDATE stakeholders SET name = 's1'");
  EXPECT_EQ(query_value(conn_, "SELECT count(*) FILTER (WHERE action = 'insert') || ' ' || "
                               "count(*) FILTER (WHERE action = 'update') FROM activity_log"),
            "5 5");
}

// The trigger runs once per statement (014): each row's old and new
// versions must still be paired, and the rows keep the statement's order.
TEST_F(Audit, ManyRowUpdatePairsEachRowsOldAndNewValues) {
  const std::string customer = tenant_id('a', kCustomer);
  as_a("INSERT INTO stakeholders (customer_id, name) SELECT '" + customer +
       "', 's' || g FROM generate_series(1, 40) g");
  as_a("UPDATE stakeholders SET name = name || '!'");
  // 41 rows of A's, every name different: each audit row names its own row,
  // whose old name plus '!' is its new name.
  EXPECT_EQ(query_value(conn_,
                        "SELECT count(*) FROM activity_log a "
                        "JOIN stakeholders s ON s.id = a.entity_id "
                        "WHERE a.action = 'update' "
                        "AND a.old_values = jsonb_build_object('name', "
                        "    rtrim(s.name, '!')) "
                        "AND a.new_values = jsonb_build_object('name', s.name)"),
            "41");
  EXPECT_EQ(
      query_value(conn_, "SELECT count(*) FROM activity_log WHERE action = 'update'"),
      "41");
}

TEST_F(Audit, RowsOfOneStatementKeepTheirOrder) {
  const std::string customer = tenant_id('a', kCustomer);
  as_a("INSERT INTO stakeholders (customer_id, name) SELECT '" + customer +
       "', 's' || g FROM generate_series(1, 9) g");
  EXPECT_EQ(
      query_value(conn_,
                  "SELECT string_agg(new_values ->> 'name', ',' ORDER BY created_at) "
                  "FROM activity_log WHERE action = 'insert'"),
      "s1,s2,s3,s4,s5,s6,s7,s8,s9");
}

TEST_F(Audit, UpdateOfTheIdIsRecordedUnderTheNewId) {
  const std::string customer = tenant_id('a', kCustomer);
  as_a("INSERT INTO stakeholders (id, customer_id, name) VALUES ('" + new_id(1) + "', '" +
       customer + "', 'x')");
  as_a("UPDATE stakeholders SET id = '" + new_id(2) + "' WHERE id = '" + new_id(1) + "'");
  EXPECT_EQ(
      trigger_rows("action = 'update'"),
      std::vector<std::string>{row_line(customer, "update", "stakeholders", new_id(2))});
  EXPECT_EQ(query_value(conn_,
                        "SELECT old_values::text || ' ' || new_values::text "
                        "FROM activity_log WHERE action = 'update'"),
            "{\"id\": \"" + new_id(1) + "\"} {\"id\": \"" + new_id(2) + "\"}");
}

TEST_F(Audit, UpsertAuditsTheInsertedAndTheUpdatedRows) {
  const std::string customer = tenant_id('a', kCustomer);
  as_a("INSERT INTO stakeholders (id, customer_id, name) VALUES ('" + new_id(3) + "', '" +
       customer + "', 'New'), ('" + tenant_id('a', kStakeholder) + "', '" + customer +
       "', 'Merged') ON CONFLICT (id) DO UPDATE SET name = excluded.name");
  // Two statement triggers fire, the update's first: the rows are ordered
  // per event, not in the order of the VALUES (004's row trigger wrote the
  // insert first here).
  EXPECT_EQ(
      trigger_rows(),
      (std::vector<std::string>{
          row_line(customer, "update", "stakeholders", tenant_id('a', kStakeholder)),
          row_line(customer, "insert", "stakeholders", new_id(3))}));
}

TEST_F(Audit, StatementsThatChangeNoRowWriteNothing) {
  for (const char* sql :
       {"UPDATE customers SET name = 'x' WHERE false",
        "DELETE FROM stakeholders WHERE false",
        "INSERT INTO insights (customer_id, source, type, content) "
        "SELECT customer_id, source, type, content FROM insights WHERE false"}) {
    as_a(sql);
  }
  EXPECT_EQ(trigger_rows(), std::vector<std::string>{});
}

// 014 replaced 004's row trigger by a statement trigger that must write the
// same rows. The same workload (every event, cascades, an upsert, MERGE, a
// writable CTE, unaudited writes) runs on two databases, one with 004's
// function and triggers put back, and the audit rows must be equal as a
// multiset. created_at is left out (014 orders a statement's rows per event,
// docs/schema.md), and so are the timestamps inside the values.
std::string audit_rows_of(db::Connection& conn) {
  auto r = conn.exec(
      "audit_rows",
      "SELECT coalesce(user_id::text, '') || '|' || coalesce(customer_id::text, '') "
      "|| '|' || action || '|' || entity_type || '|' || "
      "coalesce(entity_id::text, '') || '|' || "
      "coalesce((old_values - 'created_at' - 'updated_at')::text, '') || '|' || "
      "coalesce((new_values - 'created_at' - 'updated_at')::text, '') || '|' || "
      "coalesce(host(ip_address), '') || '|' || coalesce(user_agent, '') AS line "
      "FROM activity_log WHERE action IN ('insert', 'update', 'delete') "
      "ORDER BY line");
  if (!r) throw std::runtime_error(r.error().to_string());
  std::string out;
  for (int i = 0; i < r->rows(); ++i) out += std::string(r->value(i, 0)) + "\n";
  return out;
}

void run_audit_workload(db::Connection& conn) {
  const std::string user = tenant_id('a', kUser);
  const std::string customer = tenant_id('a', kCustomer);
  auto csm = [&](const std::string& sql) {
    begin_request(conn, "authenticated", user, "198.51.100.4", "equivalence");
    query_value(conn, sql + "; SELECT 1");
    query_value(conn, "COMMIT");
  };
  csm("INSERT INTO stakeholders (id, customer_id, name) VALUES ('" + new_id(10) + "', '" +
      customer + "', 'n10'), ('" + new_id(11) + "', '" + customer + "', 'n11'), ('" +
      new_id(12) + "', '" + customer + "', 'n12')");
  csm("UPDATE stakeholders SET role = 'VP' WHERE name <> 'n12'");
  csm("UPDATE stakeholders SET name = name");
  csm("INSERT INTO stakeholders (id, customer_id, name) VALUES ('" + new_id(13) + "', '" +
      customer + "', 'n13'), ('" + tenant_id('a', kStakeholder) + "', '" + customer +
      "', 'Merged') ON CONFLICT (id) DO UPDATE SET name = excluded.name");
  csm("MERGE INTO stakeholders t USING (VALUES ('" + new_id(14) + "'::uuid, 'm14'), ('" +
      new_id(10) + "'::uuid, 'm10'), ('" + new_id(12) +
      "'::uuid, 'gone')) v(id, name) ON t.id = v.id "
      "WHEN MATCHED AND v.name = 'gone' THEN DELETE "
      "WHEN MATCHED THEN UPDATE SET name = v.name "
      "WHEN NOT MATCHED THEN INSERT (id, customer_id, name) VALUES (v.id, '" +
      customer + "', v.name)");
  csm("WITH d AS (DELETE FROM stakeholders WHERE id = '" + new_id(11) +
      "' RETURNING customer_id) UPDATE customers SET stage = 'active' "
      "WHERE id IN (SELECT customer_id FROM d)");
  csm("UPDATE agent_messages SET content = 'edited'");
  csm("UPDATE transcripts SET word_count = 3");
  csm("DELETE FROM contracts WHERE id = '" + tenant_id('a', kContract) + "'");
  // service_role without claims: audited, no user.
  query_value(conn,
              "BEGIN; SET LOCAL ROLE service_role; "
              "UPDATE insights SET importance = 'high'; COMMIT; SELECT 1");
  // The owner without claims: not audited.
  query_value(conn, "UPDATE meetings SET title = 'maintenance'; SELECT 1");
  csm("DELETE FROM customers WHERE id = '" + customer + "'");
}

TEST(AuditEquivalence, TheStatementTriggerWritesTheRowsOf004sRowTrigger) {
  TestDatabase statement_db;
  db::Connection statement = statement_db.connect();
  load_two_tenants(statement);

  TestDatabase row_db;
  db::Connection row = row_db.connect();
  load_two_tenants(row);
  query_value(row, function_statement(source_text("migrations/004_audit.sql"),
                                      "cscx.audit_row_change") +
                       R"sql(

DO $do$
DECLARE
  t RECORD;
BEGIN
  FOR t IN
    SELECT tgrelid::regclass AS tbl, pg_catalog.pg_get_triggerdef(oid) AS def
    FROM pg_catalog.pg_trigger WHERE tgname = 'audit_insert'
  LOOP
    EXECUTE format('DROP TRIGGER audit_insert ON %s; DROP TRIGGER audit_update ON %s; '
                   'DROP TRIGGER audit_delete ON %s', t.tbl, t.tbl, t.tbl);
    EXECUTE format('CREATE TRIGGER audit_row_change AFTER INSERT OR UPDATE OR DELETE ON %s '
                   'FOR EACH ROW EXECUTE FUNCTION cscx.audit_row_change(%s)', t.tbl,
                   substring(t.def FROM 'audit_changes\((.*)\)$'));
  END LOOP;
END
$do$;
SELECT count(*) FROM pg_catalog.pg_trigger WHERE tgname = 'audit_row_change')sql");
  ASSERT_EQ(query_value(
                row, "SELECT count(*) FROM pg_trigger WHERE tgname = 'audit_row_change'"),
            "13");

  run_audit_workload(statement);
  run_audit_workload(row);
  const std::string expected = audit_rows_of(row);
  EXPECT_GE(std::count(expected.begin(), expected.end(), '\n'), 30) << expected;
  EXPECT_EQ(audit_rows_of(statement), expected);
}

TEST_F(Audit, ATriggerNamingAnUnknownParentTableFailsItsStatement) {
  // audit_changes() resolves a parent's customer only for contracts,
  // agent_sessions and meetings; a trigger set up with any other parent is
  // a mistake, and it must stop the write rather than log rows without a
  // customer. The check comes first, so it holds for unaudited writes too.
  query_value(conn_,
              "CREATE TABLE public.audit_scratch (id uuid PRIMARY KEY, parent_id uuid); "
              "CREATE TRIGGER audit_insert AFTER INSERT ON public.audit_scratch "
              "REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT "
              "EXECUTE FUNCTION cscx.audit_changes('parent_id', 'users'); SELECT 1");
  auto r = conn_.exec("insert", "INSERT INTO public.audit_scratch VALUES ('" +
                                    tenant_id('a', kCustomer) + "', NULL)");
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("audit_changes on audit_scratch: unknown parent table users"),
            std::string::npos)
      << r.error().message;
  EXPECT_EQ(query_value(conn_, "SELECT count(*) FROM public.audit_scratch"), "0");
  EXPECT_EQ(query_value(conn_, "SELECT count(*) FROM activity_log"),
            query_value(conn_, "SELECT count(*) FROM activity_log WHERE action = 'created'"));
  // And in a request, where the write would be audited.
  query_value(conn_, "GRANT INSERT, SELECT ON public.audit_scratch TO service_role; SELECT 1");
  std::string error;
  EXPECT_EQ(try_as("service_role", tenant_id('a', kUser),
                   "INSERT INTO public.audit_scratch VALUES ('" + tenant_id('a', kCustomer) +
                       "', NULL)",
                   &error),
            -1);
  EXPECT_NE(error.find("audit_changes on audit_scratch: unknown parent table users"),
            std::string::npos)
      << error;
}

TEST_F(Audit, InvalidIpTextDoesNotFailTheWrite) {
  const std::string id = tenant_id('a', kCustomer);
  for (const char* ip : {"not-an-ip", "203.0.113.7:5555", "999.1.1.1", "  "}) {
    begin_request("authenticated", tenant_id('a', kUser), ip, "ua");
    query_value(conn_, "UPDATE customers SET arr = coalesce(arr, 0) + 1 WHERE id = '" + id + "'");
    query_value(conn_, "COMMIT");
  }
  EXPECT_EQ(query_value(conn_, "SELECT count(*) || ' ' || count(ip_address) || ' ' || "
                               "count(user_agent) FROM activity_log WHERE action = 'update'"),
            "4 0 4");
}

TEST_F(Audit, Ipv6AndEmptySettingsAreRecordedAsGiven) {
  const std::string id = tenant_id('a', kCustomer);
  begin_request("authenticated", tenant_id('a', kUser), "2001:db8::1", "");
  query_value(conn_, "UPDATE customers SET name = 'v6' WHERE id = '" + id + "'");
  query_value(conn_, "COMMIT");
  EXPECT_EQ(trigger_rows(), std::vector<std::string>{row_line(id, "update", "customers", id,
                                                              tenant_id('a', kUser),
                                                              "2001:db8::1", "")});
}

TEST_F(Audit, WithoutAClaimsSettingTheUserIsNull) {
  // No request.jwt.claims at all (SET ROLE only): the write is audited, with
  // user_id NULL.
  const std::string id = tenant_id('a', kCustomer);
  query_value(conn_, "BEGIN; SET LOCAL ROLE service_role; UPDATE customers SET name = 'svc' "
                     "WHERE id = '" + id + "'; COMMIT; SELECT 1");
  EXPECT_EQ(trigger_rows(),
            std::vector<std::string>{row_line(id, "update", "customers", id, "", "", "")});
}

TEST_F(Audit, ASubThatIsNoUserGivesANullUserAndTheWriteSucceeds) {
  const std::string id = tenant_id('a', kCustomer);
  int n = 0;
  for (const char* claims : {R"({"role":"service_role"})",
                             R"({"role":"service_role","sub":"d0000000-0000-0000-0000-000000000001"})",
                             R"({"role":"service_role","sub":"not-a-uuid"})",
                             R"({"role":"service_role","sub":42})", "{not json", "[]"}) {
    query_value(conn_, "BEGIN");
    exec_params("SELECT set_config('request.jwt.claims', $1, true)", {claims});
    query_value(conn_, "SET LOCAL ROLE service_role");
    auto r = conn_.exec("update", "UPDATE customers SET arr = " + std::to_string(++n) +
                                      " WHERE id = '" + id + "'");
    EXPECT_TRUE(r) << claims << ": " << (r ? "" : r.error().message);
    query_value(conn_, "COMMIT");
  }
  EXPECT_EQ(query_value(conn_, "SELECT count(*) || ' ' || count(user_id) FROM activity_log "
                               "WHERE action = 'update'"),
            "6 0");
}

TEST_F(Audit, DeletedUserIsRecordedAsNull) {
  // The user of a still-valid token has been deleted: the write succeeds.
  const std::string user = "a0000000-0000-0000-0000-000000000099";
  query_value(conn_, "INSERT INTO auth.users (id) VALUES ('" + user + "'); SELECT 1");
  query_value(conn_, "UPDATE customers SET csm_id = '" + user + "' WHERE id = '" +
                         tenant_id('a', kCustomer) + "'; SELECT 1");
  begin_request("authenticated", user);
  query_value(conn_, "UPDATE customers SET name = 'orphan' WHERE id = '" +
                         tenant_id('a', kCustomer) + "'");
  query_value(conn_, "COMMIT");
  EXPECT_EQ(query_value(conn_, "SELECT user_id::text FROM activity_log WHERE action = 'update'"),
            user);
  // And a request of a user who no longer exists (service_role token with
  // a stale sub).
  query_value(conn_, "UPDATE customers SET csm_id = NULL WHERE id = '" +
                         tenant_id('a', kCustomer) + "'; DELETE FROM auth.users WHERE id = '" +
                         user + "'; SELECT 1");
  begin_request("service_role", user);
  query_value(conn_, "UPDATE customers SET name = 'gone' WHERE id = '" +
                         tenant_id('a', kCustomer) + "'");
  query_value(conn_, "COMMIT");
  EXPECT_EQ(query_value(conn_, "SELECT count(*) || ' ' || count(user_id) FROM activity_log "
                               "WHERE action = 'update'"),
            "2 0")
      << "the user's delete sets earlier rows' user_id NULL too";
}

TEST_F(Audit, CsmCanNeitherUpdateNorDeleteAuditRows) {
  as_a("UPDATE customers SET name = 'x' WHERE id = '" + tenant_id('a', kCustomer) + "'");
  const std::string before =
      query_value(conn_, "SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM activity_log t");
  const std::string a = tenant_id('a', kUser);
  EXPECT_LE(try_as("authenticated", a, "UPDATE activity_log SET action = 'forged'"), 0);
  EXPECT_LE(try_as("authenticated", a, "UPDATE activity_log SET new_values = NULL "
                                        "WHERE action = 'update'"), 0);
  EXPECT_LE(try_as("authenticated", a, "DELETE FROM activity_log"), 0);
  EXPECT_LE(try_as("authenticated", a, "TRUNCATE activity_log"), 0);
  EXPECT_LE(try_as("anon", "", "DELETE FROM activity_log"), 0);
  EXPECT_EQ(query_value(conn_, "SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM activity_log t"),
            before);
}

TEST_F(Audit, AppendOnlyHoldsEvenIfUpdateAndDeleteWereGranted) {
  // The trigger guard, behind the revoked privileges: a stray GRANT and
  // policy (e.g. a platform's default privileges) do not open the log.
  query_value(conn_, "GRANT UPDATE, DELETE ON activity_log TO authenticated; "
                     "CREATE POLICY oops ON activity_log FOR ALL TO authenticated "
                     "USING (true) WITH CHECK (true); SELECT 1");
  const std::string a = tenant_id('a', kUser);
  std::string error;
  EXPECT_EQ(try_as("authenticated", a, "UPDATE activity_log SET action = 'forged'", &error), -1);
  EXPECT_NE(error.find("append-only"), std::string::npos) << error;
  EXPECT_EQ(try_as("authenticated", a, "DELETE FROM activity_log", &error), -1);
  EXPECT_NE(error.find("append-only"), std::string::npos) << error;
}

TEST_F(Audit, ServiceRoleCanUpdateAndDeleteAuditRows) {
  as_a("UPDATE customers SET name = 'x' WHERE id = '" + tenant_id('a', kCustomer) + "'");
  begin_request("service_role", "");
  EXPECT_EQ(conn_.exec("redact", "UPDATE activity_log SET ip_address = NULL "
                                 "WHERE action = 'update'")->affected(), 1);
  EXPECT_EQ(conn_.exec("purge", "DELETE FROM activity_log WHERE action = 'update'")->affected(), 1);
  query_value(conn_, "COMMIT");
  EXPECT_EQ(query_value(conn_, "SELECT count(*) FROM activity_log WHERE action = 'update'"), "0");
}

TEST_F(Audit, DirectInsertsAreStampedAndAttributedToTheCaller) {
  // A CSM may log their own events under their own customer; time, IP and
  // user agent come from the request, not from the client.
  const std::string a = tenant_id('a', kUser), customer = tenant_id('a', kCustomer);
  begin_request("authenticated", a);
  query_value(conn_, "INSERT INTO activity_log (customer_id, action, ip_address, user_agent, "
                     "created_at) VALUES ('" + customer + "', 'viewed', '10.0.0.1', 'forged', "
                     "'2000-01-01') RETURNING 1");
  query_value(conn_, "COMMIT");
  EXPECT_EQ(query_value(conn_, std::string("SELECT ") + kAuditColumns +
                                   " || '|' || (created_at > now() - interval '1 hour') "
                                   "FROM activity_log WHERE action = 'viewed'"),
            a + "|" + customer + "|viewed|||203.0.113.7|supabase-js/2 test|true");
}

TEST_F(Audit, CsmCannotForgeTriggerRowsOrOtherUsers) {
  const std::string a = tenant_id('a', kUser), customer = tenant_id('a', kCustomer);
  std::string error;
  for (const std::string& sql :
       {"INSERT INTO activity_log (customer_id, action) VALUES ('" + customer + "', 'delete')",
        "INSERT INTO activity_log (customer_id, user_id, action) VALUES ('" + customer + "', '" +
            tenant_id('b', kUser) + "', 'viewed')",
        "INSERT INTO activity_log (customer_id, action) VALUES ('" + tenant_id('b', kCustomer) +
            "', 'viewed')"}) {
    EXPECT_EQ(try_as("authenticated", a, sql, &error), -1) << sql;
    EXPECT_NE(error.find("row-level security"), std::string::npos) << error;
  }
}

TEST_F(Audit, DeletingACustomerAsServiceRoleSucceedsAndIsAudited) {
  const std::string customer = tenant_id('a', kCustomer);
  as_a("UPDATE customers SET name = 'before' WHERE id = '" + customer + "'");
  const std::string old_row =
      query_value(conn_, "SELECT to_jsonb(c)::text FROM customers c WHERE id = '" + customer + "'");
  begin_request("service_role", "");
  auto r = conn_.exec("delete_customer", "DELETE FROM customers WHERE id = '" + customer + "'");
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->affected(), 1);
  query_value(conn_, "COMMIT");

  // The customer's delete, with the whole old row; the row is gone, so
  // customer_id is NULL and the id is in entity_id.
  EXPECT_EQ(trigger_rows("entity_type = 'customers' AND action = 'delete'"),
            std::vector<std::string>{row_line("", "delete", "customers", customer, "")});
  EXPECT_EQ(query_value(conn_, "SELECT old_values::text FROM activity_log "
                               "WHERE entity_type = 'customers' AND action = 'delete'"),
            old_row);
  // Every row the cascade removed is audited too (customer_id NULL: the
  // customer is gone).
  EXPECT_EQ(query_value(conn_, "SELECT string_agg(entity_type || ':' || entity_id, ' ' "
                               "ORDER BY entity_type) FROM activity_log WHERE action = 'delete' "
                               "AND entity_type <> 'customers' AND customer_id IS NULL"),
            "agent_messages:" + tenant_id('a', kMessage) + " agent_sessions:" +
                tenant_id('a', kSession) + " approvals:" + tenant_id('a', kApproval) +
                " contracts:" + tenant_id('a', kContract) + " entitlements:" +
                tenant_id('a', kEntitlement) + " insights:" + tenant_id('a', kInsight) +
                " meetings:" + tenant_id('a', kMeeting) + " stakeholders:" +
                tenant_id('a', kStakeholder) + " training_progress:" +
                tenant_id('a', kProgress) + " transcripts:" + tenant_id('a', kTranscript));
  // The earlier audit rows stay, detached from the deleted customer; B's are
  // untouched.
  EXPECT_EQ(query_value(conn_, "SELECT count(*) FROM activity_log WHERE customer_id IS NULL "
                               "AND action = 'update' AND entity_id = '" + customer + "'"),
            "1");
  EXPECT_EQ(query_value(conn_, "SELECT customer_id FROM activity_log WHERE id = '" +
                                   tenant_id('b', kActivity) + "'"),
            tenant_id('b', kCustomer));
}

TEST_F(Audit, CsmDeletingTheirCustomerSucceedsAndIsAudited) {
  const std::string customer = tenant_id('a', kCustomer);
  as_a("DELETE FROM customers WHERE id = '" + customer + "'");
  EXPECT_EQ(query_value(conn_, "SELECT count(*) FROM customers WHERE id = '" + customer + "'"), "0");
  EXPECT_EQ(trigger_rows("entity_type = 'customers'"),
            std::vector<std::string>{row_line("", "delete", "customers", customer)});
  EXPECT_EQ(query_value(conn_, "SELECT count(*) FROM activity_log WHERE action = 'delete'"), "11");
}

TEST_F(Audit, RowsDeletedByTheirParentsCascadeHaveNoCustomer) {
  // Deleting a contract cascades to its entitlements. The contract's row
  // names A's customer; the entitlement's parent is gone by then, so it is
  // recorded with customer_id NULL (only service_role reads it).
  as_a("DELETE FROM contracts WHERE id = '" + tenant_id('a', kContract) + "'");
  EXPECT_EQ(trigger_rows("entity_type = 'contracts'"),
            std::vector<std::string>{row_line(tenant_id('a', kCustomer), "delete", "contracts",
                                              tenant_id('a', kContract))});
  EXPECT_EQ(trigger_rows("entity_type = 'entitlements'"),
            std::vector<std::string>{
                row_line("", "delete", "entitlements", tenant_id('a', kEntitlement))});
}

}  // namespace
}  // namespace cscx::testing
