// The asynchronous pool against the harness PostgreSQL, logged in as the
// server's `authenticator` role: identity per transaction, RLS, rollback,
// concurrency, lost connections and exhaustion.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <thread>

#include "db/pool.h"
#include "schema/tenant_fixture.h"
#include "support/test_database.h"

namespace cscx::db {
namespace {
namespace asio = boost::asio;
using cscx::testing::tenant_id;
using cscx::testing::TestDatabase;

RequestIdentity csm(char tenant) {
  const std::string uid = tenant_id(tenant, cscx::testing::kUser);
  return RequestIdentity{
      "authenticated", R"({"role":"authenticated","sub":")" + uid + R"("})",
      "GET",           "/test",
      "192.0.2.7",     "pool-test",
      "req-1"};
}

class PoolTest : public ::testing::Test {
 protected:
  void SetUp() override { cscx::testing::load_two_tenants(admin_); }

  PoolOptions options(size_t size = 4) {
    return PoolOptions{db_.url_as("authenticator"), size, std::chrono::milliseconds(2000)};
  }

  // Runs a coroutine to completion on io_.
  template <class T>
  T run(asio::awaitable<T> task) {
    auto future = asio::co_spawn(io_, std::move(task), asio::use_future);
    io_.restart();
    io_.run();
    return future.get();
  }

  TestDatabase db_;
  db::Connection admin_ = db_.connect();
  asio::io_context io_;
};

std::vector<Statement> one(std::string sql) {
  return {Statement{"test_statement", std::move(sql), {}}};
}

TEST_F(PoolTest, RunsAsTheRequestRoleWithClaimsAndRequestSettings) {
  Pool pool(io_.get_executor(), options());
  auto r = run(pool.run_in_transaction(
      csm('a'),
      one("SELECT current_user, auth.uid()::text, current_setting('request.ip'), "
          "current_setting('request.user_agent'), current_setting('request.id')")));
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->size(), 1u);
  const QueryResult& row = (*r)[0];
  EXPECT_EQ(row.value(0, 0), "authenticated");
  EXPECT_EQ(row.value(0, 1), tenant_id('a', cscx::testing::kUser));
  EXPECT_EQ(row.value(0, 2), "192.0.2.7");
  EXPECT_EQ(row.value(0, 3), "pool-test");
  EXPECT_EQ(row.value(0, 4), "req-1");
}

TEST_F(PoolTest, RowLevelSecurityDecidesWhatEachCsmSees) {
  Pool pool(io_.get_executor(), options());
  auto a = run(pool.run_in_transaction(csm('a'), one("SELECT id FROM customers")));
  auto b = run(pool.run_in_transaction(csm('b'), one("SELECT id FROM customers")));
  ASSERT_TRUE(a && b);
  ASSERT_EQ((*a)[0].rows(), 1);
  EXPECT_EQ((*a)[0].value(0, 0), tenant_id('a', cscx::testing::kCustomer));
  ASSERT_EQ((*b)[0].rows(), 1);
  EXPECT_EQ((*b)[0].value(0, 0), tenant_id('b', cscx::testing::kCustomer));
}

TEST_F(PoolTest, SettingsDoNotLeakIntoTheNextTransaction) {
  Pool pool(io_.get_executor(), options(1));
  ASSERT_TRUE(run(pool.run_in_transaction(csm('a'), one("SELECT 1"))));
  auto r = run(pool.run_plain(one(
      "SELECT current_user, coalesce(current_setting('request.jwt.claims', true), '')")));
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ((*r)[0].value(0, 0), "authenticator");
  EXPECT_EQ((*r)[0].value(0, 1), "");
}

TEST_F(PoolTest, AFailingStatementRollsBackTheWholeTransaction) {
  Pool pool(io_.get_executor(), options(1));
  auto before = run(pool.run_plain(one("SELECT pg_backend_pid()::text")));
  ASSERT_TRUE(before) << before.error().to_string();
  std::vector<Statement> statements = {
      Statement{"insert_stakeholder",
                "INSERT INTO stakeholders (customer_id, name) VALUES ($1, 'rolled back')",
                {tenant_id('a', cscx::testing::kCustomer)}},
      Statement{"bad_cast", "SELECT 'not a number'::int", {}}};
  auto r = run(pool.run_in_transaction(csm('a'), statements));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kInvalidArgument);
  EXPECT_NE(r.error().message.find("bad_cast"), std::string::npos) << r.error().message;
  EXPECT_EQ(cscx::testing::query_value(
                admin_, "SELECT count(*) FROM stakeholders WHERE name = 'rolled back'"),
            "0");
  // The connection is clean (outside any transaction, as the login role)
  // and reused, not replaced.
  auto after = run(pool.run_plain(one("SELECT pg_backend_pid()::text, current_user")));
  ASSERT_TRUE(after) << after.error().to_string();
  EXPECT_EQ((*after)[0].value(0, 0), (*before)[0].value(0, 0));
  EXPECT_EQ((*after)[0].value(0, 1), "authenticator");
  auto again =
      run(pool.run_in_transaction(csm('a'), one("SELECT count(*) FROM customers")));
  ASSERT_TRUE(again) << again.error().to_string();
  EXPECT_EQ((*again)[0].value(0, 0), "1");
}

