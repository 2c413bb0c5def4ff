// /auth/v1 over HTTP against a running `cscx serve` on a real database:
// the flows supabase-js uses and each refusal, in GoTrue's wire format.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <map>
#include <optional>
#include <string>

#include "api/server_process.h"
#include "auth/jwt.h"
#include "auth/keys.h"
#include "http/test_client.h"
#include "support/run_cscx.h"
#include "support/test_database.h"

namespace cscx::testing {
namespace {
namespace json = boost::json;
using http::testing::HeaderList;
using http::testing::TestClient;

constexpr const char* kSecret = "api-test-secret-api-test-secret-0123456789";

// One `cscx serve` for the whole suite, on its own migrated database.
class AuthApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    db_ = new TestDatabase();
    home_ = new TempDir();
    server_ =
        new ServerProcess({}, {{"DATABASE_URL", db_->url()},
                               {"CSCX_API_DATABASE_URL", db_->url_as("authenticator")},
                               {"CSCX_JWT_SECRET", kSecret},
                               {"CSCX_HOME", home_->path()},
                               {"CSCX_THREADS", "2"}});
    port_ = server_->port();
    anon_key_ = auth::api_keys(kSecret).anon;
  }

  static void TearDownTestSuite() {
    delete server_;
    delete home_;
    delete db_;
  }

  struct Reply {
    unsigned status = 0;
    json::value body;
    std::string raw;
    std::string header(const std::string& name) const {
      return headers.count(name) ? headers.at(name) : "";
    }
    std::map<std::string, std::string> headers;
  };

  static Reply call(std::string_view method, std::string_view target,
                    const std::string& body = "", HeaderList headers = {},
                    bool with_key = true) {
    TestClient client(port_);
    if (with_key) headers.emplace_back("apikey", anon_key_);
    if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
    auto r = client.request(method, target, headers, body);
    Reply out;
    if (!r) return out;
    out.status = r->result_int();
    out.raw = r->body();
    for (const auto& f : *r)
      out.headers[std::string(f.name_string())] = std::string(f.value());
    boost::system::error_code ec;
    out.body = json::parse(out.raw, ec);
    return out;
  }

  static json::object sign_up(const std::string& email,
                              const std::string& password = "s3cret-pw") {
    Reply r = call("POST", "/auth/v1/signup",
                   R"({"email":")" + email + R"(","password":")" + password + R"("})");
    EXPECT_EQ(r.status, 200u) << r.raw;
    return r.body.is_object() ? r.body.as_object() : json::object{};
  }

  static HeaderList bearer(const json::object& session) {
    return {{"Authorization",
             "Bearer " + std::string(session.at("access_token").as_string())}};
  }

  static inline TestDatabase* db_ = nullptr;
  static inline TempDir* home_ = nullptr;
  static inline ServerProcess* server_ = nullptr;
  static inline uint16_t port_ = 0;
  static inline std::string anon_key_;
};

TEST_F(AuthApi, HealthAndReadyAnswer) {
  EXPECT_EQ(call("GET", "/health", "", {}, false).status, 200u);
  Reply ready = call("GET", "/ready", "", {}, false);
  EXPECT_EQ(ready.status, 200u) << ready.raw;
}

TEST_F(AuthApi, SignUpThenSignInGiveSessionsWhoseTokensVerify) {
  json::object session = sign_up("api-alice@example.com");
  ASSERT_TRUE(session.contains("access_token"));
  EXPECT_EQ(session.at("user").at("email").as_string(), "api-alice@example.com");
  Reply in = call("POST", "/auth/v1/token?grant_type=password",
                  R"({"email":"api-alice@example.com","password":"s3cret-pw"})");
  ASSERT_EQ(in.status, 200u) << in.raw;
  auto token =
      auth::verify_jwt(in.body.at("access_token").as_string(), kSecret, time(nullptr));
  ASSERT_TRUE(token) << token.error().to_string();
  EXPECT_EQ(token->role, "authenticated");
  EXPECT_EQ(token->claims.at("aud").as_string(), "authenticated");
}

TEST_F(AuthApi, WrongPasswordIsInvalidCredentialsInBothErrorFormats) {
  sign_up("api-bob@example.com");
  const std::string body = R"({"email":"api-bob@example.com","password":"nope-nope"})";
  Reply old_format = call("POST", "/auth/v1/token?grant_type=password", body);
  EXPECT_EQ(old_format.status, 400u);
  EXPECT_EQ(old_format.body.at("error_code").as_string(), "invalid_credentials")
      << old_format.raw;
  EXPECT_EQ(old_format.body.at("code").as_int64(), 400);
  Reply new_format = call("POST", "/auth/v1/token?grant_type=password", body,
                          {{"X-Supabase-Api-Version", "2024-01-01"}});
  EXPECT_EQ(new_format.status, 400u);
  EXPECT_EQ(new_format.body.at("code").as_string(), "invalid_credentials")
      << new_format.raw;
  EXPECT_EQ(new_format.header("X-Supabase-Api-Version"), "2024-01-01");
}

