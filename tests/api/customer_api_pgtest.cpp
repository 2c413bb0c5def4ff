// /api/customers over HTTP (issue 8): the list's filters, sorts and keyset
// pages; create, change, soft and hard delete; one customer in detail.
// Every verb on another CSM's customer is a 404 and changes nothing; bad
// input is a 400 naming the problem, with nothing written.
#include "api/workspace_fixture.h"

namespace cscx::testing {
namespace {
namespace json = boost::json;

class CustomerApi : public WorkspaceApi {
 protected:
  // Six more customers of A, with names, ARR, health and renewals to sort
  // and filter by: c1..c6 = 'a0000000-0000-0000-0000-0000000001NN'.
  void add_book() {
    value(
        "INSERT INTO customers (id, name, arr, industry, stage, health_score, csm_id) VALUES"
        " ('a0000000-0000-0000-0000-000000000101', 'Acme', 500, 'Retail', 'active', 80,"
        "  'a0000000-0000-0000-0000-000000000001'),"
        " ('a0000000-0000-0000-0000-000000000102', 'Beta 100%', 900, 'retail', 'at_risk', 20,"
        "  'a0000000-0000-0000-0000-000000000001'),"
        " ('a0000000-0000-0000-0000-000000000103', 'Gamma', NULL, 'Health', 'active', 55,"
        "  'a0000000-0000-0000-0000-000000000001'),"
        " ('a0000000-0000-0000-0000-000000000104', 'Delta', 300, 'Health', 'onboarding', NULL,"
        "  'a0000000-0000-0000-0000-000000000001'),"
        " ('a0000000-0000-0000-0000-000000000105', 'Epsilon', 700, NULL, 'active', 70,"
        "  'a0000000-0000-0000-0000-000000000001'),"
        " ('a0000000-0000-0000-0000-000000000106', 'Zeta', 100, 'Retail', 'churned', 39,"
        "  'a0000000-0000-0000-0000-000000000001');"
        "INSERT INTO contracts (customer_id, status, end_date) VALUES"
        " ('a0000000-0000-0000-0000-000000000101', 'active', current_date + 30),"
        " ('a0000000-0000-0000-0000-000000000102', 'active', current_date + 200),"
        " ('a0000000-0000-0000-0000-000000000103', 'expired', current_date + 10),"
        " ('a0000000-0000-0000-0000-000000000105', 'active', current_date + 5);"
        "SELECT 1");
  }

