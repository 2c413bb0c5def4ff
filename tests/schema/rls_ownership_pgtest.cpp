// Row-level security against the ownership chain, on random data: for every
// customer-scoped table, what a CSM sees and may write under RLS is exactly
// what the chain row -> parent -> customer -> csm_id says they own, computed
// as superuser with explicit joins (001's policy text). The policies of 013
// only ask whether the parent row is visible and let the parent's policy
// decide; this test is what holds them to the same answers as 001's.
#include <gtest/gtest.h>

#include <ostream>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "support/test_database.h"

namespace cscx::testing {
namespace {

constexpr int kCsms = 4;

std::string csm_id(int n) {
  return "f0000000-0000-4000-8000-00000000000" + std::to_string(n);
}

// 4 CSMs; 40 customers, 3 without a CSM; children under random customers
// and grandchildren under random parents, so every CSM owns some rows of
// every table and each parent table holds rows of every CSM.
const char* kData = R"sql(
CREATE FUNCTION pg_temp.pick(key text, n integer) RETURNS integer
  LANGUAGE sql IMMUTABLE AS $$ SELECT 1 + abs(hashtext(key)) % n $$;
INSERT INTO auth.users (id, email)
  SELECT ('f0000000-0000-4000-8000-00000000000' || n)::uuid, 'csm' || n || '@rls.test'
  FROM generate_series(1, 4) n;
INSERT INTO customers (id, name, csm_id)
  SELECT md5('c:' || i)::uuid, 'customer ' || i,
         CASE WHEN i <= 3 THEN NULL
              ELSE ('f0000000-0000-4000-8000-00000000000' || pg_temp.pick('c' || i, 4))::uuid END
  FROM generate_series(1, 40) i;
CREATE TEMP TABLE pick_customer AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM customers;
INSERT INTO stakeholders (id, customer_id, name)
  SELECT md5('s:' || g)::uuid, p.id, 's' FROM generate_series(1, 80) g
  JOIN pick_customer p ON p.n = pg_temp.pick('s' || g, 40);
INSERT INTO contracts (id, customer_id)
  SELECT md5('k:' || g)::uuid, p.id FROM generate_series(1, 60) g JOIN pick_customer p ON p.n = pg_temp.pick('k' || g, 40);
INSERT INTO agent_sessions (id, customer_id)
  SELECT md5('a:' || g)::uuid, p.id FROM generate_series(1, 60) g JOIN pick_customer p ON p.n = pg_temp.pick('a' || g, 40);
INSERT INTO meetings (id, customer_id, title)
  SELECT md5('m:' || g)::uuid, p.id, 'm' FROM generate_series(1, 60) g
  JOIN pick_customer p ON p.n = pg_temp.pick('m' || g, 40);
INSERT INTO insights (id, customer_id, source, type, content)
  SELECT md5('i:' || g)::uuid, p.id, 'crm', 'concern', 'i' FROM generate_series(1, 60) g
  JOIN pick_customer p ON p.n = pg_temp.pick('i' || g, 40);
INSERT INTO training_modules (id, title)
  VALUES ('f1000000-0000-4000-8000-000000000001', 'module');
INSERT INTO training_progress (id, customer_id, module_id)
  SELECT md5('p:' || g)::uuid, p.id, 'f1000000-0000-4000-8000-000000000001' FROM generate_series(1, 60) g
  JOIN pick_customer p ON p.n = pg_temp.pick('p' || g, 40);
INSERT INTO activity_log (id, customer_id, action)
  SELECT md5('l:' || g)::uuid, p.id, 'view' FROM generate_series(1, 60) g
  JOIN pick_customer p ON p.n = pg_temp.pick('l' || g, 40);
CREATE TEMP TABLE pick_contract AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM contracts;
CREATE TEMP TABLE pick_session AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM agent_sessions;
CREATE TEMP TABLE pick_meeting AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM meetings;
INSERT INTO entitlements (id, contract_id, name)
  SELECT md5('e:' || g)::uuid, p.id, 'e' FROM generate_series(1, 120) g
  JOIN pick_contract p ON p.n = pg_temp.pick('e' || g, 60);
INSERT INTO agent_messages (id, session_id, role, content)
  SELECT md5('g:' || g)::uuid, p.id, 'user', 'x' FROM generate_series(1, 120) g
  JOIN pick_session p ON p.n = pg_temp.pick('g' || g, 60);
INSERT INTO approvals (id, session_id, agent_id, action)
  SELECT md5('v:' || g)::uuid, p.id, 'agent', 'act' FROM generate_series(1, 120) g
  JOIN pick_session p ON p.n = pg_temp.pick('v' || g, 60);
INSERT INTO transcripts (id, meeting_id, content)
  SELECT md5('t:' || g)::uuid, p.id, 't' FROM generate_series(1, 120) g
  JOIN pick_meeting p ON p.n = pg_temp.pick('t' || g, 60);
)sql";

struct Table {
  const char* name;
  // The row's owning CSM as an expression over alias t (superuser, no RLS).
  const char* owner;
  // The parent column and table a new row names, for the write checks.
  const char* parent_column;
  const char* parent_table;
  // Columns and values of a new row besides the parent column.
  const char* other_columns;
  const char* other_values;
};

// The owner of a row that names its customer.
constexpr const char* kViaCustomer =
    "(SELECT c.csm_id FROM customers c WHERE c.id = t.customer_id)";

const Table kTables[] = {
    {"customers", "t.csm_id", nullptr, nullptr, nullptr, nullptr},
    {"stakeholders", kViaCustomer, "customer_id", "customers", "name", "'new'"},
    {"contracts", kViaCustomer, "customer_id", "customers", nullptr, nullptr},
    {"agent_sessions", kViaCustomer, "customer_id", "customers", nullptr, nullptr},
    {"meetings", kViaCustomer, "customer_id", "customers", "title", "'new'"},
    {"insights", kViaCustomer, "customer_id", "customers", "source, type, content",
     "'crm', 'concern', 'new'"},
    {"training_progress", kViaCustomer, "customer_id", "customers", "module_id",
     "'f1000000-0000-4000-8000-000000000001'"},
    {"activity_log", kViaCustomer, nullptr, nullptr, nullptr, nullptr},
    {"entitlements",
     "(SELECT c.csm_id FROM contracts p JOIN customers c ON c.id = p.customer_id "
     "WHERE p.id = t.contract_id)",
     "contract_id", "contracts", "name", "'new'"},
    {"agent_messages",
     "(SELECT c.csm_id FROM agent_sessions p JOIN customers c ON c.id = p.customer_id "
     "WHERE p.id = t.session_id)",
     "session_id", "agent_sessions", "role, content", "'user', 'new'"},
    {"approvals",
     "(SELECT c.csm_id FROM agent_sessions p JOIN customers c ON c.id = p.customer_id "
     "WHERE p.id = t.session_id)",
     "session_id", "agent_sessions", "agent_id, action", "'agent', 'act'"},
    {"transcripts",
     "(SELECT c.csm_id FROM meetings p JOIN customers c ON c.id = p.customer_id "
     "WHERE p.id = t.meeting_id)",
     "meeting_id", "meetings", "content", "'new'"},
};

// gtest prints a parameter in the test's description; the table name says it.
void PrintTo(const Table& table, std::ostream* os) { *os << table.name; }

// The tables whose rows name a parent (customers and activity_log writes are
// rls_pgtest's: a customer names its CSM, an audit row is 004's policy).
std::vector<Table> tables_with_parent() {
  std::vector<Table> out;
  for (const Table& t : kTables) {
    if (t.parent_column != nullptr) out.push_back(t);
  }
  return out;
}

std::vector<std::string> column(db::Connection& conn, const std::string& sql) {
  auto r = conn.exec("column", sql);
  if (!r) throw std::runtime_error(r.error().to_string());
  std::vector<std::string> out;
  for (int i = 0; i < r->rows(); ++i) out.emplace_back(r->value(i, 0));
  return out;
}

class RlsOwnership : public ::testing::TestWithParam<Table> {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    db::Connection conn = db_->connect();
    auto loaded = conn.exec("load", kData);
    if (!loaded) throw std::runtime_error(loaded.error().to_string());
  }
  static void TearDownTestSuite() {
    delete db_;
    db_ = nullptr;
  }

