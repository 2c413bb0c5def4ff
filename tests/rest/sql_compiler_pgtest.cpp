// The SQL compiler against the real schema: what it generates runs, RLS
// decides what it returns, and hostile input in every position is refused
// before SQL or bound as a value.
#include <gtest/gtest.h>

#include "rest/query_parser.h"
#include "rest/sql_compiler.h"
#include "schema/tenant_fixture.h"
#include "support/test_database.h"

namespace cscx::rest {
namespace {

using cscx::testing::begin_as;
using cscx::testing::kCustomer;
using cscx::testing::kUser;
using cscx::testing::query_value;
using cscx::testing::tenant_id;

class SqlCompilerPg : public ::testing::Test {
 protected:
  void SetUp() override {
    cscx::testing::load_two_tenants(conn_);
    cache_ = SchemaCache::load(conn_).value();
  }

  const Table& table(std::string_view name) {
    const Table* t = cache_->table(name);
    EXPECT_NE(t, nullptr) << name;
    return *t;
  }

  Query query(std::string_view q) {
    auto parsed = parse_query(q);
    EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().message);
    return parsed ? *parsed : Query{};
  }

  // Runs `stmt` as CSM `tenant` in a transaction that is rolled back unless
  // `commit`; returns the first cell (or the error).
  Result<std::string> run_as(char tenant, const CompiledStatement& stmt, bool commit = false) {
    begin_as(conn_, "authenticated", tenant_id(tenant, kUser));
    auto r = conn_.exec_params("test", stmt.sql, stmt.params);
    (void)conn_.exec("end", commit && r ? "COMMIT" : "ROLLBACK");
    if (!r) return r.error();
    if (stmt.rows_affected) return std::to_string(r->affected());
    return std::string(r->value(0, 0));
  }

  std::string read_as(char tenant, std::string_view t, std::string_view q) {
    auto stmt = SqlCompiler(*cache_).read(table(t), query(q));
    EXPECT_TRUE(stmt) << (stmt ? "" : stmt.error().message);
    if (!stmt) return "";
    auto out = run_as(tenant, *stmt);
    EXPECT_TRUE(out) << (out ? "" : out.error().message) << "\n" << stmt->sql;
    return out ? *out : "";
  }