  std::vector<std::string> names(const Reply& r) {
    std::vector<std::string> out;
    json::value v = r.json();
    if (!v.is_array()) return {"<not an array: " + r.body.substr(0, 300) + ">"};
    for (const auto& item : v.as_array()) out.emplace_back(item.at("name").as_string());
    return out;
  }
};

std::string customer(char tenant) { return tenant_id(tenant, kCustomer); }

TEST_F(CustomerApi, PlainListIsTheCallersFirstPageByName) {
  add_book();
  Reply r = get("/api/customers", 'a');
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(names(r), (std::vector<std::string>{"Acme", "Beta 100%", "Customer a", "Delta",
                                                "Epsilon", "Gamma", "Zeta"}));
  EXPECT_EQ(r.next_cursor, "");
  EXPECT_EQ(get("/api/customers", 'b').ids(), std::vector<std::string>{customer('b')});
}

TEST_F(CustomerApi, KeysetPagesWalkTheWholeListWithoutRepeats) {
  add_book();
  for (const char* sort : {"name", "arr", "health_score", "renewal"}) {
    std::vector<std::string> seen;
    std::string target = std::string("/api/customers?limit=3&sort=") + sort;
    int pages = 0;
    while (true) {
      Reply r = get(target, 'a');
      ASSERT_EQ(r.status, 200u) << sort << ": " << r.body;
      for (const std::string& id : r.ids()) seen.push_back(id);
      ++pages;
      if (r.next_cursor.empty()) break;
      ASSERT_LT(pages, 5) << sort;
      target = std::string("/api/customers?limit=3&sort=") + sort + "&cursor=" + r.next_cursor;
    }
    EXPECT_EQ(pages, 3) << sort;
    EXPECT_EQ(seen.size(), 7u) << sort;
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(std::unique(seen.begin(), seen.end()), seen.end()) << sort;
  }
}

TEST_F(CustomerApi, SortsOrderAsDocumented) {
  add_book();
  // ARR largest first, unknown last.
  EXPECT_EQ(names(get("/api/customers?sort=arr", 'a')),
            (std::vector<std::string>{"Customer a", "Beta 100%", "Epsilon", "Acme", "Delta",
                                      "Zeta", "Gamma"}));
  // Health lowest first, unscored last.
  EXPECT_EQ(names(get("/api/customers?sort=health_score", 'a')),
            (std::vector<std::string>{"Beta 100%", "Zeta", "Gamma", "Epsilon", "Acme",
                                      "Customer a", "Delta"}));
  // Renewal soonest first; the expired contract does not count.
  Reply renewal = get("/api/customers?sort=renewal&limit=3", 'a');
  EXPECT_EQ(names(renewal), (std::vector<std::string>{"Epsilon", "Acme", "Beta 100%"}));
  EXPECT_EQ(renewal.json().at(0).at("days_to_renewal"), 5);
}

TEST_F(CustomerApi, FiltersNarrowTheList) {
  add_book();
  EXPECT_EQ(names(get("/api/customers?stage=active", 'a')),
            (std::vector<std::string>{"Acme", "Epsilon", "Gamma"}));
  EXPECT_EQ(names(get("/api/customers?industry=RETAIL", 'a')),
            (std::vector<std::string>{"Acme", "Beta 100%", "Zeta"}));
  EXPECT_EQ(names(get("/api/customers?band=red", 'a')),
            (std::vector<std::string>{"Beta 100%", "Zeta"}));
  EXPECT_EQ(names(get("/api/customers?band=yellow", 'a')), std::vector<std::string>{"Gamma"});
  EXPECT_EQ(names(get("/api/customers?band=green", 'a')),
            (std::vector<std::string>{"Acme", "Epsilon"}));
  EXPECT_EQ(names(get("/api/customers?renewal_within=30", 'a')),
            (std::vector<std::string>{"Acme", "Epsilon"}));
  // Name search: case-insensitive, % taken literally.
  EXPECT_EQ(names(get("/api/customers?q=ETA", 'a')),
            (std::vector<std::string>{"Beta 100%", "Zeta"}));
  EXPECT_EQ(names(get("/api/customers?q=100%25", 'a')), std::vector<std::string>{"Beta 100%"});
  EXPECT_EQ(names(get("/api/customers?q=%25", 'a')), std::vector<std::string>{"Beta 100%"});
  // Another CSM's customers never match.
  EXPECT_EQ(names(get("/api/customers?q=Customer", 'b')),
            std::vector<std::string>{"Customer b"});
}

TEST_F(CustomerApi, BandsSplitAt40And70) {
  for (auto [score, band] : {std::pair{39, "red"}, std::pair{40, "yellow"},
                             std::pair{69, "yellow"}, std::pair{70, "green"}}) {
    value("UPDATE customers SET health_score = " + std::to_string(score) + " WHERE id = '" +
          customer('a') + "' RETURNING 1");
    for (const char* b : {"red", "yellow", "green"}) {
      const std::vector<std::string> want =
          std::string(b) == band ? std::vector<std::string>{customer('a')}
                                 : std::vector<std::string>{};
      EXPECT_EQ(get(std::string("/api/customers?band=") + b, 'a').ids(), want)
          << score << " in " << b;
    }
  }
}

TEST_F(CustomerApi, BadListParametersAre400) {
  for (const char* q : {"?limit=0", "?limit=101", "?limit=x", "?sort=csm_id", "?band=blue",
                        "?renewal_within=-1", "?cursor=bm90LWEtY3Vyc29y", "?nope=1"}) {
    Reply r = get(std::string("/api/customers") + q, 'a');
    EXPECT_EQ(r.status, 400u) << q << ": " << r.body;
    EXPECT_EQ(r.code(), "invalid_argument") << q;
  }
  // A cursor of one sort is refused by another.
  add_book();
  Reply page = get("/api/customers?limit=2", 'a');
  ASSERT_FALSE(page.next_cursor.empty());
  EXPECT_EQ(get("/api/customers?sort=arr&cursor=" + page.next_cursor, 'a').status, 400u);
  EXPECT_EQ(get("/api/customers?sort=name&cursor=" + page.next_cursor, 'a').status, 200u);
}

TEST_F(CustomerApi, CreateMakesTheCallersCustomerAndAuditsIt) {
  Reply r = call("POST", "/api/customers", as('a'),
                 R"({"name":"Initech","arr":1200.5,"industry":"Software","stage":"onboarding",
                     "metadata":{"region":"EU"}})");
  ASSERT_EQ(r.status, 201u) << r.body;
  const std::string id(r.json().at("id").as_string());
  EXPECT_EQ(r.json().at("csm_id"), tenant_id('a', kUser).c_str());
  EXPECT_EQ(value("SELECT concat_ws('/', name, arr, industry, stage, metadata->>'region',"
                  " csm_id) FROM customers WHERE id = '" + id + "'"),
            "Initech/1200.5/Software/onboarding/EU/" + tenant_id('a', kUser));
  EXPECT_EQ(value("SELECT count(*) FROM activity_log WHERE entity_id = '" + id +
                  "' AND action = 'insert' AND user_id = '" + tenant_id('a', kUser) + "'"),
            "1");
  // Defaults: stage prospect.
  Reply plain = call("POST", "/api/customers", as('b'), R"({"name":"Hooli"})");
  ASSERT_EQ(plain.status, 201u) << plain.body;
  EXPECT_EQ(plain.json().at("stage"), "prospect");
}

TEST_F(CustomerApi, BadCreateIs400AndWritesNothing) {
  const std::string before = written_rows();
  for (const char* body :
       {R"({})", R"({"name":""})", R"({"name":"  "})", R"({"name":7})",
        R"({"name":"X","arr":-1})", R"({"name":"X","arr":"10"})", R"({"name":"X","stage":"won"})",
        R"({"name":"X","metadata":[1]})", R"({"name":"X","health_score":50})",
        R"({"name":"X","csm_id":"nope"})", R"([1])", R"({bad json)"}) {
    Reply r = call("POST", "/api/customers", as('a'), body);
    EXPECT_EQ(r.status, 400u) << body << ": " << r.body;
    EXPECT_EQ(r.code(), "invalid_argument") << body;
  }
  Reply unknown = call("POST", "/api/customers", as('a'), R"({"name":"X","colour":"red"})");
  EXPECT_NE(unknown.body.find("unknown field 'colour'"), std::string::npos) << unknown.body;
  // A CSM cannot create a customer for another CSM; anon cannot create.
  EXPECT_EQ(call("POST", "/api/customers", as('a'),
                 R"({"name":"X","csm_id":")" + tenant_id('b', kUser) + "\"}")
                .status,
            403u);
  EXPECT_EQ(call("POST", "/api/customers", anon(), R"({"name":"X"})").status, 401u);
  EXPECT_EQ(written_rows(), before);
}

