// POST /api/contracts/parse over HTTP (issue 6): parsing alone needs only
// credentials; a commit writes the customer, contract, entitlements and
// stakeholders as the caller (RLS applies, the caller becomes the CSM, the
// writes are audited); bad input is refused before any SQL.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <memory>

#include "api/api_fixture.h"

namespace cscx::testing {
namespace {
namespace json = boost::json;
using http::testing::HeaderList;

// From tests/data/contracts/dev/01_orderform_brightpath.txt: the customer,
// an ARR, two entitlements and two customer contacts.
constexpr const char* kContract =
    "NORTHWIND ANALYTICS INC.\n"
    "ORDER FORM #NW-2024-0117\n\n"
    "Vendor: Northwind Analytics Inc., 500 Market Street, San Francisco, CA 94105\n"
    "Customer: BrightPath Logistics LLC\n\n"
    "Subscription Start Date: March 1, 2024\n"
    "Subscription Term: 12 months\n"
    "Billing Frequency: Annual, in advance\n"
    "Currency: USD\n\n"
    "| Product                          | Quantity | Unit    | Annual Fee  |\n"
    "|----------------------------------|----------|---------|-------------|\n"
    "| Analytics Platform Enterprise    | 250      | users   | $90,000.00  |\n"
    "| Premium Support                  | 1        | package | $15,000.00  |\n"
    "| Total Annual Fees                |          |         | $105,000.00 |\n\n"
    "Customer Contacts:\n"
    "- Maria Gonzalez, VP of Operations, maria.gonzalez@brightpathlogistics.com, "
    "+1 410 555 0142\n"
    "- Kevin Osei, IT Director, kevin.osei@brightpathlogistics.com, +1 410 555 0178\n";

constexpr const char* kCompany = "BrightPath Logistics LLC";

std::string json_post(std::string_view text, bool commit) {
  json::object o{{"text", text}};
  if (commit) o["commit"] = true;
  return json::serialize(o);
}

constexpr const char* kBoundary = "----cscxBoundary7MA4YWxk";

std::string multipart(std::string_view file, bool commit, bool with_file = true) {
  std::string b;
  if (with_file) {
    b += std::string("--") + kBoundary + "\r\n";
    b += "Content-Disposition: form-data; name=\"file\"; filename=\"C:\\\\up\\\\order.txt\"\r\n";
    b += "Content-Type: text/plain\r\n\r\n";
    b += file;
    b += "\r\n";
  }
  if (commit) {
    b += std::string("--") + kBoundary + "\r\n";
    b += "Content-Disposition: form-data; name=\"commit\"\r\n\r\ntrue\r\n";
  }
  b += std::string("--") + kBoundary + "--\r\n";
  return b;
}

class ContractApi : public ApiTest {
 protected:
  void SetUp() override {
    load_two_tenants(admin_);
    // Above the parser's 25 MiB, so that limit is the one tested.
    start_server({{"CSCX_BODY_LIMIT", std::to_string(32 << 20)}});
  }

  Reply post(HeaderList headers, std::string_view body,
             std::string_view content_type = "application/json",
             std::string_view query = "") {
    if (!content_type.empty()) headers.emplace_back("Content-Type", content_type);
    return call("POST", "/api/contracts/parse" + std::string(query), std::move(headers), body);
  }

  Reply commit_as(char tenant) { return post(as(tenant), json_post(kContract, true)); }