TEST_F(PoolTest, AFailureAtTheCommitIsTheRequestsErrorAndKeepsTheConnection) {
  // Without an explicit COMMIT the transaction commits at the pipeline's
  // Sync; a deferred constraint fails only there.
  ASSERT_TRUE(admin_.exec("deferred_check",
                          "CREATE TABLE deferred_check (id int CONSTRAINT deferred_unique "
                          "UNIQUE DEFERRABLE INITIALLY DEFERRED); "
                          "GRANT INSERT, SELECT ON deferred_check TO authenticated"));
  Pool pool(io_.get_executor(), options(1));
  auto before = run(pool.run_plain(one("SELECT pg_backend_pid()::text")));
  ASSERT_TRUE(before) << before.error().to_string();
  std::vector<Statement> statements = {
      Statement{"insert_twice", "INSERT INTO deferred_check VALUES (1), (1)", {}}};
  auto r = run(pool.run_in_transaction(csm('a'), statements));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kConflict) << r.error().to_string();
  EXPECT_EQ(r.error().database.sqlstate, "23505");
  EXPECT_EQ(cscx::testing::query_value(admin_, "SELECT count(*) FROM deferred_check"), "0");
  auto after = run(pool.run_plain(one("SELECT pg_backend_pid()::text, current_user")));
  ASSERT_TRUE(after) << after.error().to_string();
  EXPECT_EQ((*after)[0].value(0, 0), (*before)[0].value(0, 0));
  EXPECT_EQ((*after)[0].value(0, 1), "authenticator");
}

TEST_F(PoolTest, AConnectionLeftInATransactionIsClosedNotReused) {
  // A framing mistake (a statement that opens a block and never ends it)
  // must not hand that block, with its role and settings, to the next user
  // (Pool::release has closed such connections since 3da5893).
  Pool pool(io_.get_executor(), options(1));
  std::vector<Statement> statements = {
      Statement{"open_block", "BEGIN", {}},
      Statement{"leave_role", "SELECT set_config('role', 'authenticated', true)", {}},
      Statement{"backend", "SELECT pg_backend_pid()::text", {}}};
  auto left = run(pool.run_plain(statements));
  ASSERT_TRUE(left) << left.error().to_string();
  const std::string left_pid((*left)[2].value(0, 0));
  EXPECT_EQ(pool.stats().idle, 0u);
  auto next = run(pool.run_plain(one("SELECT pg_backend_pid()::text, current_user")));
  ASSERT_TRUE(next) << next.error().to_string();
  EXPECT_NE((*next)[0].value(0, 0), left_pid);
  EXPECT_EQ((*next)[0].value(0, 1), "authenticator");
  EXPECT_EQ(pool.stats().idle, 1u);
}

