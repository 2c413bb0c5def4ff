// The secure request path over HTTP: the token decides the role, RLS
// decides the rows, refused tokens never reach SQL, and the server
// survives concurrency, a PostgreSQL restart and SIGTERM.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <iostream>
#include <map>
#include <thread>

#include "api/server_process.h"
#include "auth/jwt.h"
#include "auth/keys.h"
#include "http/test_client.h"
#include "schema/tenant_fixture.h"
#include "support/run_cscx.h"
#include "support/test_database.h"

namespace cscx::testing {
namespace {
namespace json = boost::json;
using http::testing::HeaderList;
using http::testing::TestClient;

constexpr const char* kSecret = "request-path-secret-request-path-secret-42";

std::string user_token(char tenant, std::int64_t exp_offset = 3600,
                       std::string role = "authenticated") {
  const std::int64_t now = time(nullptr);
  return auth::sign_jwt({{"sub", tenant_id(tenant, kUser)},
                         {"role", role},
                         {"aud", "authenticated"},
                         {"iat", now},
                         {"exp", now + exp_offset}},
                        kSecret);
}

struct Reply {
  unsigned status = 0;
  std::string body;
};

Reply get(uint16_t port, const std::string& target, const HeaderList& headers) {
  TestClient client(port);
  auto r = client.request("GET", target, headers);
  if (!r) return {};
  return {static_cast<unsigned>(r->result_int()), r->body()};
}

std::vector<std::string> ids(const std::string& body) {
  std::vector<std::string> out;
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec || !v.is_array()) return {"<not an array: " + body + ">"};
  for (const auto& row : v.as_array()) out.emplace_back(row.at("id").as_string());
  return out;
}

class RequestPath : public ::testing::Test {
 protected:
  void SetUp() override { load_two_tenants(admin_); }

  std::map<std::string, std::string> env() {
    return {{"DATABASE_URL", db_.url()},
            {"CSCX_API_DATABASE_URL", db_.url_as("authenticator")},
            {"CSCX_JWT_SECRET", kSecret},
            {"CSCX_HOME", home_.path()},
            {"CSCX_THREADS", "2"}};
  }

