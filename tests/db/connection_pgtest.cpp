// db::Connection against the harness PostgreSQL: transaction() commits what
// its body did, or keeps none of it.
#include <gtest/gtest.h>

#include "db/connection.h"
#include "support/test_database.h"

namespace cscx::db {
namespace {
using cscx::testing::query_value;
using cscx::testing::TestDatabase;

class ConnectionTransaction : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(conn_.exec("table", "CREATE TABLE t (id int CONSTRAINT t_unique UNIQUE"
                                    " DEFERRABLE INITIALLY DEFERRED)"));
  }

  // Whether a transaction is still open on the connection.
  bool in_transaction() { return PQtransactionStatus(conn_.native()) != PQTRANS_IDLE; }

  TestDatabase db_{TestDatabase::Kind::kEmpty};
  Connection conn_ = db_.connect();
};

TEST_F(ConnectionTransaction, CommitsWhatTheBodyDidAndReturnsItsValue) {
  auto r = conn_.transaction("test", [&]() -> Result<long> {
    auto inserted = conn_.exec("insert", "INSERT INTO t VALUES (1), (2)");
    if (!inserted) return inserted.error();
    return inserted->affected();
  });
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(*r, 2);
  EXPECT_FALSE(in_transaction());
  EXPECT_EQ(query_value(conn_, "SELECT count(*) FROM t"), "2");
}

TEST_F(ConnectionTransaction, AFailingBodyKeepsNothing) {
  auto r = conn_.transaction("test", [&]() -> Result<void> {
    if (auto one = conn_.exec("insert", "INSERT INTO t VALUES (1)"); !one) return one.error();
    if (auto bad = conn_.exec("bad", "SELECT 1/0"); !bad) return bad.error();
    return ok();
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().database.sqlstate, "22012");
  EXPECT_FALSE(in_transaction());
  EXPECT_EQ(query_value(conn_, "SELECT count(*) FROM t"), "0");
}

TEST_F(ConnectionTransaction, AFailureAtTheCommitIsTheError) {
  // The deferred constraint is checked only at COMMIT.
  auto r = conn_.transaction("test", [&]() -> Result<void> {
    if (auto twice = conn_.exec("insert", "INSERT INTO t VALUES (1), (1)"); !twice) {
      return twice.error();
    }
    return ok();
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().database.sqlstate, "23505");
  EXPECT_NE(r.error().to_string().find("test_commit"), std::string::npos) << r.error().to_string();
  EXPECT_FALSE(in_transaction());
  EXPECT_EQ(query_value(conn_, "SELECT count(*) FROM t"), "0");
}

TEST_F(ConnectionTransaction, ABodyErrorWithoutADatabaseErrorAlsoRollsBack) {
  auto r = conn_.transaction("test", [&]() -> Result<void> {
    if (auto one = conn_.exec("insert", "INSERT INTO t VALUES (1)"); !one) return one.error();
    return make_error(Code::kInvalidArgument, "the body changed its mind");
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "the body changed its mind");
  EXPECT_FALSE(in_transaction());
  EXPECT_EQ(query_value(conn_, "SELECT count(*) FROM t"), "0");
}

TEST_F(ConnectionTransaction, AFailedBeginRunsNothingAndLeavesTheCallersTransaction) {
  // A transaction of the caller's that already failed: BEGIN is refused.
  ASSERT_TRUE(conn_.exec("outer", "BEGIN"));
  ASSERT_FALSE(conn_.exec("bad", "SELECT 1/0"));
  bool ran = false;
  auto r = conn_.transaction("test", [&]() -> Result<void> {
    ran = true;
    return ok();
  });
  ASSERT_FALSE(r);
  EXPECT_FALSE(ran);
  EXPECT_EQ(r.error().database.sqlstate, "25P02");
  EXPECT_NE(r.error().to_string().find("test_begin"), std::string::npos) << r.error().to_string();
  // Not its transaction to end: the caller rolls it back.
  EXPECT_EQ(PQtransactionStatus(conn_.native()), PQTRANS_INERROR);
  ASSERT_TRUE(conn_.exec("rollback", "ROLLBACK"));
  EXPECT_FALSE(in_transaction());
}

}  // namespace
}  // namespace cscx::db