  // Ids of `table` whose owner expression is CSM n, as superuser.
  std::vector<std::string> owned_by(const Table& table, int n) {
    return column(conn_, std::string("SELECT t.id::text FROM ") + table.name +
                             " t WHERE " + table.owner + " = '" + csm_id(n) +
                             "' ORDER BY t.id");
  }

  static TestDatabase* db_;
  db::Connection conn_ = db_->connect();
};

TestDatabase* RlsOwnership::db_ = nullptr;

TEST_P(RlsOwnership, ACsmSeesExactlyTheRowsTheyOwn) {
  const Table& table = GetParam();
  size_t seen_somewhere = 0;
  for (int n = 1; n <= kCsms; ++n) {
    std::vector<std::string> expected = owned_by(table, n);
    begin_as(conn_, "authenticated", csm_id(n));
    std::vector<std::string> seen =
        column(conn_, std::string("SELECT id::text FROM ") + table.name + " ORDER BY id");
    (void)conn_.exec("rollback", "ROLLBACK");
    EXPECT_EQ(seen, expected) << table.name << " as CSM " << n;
    seen_somewhere += seen.size();
  }
  // The data must exercise the policy: rows owned by CSMs, and rows no CSM
  // sees (customers without one, and everything under them).
  EXPECT_GT(seen_somewhere, 0u) << table.name;
  EXPECT_LT(
      seen_somewhere,
      std::stoul(query_value(conn_, std::string("SELECT count(*) FROM ") + table.name)))
      << table.name;
}