TEST_F(PoolTest, ATokenRoleOutsideTheRequestRolesIsRefusedByTheDatabase) {
  Pool pool(io_.get_executor(), options(1));
  RequestIdentity who = csm('a');
  who.role = "postgres";
  auto r = run(pool.run_in_transaction(who, one("SELECT 1")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kPermissionDenied) << r.error().to_string();
}

TEST_F(PoolTest, StatementsArePreparedOncePerConnection) {
  Pool pool(io_.get_executor(), options(1));
  const std::vector<Statement> count = one(
      "SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'cscx\\_%'");
  ASSERT_TRUE(run(pool.run_in_transaction(csm('a'), one("SELECT 1"))));
  auto first = run(pool.run_plain(count));
  ASSERT_TRUE(first) << first.error().to_string();
  ASSERT_TRUE(run(pool.run_in_transaction(csm('a'), one("SELECT 1"))));
  auto second = run(pool.run_plain(count));
  ASSERT_TRUE(second);
  // The identity statement, SELECT 1 and the count itself: prepared once.
  // No BEGIN or COMMIT is sent: the pipeline's Sync ends the transaction.
  EXPECT_EQ((*first)[0].value(0, 0), "3");
  EXPECT_EQ((*second)[0].value(0, 0), "3");
}

TEST_F(PoolTest, AReadOnlyTransactionRefusesEveryWrite) {
  Pool pool(io_.get_executor(), options(1));
  const std::string customer = tenant_id('a', cscx::testing::kCustomer);
  // The write comes after a read: read-only holds for the whole transaction.
  std::vector<Statement> statements = {
      Statement{"read_first", "SELECT count(*) FROM customers", {}},
      Statement{"insert_stakeholder",
                "INSERT INTO stakeholders (customer_id, name) VALUES ($1, 'read only')",
                {customer}}};
  auto r = run(pool.run_in_transaction(csm('a'), statements, kReadOnly));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().database.sqlstate, "25006") << r.error().to_string();
  EXPECT_EQ(cscx::testing::query_value(
                admin_, "SELECT count(*) FROM stakeholders WHERE name = 'read only'"),
            "0");
  // The next transaction on the same connection may write again.
  auto write = run(pool.run_in_transaction(csm('a'), std::span(statements).subspan(1)));
  ASSERT_TRUE(write) << write.error().to_string();
  EXPECT_EQ(cscx::testing::query_value(
                admin_, "SELECT count(*) FROM stakeholders WHERE name = 'read only'"),
            "1");
}

TEST_F(PoolTest, ARollbackTransactionRunsEverythingAndKeepsNothing) {
  Pool pool(io_.get_executor(), options(1));
  std::vector<Statement> statements = {
      Statement{"insert_stakeholder",
                "INSERT INTO stakeholders (customer_id, name) VALUES ($1, 'kept nothing') "
                "RETURNING name",
                {tenant_id('a', cscx::testing::kCustomer)}}};
  auto r = run(pool.run_in_transaction(csm('a'), statements, {.rollback = true}));
  ASSERT_TRUE(r) << r.error().to_string();
  ASSERT_EQ(r->size(), 1u);
  EXPECT_EQ((*r)[0].value(0, 0), "kept nothing");
  EXPECT_EQ(cscx::testing::query_value(
                admin_, "SELECT count(*) FROM stakeholders WHERE name = 'kept nothing'"),
            "0");
  // A failure inside the explicit block is rolled back too, and the
  // connection is left outside any transaction.
  statements.push_back(Statement{"bad_cast", "SELECT 'x'::int", {}});
  auto failed = run(pool.run_in_transaction(csm('a'), statements, {.rollback = true}));
  ASSERT_FALSE(failed);
  // (An aborted block still open would refuse this query; an open one would
  // still run as the request's role.)
  auto after = run(pool.run_plain(one("SELECT current_user")));
  ASSERT_TRUE(after) << after.error().to_string();
  EXPECT_EQ((*after)[0].value(0, 0), "authenticator");
}

TEST_F(PoolTest, AStatementThatFailsToPrepareLeavesTheConnectionUsable) {
  Pool pool(io_.get_executor(), options(1));
  auto bad = run(pool.run_in_transaction(csm('a'), one("SELEC oops")));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, Code::kInvalidArgument);
  EXPECT_NE(bad.error().message.find("test_statement"), std::string::npos);
  auto good = run(pool.run_in_transaction(csm('a'), one("SELECT count(*) FROM customers")));
  ASSERT_TRUE(good) << good.error().to_string();
  EXPECT_EQ((*good)[0].value(0, 0), "1");
}

TEST_F(PoolTest, ManyConcurrentRequestsShareAFewConnections) {
  Pool pool(io_.get_executor(), options(3));
  std::atomic<int> ok_count{0};
  for (int i = 0; i < 60; ++i) {
    asio::co_spawn(
        io_,
        [&, i]() -> asio::awaitable<void> {
          auto r = co_await pool.run_in_transaction(
              csm(i % 2 ? 'a' : 'b'),
              one("SELECT count(*) FROM customers, pg_sleep(0.005)"));
          if (r && (*r)[0].value(0, 0) == "1") ++ok_count;
        },
        asio::detached);
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) threads.emplace_back([&] { io_.run(); });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok_count.load(), 60);
  const PoolStats stats = pool.stats();
  EXPECT_EQ(stats.in_use, 0u);
  EXPECT_LE(stats.idle, 3u);
}