TEST_F(CustomerApi, DetailHasStakeholdersActiveContractAndUsage) {
  value("UPDATE entitlements SET quantity = 200, metadata = '{\"used\": 150}' WHERE id = '" +
        tenant_id('a', kEntitlement) + "' RETURNING 1");
  value("UPDATE contracts SET end_date = current_date + 45 WHERE id = '" +
        tenant_id('a', kContract) + "' RETURNING 1");
  Reply r = get("/api/customers/" + customer('a'), 'a');
  ASSERT_EQ(r.status, 200u) << r.body;
  const json::value body = r.json();
  EXPECT_EQ(body.at("name"), "Customer a");
  ASSERT_EQ(body.at("stakeholders").as_array().size(), 1u);
  EXPECT_EQ(body.at("stakeholders").at(0).at("id"), tenant_id('a', kStakeholder).c_str());
  const json::value& contract = body.at("active_contract");
  EXPECT_EQ(contract.at("id"), tenant_id('a', kContract).c_str());
  EXPECT_EQ(contract.at("days_to_renewal"), 45);
  EXPECT_FALSE(contract.as_object().contains("raw_text"));
  const json::value& seats = contract.at("entitlements").at(0);
  EXPECT_EQ(seats.at("used"), 150);
  EXPECT_EQ(seats.at("quantity"), 200);
  EXPECT_EQ(seats.at("utilization").to_number<double>(), 0.75);
}

