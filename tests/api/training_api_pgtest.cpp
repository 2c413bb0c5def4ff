// /api/training and /api/customers/:id/adoption over HTTP (issue 8).
#include "api/workspace_fixture.h"

namespace cscx::testing {
namespace {
namespace json = boost::json;

class TrainingApi : public WorkspaceApi {
 protected:
  std::string progress_body(char tenant, int progress, const std::string& extra = "") {
    return R"({"customer_id":")" + tenant_id(tenant, kCustomer) + R"(","stakeholder_id":")" +
           tenant_id(tenant, kStakeholder) + R"(","module_id":")" + kModuleId +
           R"(","progress":)" + std::to_string(progress) + extra + "}";
  }
};

TEST_F(TrainingApi, ModulesListsTheActiveCatalogue) {
  value("INSERT INTO training_modules (title, category, is_active) VALUES"
        " ('Retired', 'x', false), ('Admin', 'admin', true); SELECT 1");
  Reply r = get("/api/training/modules", 'a');
  ASSERT_EQ(r.status, 200u) << r.body;
  ASSERT_EQ(r.json().as_array().size(), 2u) << r.body;
  EXPECT_EQ(r.json().at(0).at("title"), "Admin");
  EXPECT_EQ(get("/api/training/modules?category=admin", 'a').json().as_array().size(), 1u);
  EXPECT_EQ(get("/api/training/modules?colour=red", 'a').status, 400u);
  EXPECT_EQ(call("GET", "/api/training/modules", anon()).status, 401u);
}

TEST_F(TrainingApi, ProgressIsUpsertedWithTimestampsAndScore) {
  Reply started = call("POST", "/api/training/progress", as('a'), progress_body('a', 60));
  ASSERT_EQ(started.status, 200u) << started.body;
  EXPECT_EQ(started.json().at("status"), "in_progress");
  EXPECT_TRUE(started.json().at("completed_at").is_null());
  EXPECT_FALSE(started.json().at("started_at").is_null());

  Reply done = call("POST", "/api/training/progress", as('a'),
                    progress_body('a', 100, R"(,"score":88)"));
  ASSERT_EQ(done.status, 200u) << done.body;
  EXPECT_EQ(done.json().at("id"), tenant_id('a', kProgress).c_str());  // the same row
  EXPECT_EQ(done.json().at("status"), "completed");
  EXPECT_EQ(done.json().at("score"), 88);
  EXPECT_FALSE(done.json().at("completed_at").is_null());
  EXPECT_EQ(value("SELECT count(*) FROM training_progress WHERE customer_id = '" +
                  tenant_id('a', kCustomer) + "'"),
            "1");
  // A later report without a score keeps it; below 100 clears completion.
  Reply again = call("POST", "/api/training/progress", as('a'), progress_body('a', 90));
  EXPECT_EQ(again.json().at("score"), 88);
  EXPECT_TRUE(again.json().at("completed_at").is_null());
  EXPECT_EQ(value("SELECT count(*) FROM activity_log WHERE entity_type = 'training_progress'"
                  " AND action = 'update'"),
            "3");
}

TEST_F(TrainingApi, BadProgressIs400AndWritesNothing) {
  const std::string before = written_rows();
  for (const std::string& body :
       {progress_body('a', 101), progress_body('a', -1), progress_body('a', 50, R"(,"score":"A")"),
        progress_body('a', 50, R"(,"note":"x")"),
        std::string(R"({"customer_id":")") + tenant_id('a', kCustomer) + R"(","progress":5})",
        // B's stakeholder for A's customer; an unknown module.
        R"({"customer_id":")" + tenant_id('a', kCustomer) + R"(","stakeholder_id":")" +
            tenant_id('b', kStakeholder) + R"(","module_id":")" + kModuleId +
            R"(","progress":5})",
        R"({"customer_id":")" + tenant_id('a', kCustomer) + R"(","stakeholder_id":")" +
            tenant_id('a', kStakeholder) +
            R"(","module_id":"c0000000-0000-0000-0000-000000000999","progress":5})"}) {
    Reply r = call("POST", "/api/training/progress", as('a'), body);
    EXPECT_EQ(r.status, 400u) << body << ": " << r.body;
    EXPECT_EQ(r.code(), "invalid_argument") << body;
  }
  EXPECT_EQ(written_rows(), before);
}

TEST_F(TrainingApi, AnotherCsmsCustomerIs404) {
  const std::string before = written_rows();
  Reply r = call("POST", "/api/training/progress", as('a'), progress_body('b', 100));
  EXPECT_EQ(r.status, 404u) << r.body;
  EXPECT_EQ(get("/api/customers/" + tenant_id('b', kCustomer) + "/adoption", 'a').status, 404u);
  EXPECT_EQ(written_rows(), before);
}

TEST_F(TrainingApi, AdoptionSummarisesTheCustomersProgress) {
  value("INSERT INTO training_modules (id, title) VALUES"
        " ('c0000000-0000-0000-0000-000000000010', 'Reporting');"
        "INSERT INTO stakeholders (id, customer_id, name) VALUES"
        " ('a0000000-0000-0000-0000-000000000311', '" + tenant_id('a', kCustomer) + "', 'Ann');"
        "SELECT 1");
  ASSERT_EQ(call("POST", "/api/training/progress", as('a'),
                 R"({"customer_id":")" + tenant_id('a', kCustomer) +
                     R"(","stakeholder_id":"a0000000-0000-0000-0000-000000000311",)"
                     R"("module_id":"c0000000-0000-0000-0000-000000000010","progress":100,)"
                     R"("score":90})")
                .status,
            200u);
  Reply r = get("/api/customers/" + tenant_id('a', kCustomer) + "/adoption", 'a');
  ASSERT_EQ(r.status, 200u) << r.body;
  const json::value s = r.json();
  EXPECT_EQ(s.at("adoption_score"), 75);  // (50 + 100) / 2
  EXPECT_EQ(s.at("modules_available"), 2);
  EXPECT_EQ(s.at("stakeholders"), 2);
  EXPECT_EQ(s.at("learners"), 2);
  EXPECT_EQ(s.at("completed"), 1);
  EXPECT_EQ(s.at("in_progress"), 1);
  EXPECT_EQ(s.at("completion_rate").to_number<double>(), 0.25);
  EXPECT_EQ(s.at("by_module").as_array().size(), 2u);
  EXPECT_EQ(s.at("by_stakeholder").at(0).at("name"), "Ann");
  // The same number update_health_score() takes as adoption.
  EXPECT_EQ(value("SELECT round(avg(progress)) FROM training_progress WHERE customer_id = '" +
                  tenant_id('a', kCustomer) + "'"),
            "75");
  EXPECT_EQ(get("/api/customers/xyz/adoption", 'a').status, 400u);
}

}  // namespace
}  // namespace cscx::testing