TEST_F(PoolTest, ALostConnectionFailsOneRequestAndIsReplaced) {
  Pool pool(io_.get_executor(), options(1));
  ASSERT_TRUE(run(pool.run_plain(one("SELECT 1"))));
  cscx::testing::query_value(
      admin_,
      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
      "WHERE usename = 'authenticator' AND datname = current_database()");
  auto lost = run(pool.run_plain(one("SELECT 1")));
  if (!lost) {
    EXPECT_EQ(lost.error().code, Code::kUnavailable) << lost.error().to_string();
  }
  auto replaced = run(pool.run_plain(one("SELECT 2")));
  ASSERT_TRUE(replaced) << replaced.error().to_string();
  EXPECT_EQ((*replaced)[0].value(0, 0), "2");
}

TEST_F(PoolTest, AnExhaustedPoolAnswersUnavailableAfterTheTimeout) {
  PoolOptions opts = options(1);
  opts.acquire_timeout = std::chrono::milliseconds(100);
  Pool pool(io_.get_executor(), opts);
  Result<std::vector<QueryResult>> second = make_error(Code::kInternal, "not run");
  asio::co_spawn(
      io_,
      [&]() -> asio::awaitable<void> {
        (void)co_await pool.run_plain(one("SELECT pg_sleep(0.5)"));
      },
      asio::detached);
  asio::co_spawn(
      io_,
      [&]() -> asio::awaitable<void> {
        second = co_await pool.run_plain(one("SELECT 1"));
      },
      asio::detached);
  io_.run();
  ASSERT_FALSE(second);
  EXPECT_EQ(second.error().code, Code::kUnavailable);
  EXPECT_NE(second.error().message.find("busy"), std::string::npos);
}

TEST_F(PoolTest, WaitersAreServedInArrivalOrder) {
  Pool pool(io_.get_executor(), options(1));
  std::vector<int> served;
  asio::co_spawn(
      io_,
      [&]() -> asio::awaitable<void> {
        (void)co_await pool.run_plain(one("SELECT pg_sleep(0.1)"));
      },
      asio::detached);
  for (int i = 0; i < 5; ++i) {
    asio::co_spawn(
        io_,
        [&, i]() -> asio::awaitable<void> {
          auto r = co_await pool.run_plain(one("SELECT " + std::to_string(i)));
          if (r) served.push_back(std::stoi(std::string((*r)[0].value(0, 0))));
        },
        asio::detached);
  }
  io_.run();
  EXPECT_EQ(served, (std::vector<int>{0, 1, 2, 3, 4}));
  EXPECT_EQ(pool.stats().waiting, 0u);
}

TEST_F(PoolTest, AConnectionLostWhileOthersWaitFreesItsSlotForThem) {
  Pool pool(io_.get_executor(), options(1));
  Result<std::vector<QueryResult>> first = make_error(Code::kInternal, "not run");
  Result<std::vector<QueryResult>> waiting = make_error(Code::kInternal, "not run");
  asio::co_spawn(
      io_,
      [&]() -> asio::awaitable<void> {
        first = co_await pool.run_plain(one("SELECT pg_sleep(2)"));
      },
      asio::detached);
  asio::co_spawn(
      io_,
      [&]() -> asio::awaitable<void> {
        waiting = co_await pool.run_plain(one("SELECT 2"));
      },
      asio::detached);
  std::thread killer([&] {
    // Once the first request's backend runs its sleep, end it.
    for (int i = 0; i < 100; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      const std::string killed = cscx::testing::query_value(
          admin_,
          "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
          "WHERE usename = 'authenticator' AND datname = current_database() "
          "AND query LIKE 'SELECT pg_sleep%'");
      if (killed != "0") return;
    }
  });
  io_.run();
  killer.join();
  EXPECT_FALSE(first);
  ASSERT_TRUE(waiting) << waiting.error().to_string();
  EXPECT_EQ((*waiting)[0].value(0, 0), "2");
  EXPECT_EQ(pool.stats().waiting, 0u);
}

TEST_F(PoolTest, AnUnreachableServerIsUnavailable) {
  Pool pool(io_.get_executor(),
            PoolOptions{"postgresql://127.0.0.1:1/x?connect_timeout=2", 2,
                        std::chrono::milliseconds(500)});
  auto r = run(pool.run_plain(one("SELECT 1")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kUnavailable);
  EXPECT_EQ(pool.stats().in_use, 0u);
}

}  // namespace
}  // namespace cscx::db