  cscx::testing::TestDatabase db_;
  db::Connection conn_ = db_.connect();
  std::shared_ptr<const SchemaCache> cache_;
};

TEST_F(SqlCompilerPg, CacheHoldsEveryTableViewAndFunction) {
  for (const char* t : {"customers", "stakeholders", "contracts", "entitlements",
                        "agent_sessions", "agent_messages", "approvals", "meetings",
                        "transcripts", "insights", "training_modules", "training_progress",
                        "knowledge_base", "activity_log", "customer_health_view"}) {
    EXPECT_NE(cache_->table(t), nullptr) << t;
  }
  EXPECT_TRUE(cache_->table("customer_health_view")->is_view);
  EXPECT_EQ(cache_->table("customers")->primary_key, std::vector<std::string>{"id"});
  ASSERT_EQ(cache_->functions("update_health_score").size(), 1u);
  EXPECT_EQ(cache_->functions("update_health_score")[0]->args.at(0).name, "customer_uuid");
}

TEST_F(SqlCompilerPg, TenantGuardKeysAreNotRelationships) {
  // stakeholders has customer_id -> customers and the composite
  // stakeholders_tenant guard keys elsewhere; only one relationship counts.
  EXPECT_EQ(cache_->relationships("stakeholders", "customers", "").size(), 1u);
  EXPECT_EQ(cache_->relationships("meetings", "transcripts", "").size(), 1u);
  EXPECT_EQ(cache_->relationships("customers", "stakeholders", "").size(), 1u);
}

TEST_F(SqlCompilerPg, ReadsOnlyTheCsmsOwnRows) {
  EXPECT_EQ(read_as('a', "customers", "select=name"), R"([{"name":"Customer a"}])");
  EXPECT_EQ(read_as('b', "customers", "select=name"), R"([{"name":"Customer b"}])");
}

TEST_F(SqlCompilerPg, EmbedsParentAsObjectAndChildrenAsArray) {
  EXPECT_EQ(read_as('a', "stakeholders", "select=name,customers(name)"),
            R"([{"name":"Stake","customers":{"name":"Customer a"}}])");
  EXPECT_EQ(read_as('a', "customers", "select=name,stakeholders(name)"),
            R"([{"name":"Customer a","stakeholders":[{"name":"Stake"}]}])");
  EXPECT_EQ(read_as('a', "customers", "select=meetings(title,insights(type))"),
            R"([{"meetings":[{"title":"Kickoff","insights":[{"type":"concern"}]}]}])");
}

TEST_F(SqlCompilerPg, EmbeddedFilterNarrowsTheArrayAndInnerDropsTheParent) {
  EXPECT_EQ(read_as('a', "customers", "select=name,stakeholders(name)&stakeholders.name=eq.x"),
            R"([{"name":"Customer a","stakeholders":[]}])");
  EXPECT_EQ(read_as('a', "customers",
                    "select=name,stakeholders!inner(name)&stakeholders.name=eq.x"),
            "[]");
}

TEST_F(SqlCompilerPg, SpreadsAToOneParentIntoTheRow) {
  EXPECT_EQ(read_as('a', "stakeholders", "select=name,...customers(customer:name)"),
            R"([{"name":"Stake","customer":"Customer a"}])");
}

TEST_F(SqlCompilerPg, FiltersOrderAndPage) {
  EXPECT_EQ(read_as('a', "customers", "select=name&arr=gte.1000&name=ilike.*A&limit=1"),
            R"([{"name":"Customer a"}])");
  EXPECT_EQ(read_as('a', "customers", "select=name&or=(arr.lt.0,name.in.(x,y))"), "[]");
  EXPECT_EQ(read_as('a', "customers", "select=name&order=name.desc.nullsfirst&offset=1"), "[]");
  EXPECT_EQ(read_as('a', "customers", "select=a:arr::text"), R"([{"a":"1000"}])");
}

TEST_F(SqlCompilerPg, CountsIgnoringPaging) {
  auto stmt = SqlCompiler(*cache_).count(table("customers"), query("limit=0"));
  ASSERT_TRUE(stmt);
  EXPECT_EQ(run_as('a', *stmt).value(), "1");
}

TEST_F(SqlCompilerPg, UnknownNamesAreRefusedBeforeSql) {
  SqlCompiler c(*cache_);
  auto col = c.read(table("customers"), query("select=nope"));
  ASSERT_FALSE(col);
  EXPECT_EQ(col.error().database.sqlstate, "42703");
  auto rel = c.read(table("customers"), query("select=*,nope(*)"));
  ASSERT_FALSE(rel);
  EXPECT_EQ(rel.error().reason, "PGRST200");
  auto path = c.read(table("customers"), query("nope.id=eq.1"));
  ASSERT_FALSE(path);
  EXPECT_EQ(path.error().reason, "PGRST108");
  auto cast = c.read(table("customers"), query("select=id::regclass"));
  ASSERT_FALSE(cast);
  EXPECT_EQ(cast.error().reason, "PGRST100");
}

// Hostile text in every position the grammar has: names are refused (they
// are not in the cache), values are bound and match nothing, and the
// customers table is still there afterwards.
TEST_F(SqlCompilerPg, HostileInputIsRefusedOrTreatedAsAValue) {
  const std::string evil = "x%22)%3BDROP%20TABLE%20customers%3B--";
  SqlCompiler c(*cache_);
  for (const std::string& q :
       {"select=" + evil, "order=" + evil, evil + "=eq.1", "select=*," + evil + "(*)",
        "select=*,stakeholders!" + evil + "(*)", "order=" + evil + "(name)",
        "stakeholders." + evil + "=eq.1", "select=id::" + evil}) {
    auto parsed = parse_query(q);
    if (!parsed) continue;  // refused by the parser: fine
    auto stmt = c.read(table("customers"), *parsed);
    EXPECT_FALSE(stmt) << q << "\n" << (stmt ? stmt->sql : "");
  }
  for (const std::string& q :
       {"name=eq." + evil, "name=in.(" + evil + ")", "or=(name.eq." + evil + ")",
        "metadata->" + evil + "=eq.1", "select=m:metadata->>" + evil,
        "name=like." + evil, "name=wfts." + evil}) {
    auto parsed = parse_query(q);
    if (!parsed) continue;  // refused by the parser: fine
    auto stmt = c.read(table("customers"), *parsed);
    ASSERT_TRUE(stmt) << q;
    auto out = run_as('a', *stmt);
    ASSERT_TRUE(out) << q << ": " << out.error().message;
  }
  // An alias is a name we quote, not SQL.
  EXPECT_EQ(read_as('a', "customers", "select=x';DROP%20TABLE%20customers;--:name"),
            R"([{"x';DROPTABLEcustomers;--":"Customer a"}])");
  EXPECT_EQ(query_value(conn_, "SELECT count(*) FROM customers"), "2");
}

TEST_F(SqlCompilerPg, InsertsUpdatesAndDeletesOnlyWhatRlsAllows) {
  SqlCompiler c(*cache_);
  WriteShape rep;
  rep.representation = true;
  InsertInput ins;
  ins.columns = {"name", "csm_id"};
  ins.rows_json = R"([{"name":"New","csm_id":")" + tenant_id('a', kUser) + R"("}])";
  auto insert = c.insert(table("customers"), query("select=name,stage,metadata"), ins, rep);
  ASSERT_TRUE(insert);
  EXPECT_EQ(run_as('a', *insert).value(),
            R"([{"name":"New","stage":"prospect","metadata":{}}])");
  // A row for another CSM fails the policy's WITH CHECK.
  ins.rows_json = R"([{"name":"Theirs","csm_id":")" + tenant_id('b', kUser) + R"("}])";
  auto foreign = c.insert(table("customers"), query(""), ins, rep);
  auto refused = run_as('a', *foreign);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().database.sqlstate, "42501");

  UpdateInput upd{{"name"}, R"({"name":"Renamed"})"};
  auto update = c.update(table("customers"), query("id=eq." + tenant_id('b', kCustomer)),
                         upd, WriteShape{});
  ASSERT_TRUE(update);
  EXPECT_EQ(run_as('a', *update, true).value(), "0");
  auto remove = c.remove(table("transcripts"), query(""), WriteShape{});
  EXPECT_EQ(run_as('a', *remove, true).value(), "1");
  EXPECT_EQ(query_value(conn_, "SELECT string_agg(name, ',') FROM customers"),
            "Customer a,Customer b");
  EXPECT_EQ(query_value(conn_, "SELECT count(*) FROM transcripts"), "1");
}

TEST_F(SqlCompilerPg, UpsertCannotTakeOverAnotherCsmsRow) {
  SqlCompiler c(*cache_);
  InsertInput ins;
  ins.columns = {"id", "name", "csm_id"};
  ins.rows_json = R"([{"id":")" + tenant_id('b', kCustomer) + R"(","name":"Mine","csm_id":")" +
                  tenant_id('a', kUser) + R"("}])";
  ins.resolution = Resolution::kMergeDuplicates;
  auto upsert = c.insert(table("customers"), query(""), ins, WriteShape{});
  ASSERT_TRUE(upsert);
  auto out = run_as('a', *upsert, true);
  EXPECT_FALSE(out);
  EXPECT_EQ(query_value(conn_, "SELECT name FROM customers WHERE id = '" +
                                   tenant_id('b', kCustomer) + "'"),
            "Customer b");
}

TEST_F(SqlCompilerPg, SingleObjectWritesCheckTheirRowCount) {
  SqlCompiler c(*cache_);
  WriteShape single;
  single.single = true;
  auto remove = c.remove(table("customers"), query("arr=gt.0"), single);
  ASSERT_TRUE(remove);
  EXPECT_TRUE(run_as('a', *remove));  // exactly one row
  auto none = c.remove(table("customers"), query("arr=lt.0"), single);
  auto out = run_as('a', *none);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().database.sqlstate, "CX116");
}

TEST_F(SqlCompilerPg, CallsFunctionsByArgumentName) {
  auto fn = match_function(*cache_, "update_health_score", {"customer_uuid"});
  ASSERT_TRUE(fn);
  CallInput call{*fn, {{"customer_uuid", tenant_id('a', kCustomer)}}};
  auto stmt = SqlCompiler(*cache_).call(call, Query{}, WriteShape{});
  ASSERT_TRUE(stmt);
  auto out = run_as('a', *stmt);
  ASSERT_TRUE(out) << out.error().message;
  auto missing = match_function(*cache_, "update_health_score", {"nope"});
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().reason, "PGRST202");
}

}  // namespace
}  // namespace cscx::rest
