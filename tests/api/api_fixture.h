// The fixture of the /api endpoint tests: two CSMs A and B with one customer
// each (tests/schema/tenant_fixture.h), a real `cscx serve` on that
// database, and helpers to call it as A, as B, as service_role or
// anonymously. Endpoint tests derive from ApiTest and add what only they
// need (their request helpers, what a refused request could have written).
#pragma once

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <ctime>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
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
  unsigned status = 0;  // 0: no answer at all
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
    if (!v.is_object() || !v.as_object().contains("code")) {
      return "<no code in " + body.substr(0, 300) + ">";
    }
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

class ApiTest : public ::testing::Test {
 protected:
  static constexpr const char* kSecret = "api-test-secret-api-test-secret-api-test";

  // Loads the two tenants and starts the server; a test that needs other
  // settings overrides SetUp() and calls start_server() with them.
  void SetUp() override {
    load_two_tenants(admin_);
    start_server();
  }

  // Starts `cscx serve` on db_ (as the authenticator login, two threads)
  // with `settings` added to or replacing its environment.
  void start_server(const std::map<std::string, std::string>& settings = {}) {
    std::map<std::string, std::string> env{{"DATABASE_URL", db_.url()},
                                           {"CSCX_API_DATABASE_URL", db_.url_as("authenticator")},
                                           {"CSCX_JWT_SECRET", kSecret},
                                           {"CSCX_HOME", home_.path()},
                                           {"CSCX_THREADS", "2"}};
    for (const auto& [name, value] : settings) env[name] = value;
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{}, std::move(env));
  }

  // A signed-in CSM of tenant 'a' or 'b'.
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

  // The server listens before its knowledge index is loaded (in the
  // background); tests of the hybrid ranking wait for "index":"ready" in
  // /ready.
  void wait_for_index() {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      const boost::json::value ready = call("GET", "/ready", {}).json();
      if (ready.is_object() && ready.at("knowledge").at("index") == "ready") return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    FAIL() << "the knowledge index did not load";
  }
  http::testing::HeaderList anon() const { return {{"apikey", keys_.anon}}; }

  // One request on a fresh connection. A body goes as application/json
  // unless `headers` give a Content-Type.
  Reply call(std::string_view method, const std::string& target,
             http::testing::HeaderList headers, std::string_view body = {}) {
    if (!body.empty() && !has_content_type(headers)) {
      headers.emplace_back("Content-Type", "application/json");
    }
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

  // A server whose knowledge index load is held after its first page of
  // 1000 (CSCX_TESTING_KNOWLEDGE_PAGE_PAUSE_MS): 1000 filler articles and
  // 'Churn signals' (d0000000-…-0002) are in the table, so the churn
  // article is found by full text alone while /ready says "loading".
  void start_server_while_the_index_loads() {
    admin_.exec("bulk_articles",
                "INSERT INTO knowledge_base (title, content)"
                " SELECT 'Filler ' || i, 'Nothing to see ' || i FROM generate_series(1, 1000) i;"
                "INSERT INTO knowledge_base (id, title, content) VALUES"
                " ('d0000000-0000-0000-0000-000000000002', 'Churn signals',"
                "  'Falling logins are an early churn signal.')")
        .value();
    start_server({{"CSCX_TESTING_KNOWLEDGE_PAGE_PAUSE_MS", "3600000"}});
  }

  // Whether migration 002 found pgvector (a server built with it: the
  // harness's PostgreSQL has the extension); then PostgreSQL finds nearest
  // neighbours and no index is loaded in memory.
  bool pgvector_storage() {
    return value("SELECT value FROM cscx.settings WHERE key = 'embedding_storage'") == "pgvector";
  }

  TestDatabase db_;
  db::Connection admin_ = db_.connect();
  TempDir home_;
  auth::ApiKeys keys_ = auth::api_keys(kSecret);
  std::unique_ptr<ServerProcess> server_;

 private:
  static bool has_content_type(const http::testing::HeaderList& headers) {
    for (const auto& [name, value] : headers) {
      if (name.size() == 12 && strncasecmp(name.data(), "content-type", 12) == 0) return true;
    }
    return false;
  }
};

}  // namespace cscx::testing