  // Everything a commit could have written.
  std::string written_rows() {
    return value(
        "SELECT (SELECT count(*) FROM customers) || '/' || (SELECT count(*) FROM contracts)"
        " || '/' || (SELECT count(*) FROM entitlements) || '/' ||"
        " (SELECT count(*) FROM stakeholders) || '/' || (SELECT count(*) FROM activity_log)");
  }
};

TEST_F(ContractApi, JsonTextIsParsedWithoutWriting) {
  const std::string before = written_rows();
  Reply r = post(as('a'), json_post(kContract, false));
  ASSERT_EQ(r.status, 200u) << r.body;
  const json::value body = r.json();
  const json::object& extraction = body.at("extraction").as_object();
  EXPECT_EQ(extraction.at("company_name"), kCompany) << r.body;
  EXPECT_EQ(extraction.at("arr"), 105000) << r.body;
  EXPECT_TRUE(extraction.contains("evidence"));
  EXPECT_EQ(written_rows(), before);
}

TEST_F(ContractApi, RawTextBodyIsParsed) {
  for (const char* type : {"text/plain; charset=utf-8", "text/vtt", "application/x-subrip"}) {
    SCOPED_TRACE(type);
    Reply r = post(as('a'), kContract, type);
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(r.json().at("extraction").at("company_name"), kCompany) << r.body;
  }
}

TEST_F(ContractApi, MultipartUploadIsParsed) {
  Reply r = post(as('a'), multipart(kContract, false),
                 std::string("multipart/form-data; boundary=") + kBoundary);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json().at("extraction").at("company_name"), kCompany) << r.body;
}

TEST_F(ContractApi, MultipartCommitKeepsTheUploadedFileName) {
  Reply r = post(as('a'), multipart(kContract, true),
                 std::string("multipart/form-data; boundary=\"") + kBoundary + "\"");
  ASSERT_EQ(r.status, 201u) << r.body;
  EXPECT_EQ(r.json().at("contract").at("file_name"), "order.txt") << r.body;
}

TEST_F(ContractApi, Base64ContentIsParsed) {
  // "Customer: BrightPath Logistics LLC\n" in base64, wrapped as MIME does.
  Reply r = post(as('a'),
                 R"({"content_base64":"Q3VzdG9tZXI6IEJyaWdodFBhdGggTG9n\r\naXN0aWNzIExMQwo="})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.json().at("extraction").at("company_name"), kCompany) << r.body;
}

TEST_F(ContractApi, CommitCreatesTheCallersCustomerContractAndChildren) {
  Reply r = commit_as('a');
  ASSERT_EQ(r.status, 201u) << r.body;
  const json::object body = r.json().as_object();
  EXPECT_EQ(body.at("extraction").at("company_name"), kCompany);
  const std::string customer(body.at("customer").at("id").as_string());
  const std::string contract(body.at("contract").at("id").as_string());
  EXPECT_EQ(body.at("customer").at("csm_id"), tenant_id('a', kUser).c_str());
  EXPECT_EQ(body.at("customer").at("name"), kCompany);
  EXPECT_EQ(body.at("contract").at("customer_id"), customer.c_str());
  EXPECT_EQ(body.at("contract").at("start_date"), "2024-03-01") << r.body;
  EXPECT_EQ(body.at("contract").at("status"), "expired") << r.body;  // ended 2025-02-28
  EXPECT_EQ(body.at("entitlements").as_array().size(), 2u) << r.body;
  EXPECT_EQ(body.at("stakeholders").as_array().size(), 2u) << r.body;

  EXPECT_EQ(value("SELECT csm_id::text || '/' || arr::text FROM customers WHERE id = '" +
                  customer + "'"),
            tenant_id('a', kUser) + "/105000");
  EXPECT_EQ(value("SELECT (raw_text LIKE 'NORTHWIND%' AND parsed_data->>'company_name' = '" +
                  std::string(kCompany) + "')::text FROM contracts WHERE id = '" + contract +
                  "'"),
            "true");
  EXPECT_EQ(value("SELECT string_agg(name || ':' || coalesce(quantity::text, '-'), ','"
                  " ORDER BY (metadata->>'position')::int) FROM entitlements"
                  " WHERE contract_id = '" +
                  contract + "'"),
            "Analytics Platform Enterprise:250,Premium Support:1");
  EXPECT_EQ(value("SELECT string_agg(email, ',' ORDER BY email) FROM stakeholders"
                  " WHERE customer_id = '" +
                  customer + "'"),
            "kevin.osei@brightpathlogistics.com,maria.gonzalez@brightpathlogistics.com");

  // Every row was audited as A.
  EXPECT_EQ(value("SELECT string_agg(entity_type || ':' || n, ',' ORDER BY entity_type) FROM"
                  " (SELECT entity_type, count(*) AS n FROM activity_log"
                  "   WHERE action = 'insert' AND user_id = '" +
                  tenant_id('a', kUser) + "' AND customer_id = '" + customer +
                  "' GROUP BY entity_type) x"),
            "contracts:1,customers:1,entitlements:2,stakeholders:2");
}

TEST_F(ContractApi, SecondCommitMatchesTheCustomerByNameWithoutDuplicates) {
  ASSERT_EQ(commit_as('a').status, 201u);
  // Same customer, named in other letter case.
  std::string text(kContract);
  text.replace(text.find(kCompany), std::string(kCompany).size(), "BRIGHTPATH LOGISTICS LLC");
  Reply r = post(as('a'), json_post(text, true));
  ASSERT_EQ(r.status, 201u) << r.body;
  EXPECT_EQ(r.json().at("customer").at("name"), kCompany) << r.body;
  EXPECT_EQ(value("SELECT count(*) FROM customers WHERE lower(name) = lower('" +
                  std::string(kCompany) + "')"),
            "1");
  EXPECT_EQ(value("SELECT count(*) FROM contracts WHERE company_name ILIKE 'brightpath%'"),
            "2");
  // The contacts already on the customer are not added again, but are returned.
  EXPECT_EQ(value("SELECT count(*) FROM stakeholders WHERE email LIKE '%@brightpath%'"), "2");
  EXPECT_EQ(r.json().at("stakeholders").as_array().size(), 2u) << r.body;
}

TEST_F(ContractApi, AnotherCsmsCustomerIsNeverTouched) {
  // A owns a customer with the contract's company name.
  value("UPDATE customers SET name = '" + std::string(kCompany) + "' WHERE id = '" +
        tenant_id('a', kCustomer) + "' RETURNING 1");
  const std::string a_before = value(
      "SELECT row_to_json(c)::text FROM customers c WHERE id = '" +
      tenant_id('a', kCustomer) + "'");
  const std::string a_children = value(
      "SELECT (SELECT count(*) FROM contracts WHERE customer_id = '" +
      tenant_id('a', kCustomer) + "') || '/' || (SELECT count(*) FROM stakeholders"
      " WHERE customer_id = '" + tenant_id('a', kCustomer) + "')");

  Reply r = commit_as('b');
  ASSERT_EQ(r.status, 201u) << r.body;
  // B gets a customer of its own with that name.
  EXPECT_NE(r.json().at("customer").at("id"), tenant_id('a', kCustomer).c_str());
  EXPECT_EQ(r.json().at("customer").at("csm_id"), tenant_id('b', kUser).c_str());
  EXPECT_EQ(value("SELECT row_to_json(c)::text FROM customers c WHERE id = '" +
                  tenant_id('a', kCustomer) + "'"),
            a_before);
  EXPECT_EQ(value("SELECT (SELECT count(*) FROM contracts WHERE customer_id = '" +
                  tenant_id('a', kCustomer) + "') || '/' || (SELECT count(*) FROM"
                  " stakeholders WHERE customer_id = '" + tenant_id('a', kCustomer) + "')"),
            a_children);
}

TEST_F(ContractApi, CommitWithoutCompanyNameIs400AndWritesNothing) {
  const std::string before = written_rows();
  Reply r = post(as('a'), json_post("Seats: 10 users\nAnnual Fee: USD 1,000\n", true));
  EXPECT_EQ(r.status, 400u) << r.body;
  EXPECT_EQ(r.code(), "invalid_argument");
  EXPECT_NE(r.body.find("company_name"), std::string::npos) << r.body;
  EXPECT_EQ(written_rows(), before);
}

TEST_F(ContractApi, MissingOrRefusedCredentialsAre401) {
  EXPECT_EQ(post({}, json_post(kContract, false)).status, 401u);
  EXPECT_EQ(post({{"Authorization", "Bearer not.a.jwt"}}, json_post(kContract, false)).status,
            401u);
  EXPECT_EQ(post({{"apikey", keys_.anon}}, json_post(kContract, true)).status, 401u);
}

TEST_F(ContractApi, EmptyTextIs400) {
  Reply blank = post(as('a'), json_post("  \n ", false));
  EXPECT_EQ(blank.status, 400u) << blank.body;
  EXPECT_EQ(blank.code(), "invalid_argument");
  EXPECT_EQ(post(as('a'), "", "text/plain").status, 400u);
  Reply missing = post(as('a'), R"({"commit":true})");
  EXPECT_EQ(missing.status, 400u) << missing.body;
  EXPECT_NE(missing.body.find("text or content_base64 is required"), std::string::npos);
}

TEST_F(ContractApi, MalformedBodiesAre400) {
  EXPECT_EQ(post(as('a'), "{not json").status, 400u);
  EXPECT_EQ(post(as('a'), R"({"text":"x","comit":true})").status, 400u);
  EXPECT_EQ(post(as('a'), R"({"text":"x","commit":"yes"})").status, 400u);
  EXPECT_EQ(post(as('a'), R"({"content_base64":"@@@"})").status, 400u);
  EXPECT_EQ(post(as('a'), kContract, "image/png").status, 400u);
  EXPECT_EQ(post(as('a'), kContract, "text/plain", "?commit=maybe").status, 400u);
}

TEST_F(ContractApi, OversizedDocumentIs413) {
  const std::string big(26u << 20, 'a');
  Reply r = post(as('a'), big, "text/plain");
  EXPECT_EQ(r.status, 413u) << r.body.substr(0, 200);
  EXPECT_EQ(r.code(), "payload_too_large");
}

TEST_F(ContractApi, MultipartWithoutFilePartIs400) {
  const std::string type = std::string("multipart/form-data; boundary=") + kBoundary;
  Reply r = post(as('a'), multipart(kContract, true, false), type);
  EXPECT_EQ(r.status, 400u) << r.body;
  EXPECT_NE(r.body.find("no 'file' part"), std::string::npos) << r.body;
  // Unterminated, and without a boundary parameter.
  EXPECT_EQ(post(as('a'), std::string("--") + kBoundary + "\r\nContent-Disposition: "
                          "form-data; name=\"file\"\r\n\r\nabc", type).status,
            400u);
  EXPECT_EQ(post(as('a'), multipart(kContract, false), "multipart/form-data").status, 400u);
}

TEST_F(ContractApi, ServiceRoleCommitLeavesTheCsmUnsetUnlessGiven) {
  HeaderList service{{"apikey", keys_.service_role}};
  Reply r = post(service, json_post(kContract, true));
  ASSERT_EQ(r.status, 201u) << r.body;
  EXPECT_TRUE(r.json().at("customer").at("csm_id").is_null()) << r.body;
  Reply denied = post(as('a'), json::serialize(json::object{
                                   {"text", kContract},
                                   {"commit", true},
                                   {"csm_id", tenant_id('b', kUser)}}));
  EXPECT_EQ(denied.status, 403u) << denied.body;
}

}  // namespace
}  // namespace cscx::testing
