// `cscx health refresh` and `cscx health backtest` against the harness
// PostgreSQL (issue 7): the same refresh as the API, and a backtest whose AUC
// and band table follow from the history it is given.
#include <gtest/gtest.h>

#include <string>

#include "schema/tenant_fixture.h"
#include "support/run_cscx.h"
#include "support/test_database.h"

namespace cscx::testing {
namespace {

class HealthCli : public ::testing::Test {
 protected:
  void SetUp() override { load_two_tenants(admin_); }
  CommandResult cscx(const std::vector<std::string>& args) {
    return run_cscx(args, {{"DATABASE_URL", db_.url()}});
  }
  std::string value(const std::string& sql) { return query_value(admin_, sql); }

  TestDatabase db_;
  db::Connection admin_ = db_.connect();
};

TEST_F(HealthCli, RefreshRecomputesEveryoneAndAppendsHistory) {
  CommandResult r = cscx({"health", "refresh"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("refreshed 2 customers"), std::string::npos) << r.out;
  r = cscx({"health", "refresh", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"skipped\": false"), std::string::npos) << r.out;
  EXPECT_EQ(value("SELECT count(*) FROM health_snapshots"), "4");
  EXPECT_EQ(value("SELECT count(*) FROM cscx_health.refresh_runs"), "2");
}

TEST_F(HealthCli, BacktestSeparatesRenewedFromChurnedContracts) {
  // One refresh, moved 120 days into the past: A (renewed) looked healthy
  // on engagement, B (churned) did not; adoption is the same for both.
  ASSERT_EQ(cscx({"health", "refresh"}).exit_code, 0);
  value("UPDATE health_snapshots SET computed_at = computed_at - interval '120 days',"
        " measures = jsonb_set(measures, '{engagement,value}',"
        "   CASE WHEN customer_id = '" + tenant_id('a', kCustomer) + "' THEN '90' ELSE '10' END::jsonb);"
        "UPDATE contracts SET end_date = current_date - 10,"
        " status = CASE WHEN customer_id = '" + tenant_id('a', kCustomer) +
        "' THEN 'renewed' ELSE 'churned' END; SELECT 1");
  CommandResult r = cscx({"health", "backtest", "--days", "90", "--proposed",
                          R"({"weights": {"adoption": 1}})"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("2 contracts ended (1 renewed, 1 churned); score 90 days before the end"),
            std::string::npos)
      << r.out;
  // Current (engagement + adoption): A (90+50)/2 = 70 green, B (10+50)/2 = 30 red.
  EXPECT_NE(r.out.find("current     1.000        0/1       0/0       1/0       0/0"),
            std::string::npos)
      << r.out;
  // Adoption alone cannot tell them apart.
  EXPECT_NE(r.out.find("proposed    0.500        0/0       1/1       0/0       0/0"),
            std::string::npos)
      << r.out;
  // Too recent a history for --days 200: nothing to judge.
  r = cscx({"health", "backtest", "--days", "200"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("0 contracts ended"), std::string::npos) << r.out;
}

TEST_F(HealthCli, BacktestRefusesABadProposal) {
  CommandResult r = cscx({"health", "backtest", "--proposed", R"({"weights": {"bogus": 1}})"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("unknown measure \"bogus\""), std::string::npos) << r.err;
  r = cscx({"health", "backtest", "--proposed", "not json"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("--proposed must be a JSON object"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace cscx::testing