  TestDatabase db_;
  db::Connection admin_ = db_.connect();
  TempDir home_;
};

TEST_F(RequestPath, EachCsmSeesOnlyTheirCustomers) {
  ServerProcess server({}, env());
  const auto keys = auth::api_keys(kSecret);
  for (char t : {'a', 'b'}) {
    Reply r = get(server.port(), "/api/customers",
                  {{"apikey", keys.anon}, {"Authorization", "Bearer " + user_token(t)}});
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(ids(r.body), std::vector<std::string>{tenant_id(t, kCustomer)});
  }
  EXPECT_EQ(ids(get(server.port(), "/api/customers", {{"apikey", keys.anon}}).body),
            std::vector<std::string>{});
  EXPECT_EQ(
      ids(get(server.port(), "/api/customers", {{"apikey", keys.service_role}}).body)
          .size(),
      2u);
}

TEST_F(RequestPath, RefusedTokensAre401) {
  ServerProcess server({}, env());
  const auto keys = auth::api_keys(kSecret);
  const std::string payload = auth::base64url_encode(
      R"({"sub":"a0000000-0000-0000-0000-000000000001","role":"service_role","exp":4102444800})");
  const std::string none_token =
      auth::base64url_encode(R"({"alg":"none","typ":"JWT"})") + "." + payload + ".";
  const std::string other_secret =
      auth::sign_jwt({{"role", "service_role"}, {"exp", 4102444800}},
                     "some-other-secret-some-other-secret-xx");
  for (const HeaderList& headers :
       {HeaderList{}, HeaderList{{"apikey", none_token}},
        HeaderList{{"apikey", keys.anon}, {"Authorization", "Bearer " + none_token}},
        HeaderList{{"apikey", other_secret}},
        HeaderList{{"apikey", keys.anon},
                   {"Authorization", "Bearer " + user_token('a', -10)}},
        HeaderList{{"apikey", keys.anon},
                   {"Authorization", "Bearer " + user_token('a', 3600, "postgres")}},
        HeaderList{{"apikey", keys.anon}, {"Authorization", "Bearer not.a.jwt"}},
        HeaderList{{"apikey", keys.anon},
                   {"Authorization", "Bearer " + std::string(9000, 'a')}}}) {
    Reply r = get(server.port(), "/api/customers", headers);
    EXPECT_EQ(r.status, 401u) << r.body;
    EXPECT_NE(r.body.find("\"code\""), std::string::npos) << r.body;
  }
  Reply metrics = get(server.port(), "/metrics", {});
  EXPECT_NE(metrics.body.find("cscx_auth_failures_total 8"), std::string::npos)
      << metrics.body;
}

TEST_F(RequestPath, OnlyConfiguredOriginsGetCorsHeaders) {
  auto e = env();
  e["CSCX_ALLOWED_ORIGINS"] = "https://app.example, https://admin.example";
  ServerProcess server({}, e);
  for (const auto& [origin, allowed] : std::vector<std::pair<std::string, bool>>{
           {"https://app.example", true}, {"https://evil.example", false}}) {
    TestClient client(server.port());
    auto r =
        client.request("OPTIONS", "/api/customers",
                       {{"Origin", origin},
                        {"Access-Control-Request-Method", "GET"},
                        {"Access-Control-Request-Headers", "authorization, apikey"}});
    ASSERT_TRUE(r);
    const auto it = r->find("Access-Control-Allow-Origin");
    if (allowed) {
      ASSERT_NE(it, r->end()) << origin;
      EXPECT_EQ(it->value(), origin);
    } else {
      EXPECT_EQ(it, r->end()) << origin;
    }
  }
}

TEST_F(RequestPath, ManyConcurrentClientsEachGetTheirOwnRows) {
  ServerProcess server({}, env());
  const auto keys = auth::api_keys(kSecret);
  std::atomic<int> right{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 16; ++c) {
    clients.emplace_back([&, c] {
      const char t = c % 2 ? 'a' : 'b';
      const HeaderList h = {{"apikey", keys.anon},
                            {"Authorization", "Bearer " + user_token(t)}};
      TestClient client(server.port());
      for (int i = 0; i < 20; ++i) {
        auto r = client.request("GET", "/api/customers", h);
        if (r && r->result_int() == 200 &&
            ids(r->body()) == std::vector<std::string>{tenant_id(t, kCustomer)}) {
          ++right;
        }
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(right.load(), 16 * 20);
}

// The access log is written in batches (src/http/log_sink.cpp): a SIGTERM
// right after the last response must still leave one whole JSON line per
// request.
TEST_F(RequestPath, SigtermLeavesOneWholeAccessLinePerRequest) {
  TempDir logs;
  const std::string log_path = logs.path() + "/stderr";
  ServerProcess server({}, env(), log_path);
  const HeaderList key = {{"apikey", auth::api_keys(kSecret).service_role}};
  constexpr int kClients = 4;
  constexpr int kRequests = 50;
  std::atomic<int> answered{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      TestClient client(server.port());
      for (int i = 0; i < kRequests; ++i) {
        HeaderList h = key;
        h.emplace_back("X-Request-Id", "drain-" + std::to_string(c) + "-" + std::to_string(i));
        auto r = client.request("GET", "/api/customers", h);
        if (r && r->result_int() == 200) ++answered;
      }
    });
  }
  for (auto& t : clients) t.join();
  ASSERT_EQ(answered.load(), kClients * kRequests);
  EXPECT_EQ(server.stop(SIGTERM), 0);

  std::map<std::string, int> seen;
  std::ifstream in(log_path);
  for (std::string line; std::getline(in, line);) {
    boost::system::error_code ec;
    json::value v = json::parse(line, ec);
    if (ec || !v.is_object()) continue;  // not every stderr line is the access log's
    const auto* id = v.as_object().if_contains("request_id");
    if (id && id->is_string() && id->as_string().starts_with("drain-")) {
      ++seen[std::string(id->as_string())];
      EXPECT_EQ(v.as_object().at("status").to_number<int>(), 200) << line;
    }
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kClients * kRequests));
  for (const auto& [id, count] : seen) EXPECT_EQ(count, 1) << id;
}

TEST(RequestPathEmbedded, SurvivesAPostgresRestartAndDrainsOnSigterm) {
  TempDir dir;
  const std::string home = dir.path() + "/home";
  ServerProcess server({"--home", home}, {{"CSCX_JWT_SECRET", kSecret}});
  const auto keys = auth::api_keys(kSecret);
  const HeaderList h = {{"apikey", keys.service_role}};
  ASSERT_EQ(get(server.port(), "/api/customers", h).status, 200u);
  // PostgreSQL goes away under the running server...
  ASSERT_EQ(run_cscx({"db", "stop", "--home", home}).exit_code, 0);
  Reply down = get(server.port(), "/api/customers", h);
  EXPECT_EQ(down.status, 503u) << down.body;
  Reply rest_down = get(server.port(), "/rest/v1/customers?select=id", h);
  EXPECT_EQ(rest_down.status, 503u) << rest_down.body;
  EXPECT_NE(rest_down.body.find("\"PGRST000\""), std::string::npos) << rest_down.body;
  EXPECT_EQ(get(server.port(), "/ready", {}).status, 503u);
  EXPECT_EQ(get(server.port(), "/health", {}).status, 200u);
  // ...and comes back: the pool reconnects, nothing was restarted.
  ASSERT_EQ(run_cscx({"db", "start", "--home", home}).exit_code, 0);
  Reply up = get(server.port(), "/api/customers", h);
  EXPECT_EQ(up.status, 200u) << up.body;
  Reply rest_up = get(server.port(), "/rest/v1/customers?select=id", h);
  EXPECT_EQ(rest_up.status, 200u) << rest_up.body;
  EXPECT_EQ(server.stop(SIGTERM), 0);
  (void)run_cscx({"db", "stop", "--home", home});
}

TEST(RequestPathEmbedded, PostgresKilledUnderLoadCostsOnly503s) {
  TempDir dir;
  const std::string home = dir.path() + "/home";
  ServerProcess server({"--home", home}, {{"CSCX_JWT_SECRET", kSecret}});
  const HeaderList h = {{"apikey", auth::api_keys(kSecret).service_role}};
  std::atomic<bool> running{true};
  std::atomic<int> ok_count{0}, unavailable{0}, other{0};
  std::vector<std::thread> clients;
  for (int c = 0; c < 8; ++c) {
    clients.emplace_back([&] {
      while (running) {
        Reply r = get(server.port(), "/api/customers", h);
        if (r.status == 200) {
          ++ok_count;
        } else if (r.status == 503) {
          ++unavailable;
        } else {
          ++other;
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  // A crash, not a shutdown: SIGKILL the postmaster under load.
  std::ifstream pid_file(home + "/cluster/pgdata/postmaster.pid");
  pid_t postmaster = 0;
  pid_file >> postmaster;
  ASSERT_GT(postmaster, 0);
  ASSERT_EQ(kill(postmaster, SIGKILL), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  // Restart it (stale postmaster.pid and all) while the clients keep going.
  CommandResult restarted;
  for (int i = 0; i < 20; ++i) {
    restarted = run_cscx({"db", "start", "--home", home});
    if (restarted.exit_code == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  ASSERT_EQ(restarted.exit_code, 0) << restarted.err;
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  running = false;
  for (auto& t : clients) t.join();
  std::cout << "under load: " << ok_count << " x 200, " << unavailable << " x 503, "
            << other << " other\n";
  EXPECT_GT(ok_count.load(), 0);
  EXPECT_EQ(other.load(), 0) << "answers other than 200 and 503 (or lost connections)";
  EXPECT_EQ(get(server.port(), "/api/customers", h).status, 200u);
  EXPECT_EQ(server.stop(SIGTERM), 0);
  (void)run_cscx({"db", "stop", "--home", home});
}

}  // namespace
}  // namespace cscx::testing