using RlsOwnershipWrite = RlsOwnership;

TEST_P(RlsOwnershipWrite, ACsmCreatesRowsOnlyUnderParentsTheyOwn) {
  const Table& table = GetParam();
  std::vector<std::string> parents = column(
      conn_, std::string("SELECT id::text FROM ") + table.parent_table + " ORDER BY id");
  const Table* parent = nullptr;
  for (const Table& t : kTables) {
    if (std::string_view(t.name) == table.parent_table) parent = &t;
  }
  ASSERT_NE(parent, nullptr);
  for (int n = 1; n <= kCsms; ++n) {
    std::set<std::string> owned;
    for (auto& id : owned_by(*parent, n)) owned.insert(id);

    std::set<std::string> accepted;
    begin_as(conn_, "authenticated", csm_id(n));
    for (const std::string& p : parents) {
      ASSERT_TRUE(conn_.exec("savepoint", "SAVEPOINT try_insert"));
      std::string columns = table.parent_column;
      std::string values = "'" + p + "'";
      if (table.other_columns != nullptr) {
        columns += std::string(", ") + table.other_columns;
        values += std::string(", ") + table.other_values;
      }
      auto r = conn_.exec("insert", std::string("INSERT INTO ") + table.name + " (" +
                                        columns + ") VALUES (" + values + ")");
      if (r) {
        accepted.insert(p);
      } else {
        // Refused by the policy's WITH CHECK, not by anything else.
        EXPECT_EQ(r.error().database.sqlstate, "42501")
            << table.name << " as CSM " << n << ": " << r.error().to_string();
      }
      ASSERT_TRUE(conn_.exec("rollback_to", "ROLLBACK TO SAVEPOINT try_insert"));
    }
    (void)conn_.exec("rollback", "ROLLBACK");
    EXPECT_EQ(accepted, owned) << table.name << " as CSM " << n;
  }
}

INSTANTIATE_TEST_SUITE_P(EveryCustomerScopedTable, RlsOwnership,
                         ::testing::ValuesIn(kTables),
                         [](const auto& info) { return std::string(info.param.name); });
INSTANTIATE_TEST_SUITE_P(EveryTableWithAParent, RlsOwnershipWrite,
                         ::testing::ValuesIn(tables_with_parent()),
                         [](const auto& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace cscx::testing