TEST_F(CustomerApi, PatchChangesOnlyTheNamedFields) {
  Reply r = call("PATCH", "/api/customers/" + customer('a'), as('a'),
                 R"({"stage":"at_risk","industry":null})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json().at("stage"), "at_risk");
  EXPECT_EQ(value("SELECT concat_ws('/', name, arr, coalesce(industry, '-'), stage) FROM"
                  " customers WHERE id = '" + customer('a') + "'"),
            "Customer a/1000/-/at_risk");
  EXPECT_EQ(value("SELECT new_values::text FROM activity_log WHERE entity_id = '" +
                  customer('a') + "' AND action = 'update'"),
            R"({"stage": "at_risk"})");
}

TEST_F(CustomerApi, BadPatchIs400AndWritesNothing) {
  const std::string before = written_rows();
  for (const char* body : {R"({})", R"({"colour":"red"})", R"({"name":null})",
                           R"({"stage":"won"})", R"({"id":"x"})"}) {
    Reply r = call("PATCH", "/api/customers/" + customer('a'), as('a'), body);
    EXPECT_EQ(r.status, 400u) << body << ": " << r.body;
  }
  EXPECT_EQ(call("PATCH", "/api/customers/not-a-uuid", as('a'), R"({"stage":"active"})").status,
            400u);
  EXPECT_EQ(call("PATCH", "/api/customers/" + customer('a'), as('a'),
                 R"({"csm_id":")" + tenant_id('b', kUser) + "\"}")
                .status,
            403u);
  EXPECT_EQ(written_rows(), before);
}

TEST_F(CustomerApi, AnotherCsmsCustomerIs404OnEveryVerb) {
  const std::string before = written_rows();
  const std::string path = "/api/customers/" + customer('b');
  for (Reply r : {get(path, 'a'), call("PATCH", path, as('a'), R"({"stage":"active"})"),
                  call("DELETE", path, as('a')), get(path + "/timeline", 'a')}) {
    EXPECT_EQ(r.status, 404u) << r.body;
    EXPECT_EQ(r.code(), "not_found");
    EXPECT_EQ(r.body.find("Customer b"), std::string::npos);
  }
  EXPECT_EQ(written_rows(), before);
  EXPECT_EQ(get("/api/customers/a0000000-0000-0000-0000-000000000999", 'a').status, 404u);
}

TEST_F(CustomerApi, DeleteIsSoftByDefault) {
  Reply r = call("DELETE", "/api/customers/" + customer('a'), as('a'));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json().at("deleted"), "soft");
  EXPECT_EQ(value("SELECT stage FROM customers WHERE id = '" + customer('a') + "'"), "churned");
  EXPECT_EQ(value("SELECT count(*) FROM stakeholders WHERE customer_id = '" + customer('a') +
                  "'"),
            "1");
}

TEST_F(CustomerApi, HardDeleteIsServiceRolesAndKeepsTheAuditTrail) {
  const std::string path = "/api/customers/" + customer('a') + "?hard=true";
  const std::string before = written_rows();
  EXPECT_EQ(call("DELETE", path, as('a')).status, 403u);
  EXPECT_EQ(call("DELETE", "/api/customers/" + customer('a') + "?hard=maybe", service()).status,
            400u);
  EXPECT_EQ(written_rows(), before);

  const std::string audit_before = value("SELECT count(*) FROM activity_log");
  Reply r = call("DELETE", path, service());
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json().at("deleted"), "hard");
  EXPECT_EQ(value("SELECT count(*) FROM customers WHERE id = '" + customer('a') + "'"), "0");
  EXPECT_EQ(value("SELECT (SELECT count(*) FROM stakeholders WHERE customer_id = '" +
                  customer('a') + "') + (SELECT count(*) FROM meetings WHERE customer_id = '" +
                  customer('a') + "')"),
            "0");
  // The fixture's activity row stays (its customer_id now NULL) and the
  // delete itself is recorded, with the whole old row.
  EXPECT_EQ(value("SELECT customer_id IS NULL FROM activity_log WHERE id = '" +
                  tenant_id('a', kActivity) + "'"),
            "t");
  EXPECT_EQ(value("SELECT old_values->>'name' FROM activity_log WHERE entity_id = '" +
                  customer('a') + "' AND entity_type = 'customers' AND action = 'delete'"),
            "Customer a");
  EXPECT_GT(std::stoi(value("SELECT count(*) FROM activity_log")), std::stoi(audit_before));
  // B's customer is untouched.
  EXPECT_EQ(value("SELECT count(*) FROM customers WHERE id = '" + customer('b') + "'"), "1");
}

}  // namespace
}  // namespace cscx::testing
