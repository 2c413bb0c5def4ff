// The fixture of the workspace API tests (issue 8): two CSMs A and B with
// one customer each (tests/schema/tenant_fixture.h), a real `cscx serve`,
// and helpers to call it as A, as B, as service_role or anonymously.
#pragma once

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <ctime>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "api/server_process.h"
#include "auth/jwt.h"
#include "auth/keys.h"
#include "http/test_client.h"
#include "schema/tenant_fixture.h"
#include "support/run_cscx.h"
#include "support/test_database.h"

namespace cscx::testing {

struct Reply {
  unsigned status = 0;
  std::string body;
  std::string content_type;
  std::string next_cursor;  // X-Next-Cursor, "" when absent
  std::string disposition;  // Content-Disposition

  boost::json::value json() const {
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(body, ec);
    return ec ? boost::json::value() : v;
  }
  std::string code() const {
    boost::json::value v = json();
    if (!v.is_object() || !v.as_object().contains("code")) return "<no code in " + body + ">";
    return std::string(v.at("code").as_string());
  }
  // The "id" of each element of a JSON array body.
  std::vector<std::string> ids() const {
    std::vector<std::string> out;
    boost::json::value v = json();
    if (!v.is_array()) return {"<not an array: " + body.substr(0, 300) + ">"};
    for (const auto& item : v.as_array()) out.emplace_back(item.at("id").as_string());
    return out;
  }
};

class WorkspaceApi : public ::testing::Test {
 protected:
  static constexpr const char* kSecret = "workspace-api-secret-workspace-api-secret";

  void SetUp() override {
    load_two_tenants(admin_);
    server_ = std::make_unique<ServerProcess>(
        std::vector<std::string>{},
        std::map<std::string, std::string>{{"DATABASE_URL", db_.url()},
                                           {"CSCX_API_DATABASE_URL", db_.url_as("authenticator")},
                                           {"CSCX_JWT_SECRET", kSecret},
                                           {"CSCX_HOME", home_.path()},
                                           {"CSCX_THREADS", "2"}});
  }

  http::testing::HeaderList as(char tenant) const {
    const std::int64_t now = time(nullptr);
    const std::string token = auth::sign_jwt({{"sub", tenant_id(tenant, kUser)},
                                              {"role", "authenticated"},
                                              {"aud", "authenticated"},
                                              {"iat", now},
                                              {"exp", now + 3600}},
                                             kSecret);
    return {{"apikey", keys_.anon}, {"Authorization", "Bearer " + token}};
  }
  http::testing::HeaderList service() const { return {{"apikey", keys_.service_role}}; }
  http::testing::HeaderList anon() const { return {{"apikey", keys_.anon}}; }

  Reply call(std::string_view method, const std::string& target,
             http::testing::HeaderList headers, std::string_view body = {}) {
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    http::testing::TestClient client(server_->port());
    auto r = client.request(method, target, headers, body);
    if (!r) return {};
    Reply reply{static_cast<unsigned>(r->result_int()), r->body()};
    reply.content_type = std::string((*r)[boost::beast::http::field::content_type]);
    reply.next_cursor = std::string((*r)["X-Next-Cursor"]);
    reply.disposition = std::string((*r)["Content-Disposition"]);
    return reply;
  }
  Reply get(const std::string& target, char tenant) { return call("GET", target, as(tenant)); }

  std::string value(const std::string& sql) { return query_value(admin_, sql); }

  // Counts of every table a workspace route writes, to show that a refused
  // request wrote nothing.
  std::string written_rows() {
    return value(
        "SELECT concat_ws('/', (SELECT count(*) FROM customers),"
        " (SELECT count(*) FROM meetings), (SELECT count(*) FROM training_progress),"
        " (SELECT count(*) FROM activity_log), (SELECT string_agg(md5(c::text), ',' ORDER BY"
        " id) FROM customers c), (SELECT string_agg(md5(p::text), ',' ORDER BY id) FROM"
        " training_progress p))");
  }

  TestDatabase db_;
  db::Connection admin_ = db_.connect();
  TempDir home_;
  auth::ApiKeys keys_ = auth::api_keys(kSecret);
  std::unique_ptr<ServerProcess> server_;
};

}  // namespace cscx::testing