TEST_F(AuthApi, SignUpRefusals) {
  sign_up("api-carol@example.com");
  Reply taken = call("POST", "/auth/v1/signup",
                     R"({"email":"API-Carol@example.com","password":"s3cret-pw"})");
  EXPECT_EQ(taken.status, 422u);
  EXPECT_EQ(taken.body.at("error_code").as_string(), "user_already_exists") << taken.raw;
  Reply weak = call("POST", "/auth/v1/signup",
                    R"({"email":"api-dan@example.com","password":"123"})");
  EXPECT_EQ(weak.status, 422u);
  EXPECT_EQ(weak.body.at("weak_password").at("reasons").at(0).as_string(), "length")
      << weak.raw;
  EXPECT_EQ(call("POST", "/auth/v1/signup", "{not json").status, 400u);
  EXPECT_EQ(call("POST", "/auth/v1/signup", R"({"email":"x@y.io","password":"abcdefg"})",
                 {}, false)
                .status,
            401u);
  Reply forged =
      call("POST", "/auth/v1/signup", R"({"email":"x@y.io","password":"abcdefg"})",
           {{"apikey", "eyJhbGciOiJub25lIn0.eyJyb2xlIjoiYW5vbiJ9."}}, false);
  EXPECT_EQ(forged.status, 403u) << forged.raw;
}

TEST_F(AuthApi, UserEndpointNeedsAValidUserToken) {
  json::object session = sign_up("api-erin@example.com");
  Reply me = call("GET", "/auth/v1/user", "", bearer(session));
  ASSERT_EQ(me.status, 200u) << me.raw;
  EXPECT_EQ(me.body.at("email").as_string(), "api-erin@example.com");
  Reply none = call("GET", "/auth/v1/user");
  EXPECT_EQ(none.status, 401u);
  EXPECT_EQ(none.body.at("error_code").as_string(), "no_authorization");
  std::string tampered(session.at("access_token").as_string());
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  Reply bad = call("GET", "/auth/v1/user", "", {{"Authorization", "Bearer " + tampered}});
  EXPECT_EQ(bad.status, 403u);
  EXPECT_EQ(bad.body.at("error_code").as_string(), "bad_jwt");
  Reply anon_as_user =
      call("GET", "/auth/v1/user", "", {{"Authorization", "Bearer " + anon_key_}});
  EXPECT_EQ(anon_as_user.status, 403u) << anon_as_user.raw;
}

TEST_F(AuthApi, PutUserMergesMetadata) {
  json::object session = sign_up("api-frank@example.com");
  Reply put = call("PUT", "/auth/v1/user", R"({"data":{"team":"emea","x":null}})",
                   bearer(session));
  ASSERT_EQ(put.status, 200u) << put.raw;
  EXPECT_EQ(put.body.at("user_metadata").at("team").as_string(), "emea");
}

TEST_F(AuthApi, RefreshRotatesAndReuseRevokesTheSession) {
  json::object session = sign_up("api-grace@example.com");
  const std::string first(session.at("refresh_token").as_string());
  Reply rotated = call("POST", "/auth/v1/token?grant_type=refresh_token",
                       R"({"refresh_token":")" + first + R"("})");
  ASSERT_EQ(rotated.status, 200u) << rotated.raw;
  EXPECT_NE(rotated.body.at("refresh_token").as_string(), first);
  Reply reused = call("POST", "/auth/v1/token?grant_type=refresh_token",
                      R"({"refresh_token":")" + first + R"("})");
  EXPECT_EQ(reused.status, 400u);
  EXPECT_EQ(reused.body.at("error_code").as_string(), "refresh_token_already_used")
      << reused.raw;
  Reply after = call("GET", "/auth/v1/user", "", bearer(rotated.body.as_object()));
  EXPECT_EQ(after.status, 403u);
  EXPECT_EQ(after.body.at("error_code").as_string(), "session_not_found");
  EXPECT_EQ(call("POST", "/auth/v1/token?grant_type=magic", "{}").status, 400u);
}

TEST_F(AuthApi, LogoutEndsTheSession) {
  json::object session = sign_up("api-heidi@example.com");
  Reply out = call("POST", "/auth/v1/logout?scope=global", "", bearer(session));
  EXPECT_EQ(out.status, 204u) << out.raw;
  Reply me = call("GET", "/auth/v1/user", "", bearer(session));
  EXPECT_EQ(me.status, 403u);
  EXPECT_EQ(me.body.at("error_code").as_string(), "session_not_found");
}

TEST_F(AuthApi, RepeatedFailedSignInsAreLimited) {
  sign_up("api-ivan@example.com");
  unsigned last = 0;
  for (int i = 0; i < 11; ++i) {
    last = call("POST", "/auth/v1/token?grant_type=password",
                R"({"email":"api-ivan@example.com","password":"wrong-wrong"})")
               .status;
  }
  EXPECT_EQ(last, 429u);
}

}  // namespace
}  // namespace cscx::testing
