// The account flows against a real database, through the pool, as the
// server runs them (logged in as `authenticator`).
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "auth/auth_service.h"
#include "support/test_database.h"

namespace cscx::auth {
namespace {
namespace asio = boost::asio;
namespace json = boost::json;

constexpr const char* kSecret = "test-secret-test-secret-test-secret-1234";

class AuthServiceTest : public ::testing::Test {
 protected:
  AuthServiceTest()
      : pool_(io_.get_executor(), pool_options()), service_(pool_, hashing_, {kSecret}) {}

  db::PoolOptions pool_options() {
    return db::PoolOptions{db_.url_as("authenticator"), 4, std::chrono::milliseconds(5000)};
  }

  template <class T>
  T run(asio::awaitable<T> task) {
    auto future = asio::co_spawn(io_, std::move(task), asio::use_future);
    io_.restart();
    io_.run();
    return future.get();
  }

  json::object sign_up(const std::string& email,
                       const std::string& password = "correct horse",
                       const std::string& data = "{}") {
    auto r = run(service_.sign_up(email, password, data, client_));
    if (!r) throw std::runtime_error(r.error().to_string());
    return json::parse(*r).as_object();
  }

  VerifiedToken token_of(const json::object& session) {
    auto v = verify_jwt(session.at("access_token").as_string(), kSecret, time(nullptr));
    if (!v) throw std::runtime_error(v.error().to_string());
    return *v;
  }

  static std::string reason(const Result<std::string>& r) {
    return r ? "(ok)" : r.error().reason;
  }

  cscx::testing::TestDatabase db_;
  db::Connection admin_ = db_.connect();
  asio::io_context io_;
  asio::thread_pool hashing_{2};
  db::Pool pool_;
  AuthService service_;
  Client client_{"198.51.100.1", "auth-test", "req"};
};

TEST_F(AuthServiceTest, SignUpReturnsASessionWithAValidAccessToken) {
  json::object session =
      sign_up("Alice@Example.com", "correct horse", R"({"name":"Alice"})");
  EXPECT_EQ(session.at("token_type").as_string(), "bearer");
  EXPECT_EQ(session.at("expires_in").as_int64(), 3600);
  const json::object& user = session.at("user").as_object();
  EXPECT_EQ(user.at("email").as_string(), "alice@example.com");
  EXPECT_EQ(user.at("aud").as_string(), "authenticated");
  EXPECT_EQ(user.at("user_metadata").at("name").as_string(), "Alice");
  EXPECT_EQ(user.at("app_metadata").at("provider").as_string(), "email");
  VerifiedToken token = token_of(session);
  EXPECT_EQ(token.role, "authenticated");
  EXPECT_EQ(token.subject, user.at("id").as_string());
  EXPECT_TRUE(token.claims.at("session_id").is_string());
  EXPECT_EQ(cscx::testing::query_value(
                admin_, "SELECT left(encrypted_password, 10) FROM auth.users"),
            "$argon2id$");
}

TEST_F(AuthServiceTest, SignUpRefusesATakenEmailAWeakPasswordAndABadEmail) {
  sign_up("bob@example.com");
  EXPECT_EQ(reason(run(service_.sign_up("BOB@example.com", "another pw", "{}", client_))),
            "user_already_exists");
  EXPECT_EQ(reason(run(service_.sign_up("carol@example.com", "12345", "{}", client_))),
            "weak_password");
  EXPECT_EQ(reason(run(service_.sign_up("not-an-email", "long enough", "{}", client_))),
            "validation_failed");
  EXPECT_EQ(cscx::testing::query_value(admin_, "SELECT count(*) FROM auth.users"), "1");
}

TEST_F(AuthServiceTest, SignInChecksThePassword) {
  sign_up("dave@example.com", "right password");
  auto good = run(service_.sign_in("Dave@example.com", "right password", client_));
  ASSERT_TRUE(good) << good.error().to_string();
  EXPECT_FALSE(json::parse(*good).at("user").at("last_sign_in_at").is_null());
  EXPECT_EQ(reason(run(service_.sign_in("dave@example.com", "wrong password", client_))),
            "invalid_credentials");
  EXPECT_EQ(
      reason(run(service_.sign_in("nobody@example.com", "right password", client_))),
      "invalid_credentials");
}

TEST_F(AuthServiceTest, RepeatedFailuresForOneEmailAreRateLimited) {
  sign_up("erin@example.com", "right password");
  for (int i = 0; i < 10; ++i) {
    Client from_many{"203.0.113." + std::to_string(i), "x", "r"};
    EXPECT_EQ(reason(run(service_.sign_in("erin@example.com", "wrong", from_many))),
              "invalid_credentials");
  }
  EXPECT_EQ(reason(run(service_.sign_in("erin@example.com", "right password", client_))),
            "over_request_rate_limit");
}

TEST_F(AuthServiceTest, RefreshRotatesTheTokenAndKeepsTheSession) {
  json::object first = sign_up("frank@example.com");
  const std::string old_token(first.at("refresh_token").as_string());
  auto second = run(service_.refresh(old_token, client_));
  ASSERT_TRUE(second) << second.error().to_string();
  json::object s2 = json::parse(*second).as_object();
  EXPECT_NE(s2.at("refresh_token").as_string(), old_token);
  EXPECT_EQ(token_of(s2).claims.at("session_id"),
            token_of(first).claims.at("session_id"));
  EXPECT_EQ(reason(run(service_.refresh("no-such-token", client_))),
            "refresh_token_not_found");
}

TEST_F(AuthServiceTest, ReusingARotatedRefreshTokenRevokesTheWholeSession) {
  json::object first = sign_up("grace@example.com");
  const std::string stolen(first.at("refresh_token").as_string());
  auto second = run(service_.refresh(stolen, client_));
  ASSERT_TRUE(second);
  const std::string current(json::parse(*second).at("refresh_token").as_string());
  EXPECT_EQ(reason(run(service_.refresh(stolen, client_))), "refresh_token_already_used");
  // The legitimate holder's newer token is dead too, and so is the access token.
  EXPECT_NE(reason(run(service_.refresh(current, client_))), "(ok)");
  EXPECT_EQ(reason(run(service_.get_user(token_of(first), client_))),
            "session_not_found");
}

TEST_F(AuthServiceTest, GetUserNeedsALiveSession) {
  json::object session = sign_up("heidi@example.com");
  VerifiedToken token = token_of(session);
  auto user = run(service_.get_user(token, client_));
  ASSERT_TRUE(user) << user.error().to_string();
  EXPECT_EQ(json::parse(*user).at("email").as_string(), "heidi@example.com");
  ASSERT_TRUE(run(service_.logout(token, "local", client_)));
  EXPECT_EQ(reason(run(service_.get_user(token, client_))), "session_not_found");
  EXPECT_EQ(reason(run(service_.refresh(
                std::string(session.at("refresh_token").as_string()), client_))),
            "refresh_token_not_found");
}

TEST_F(AuthServiceTest, LogoutOthersKeepsThisSession) {
  json::object one = sign_up("ivan@example.com", "right password");
  auto two = run(service_.sign_in("ivan@example.com", "right password", client_));
  ASSERT_TRUE(two);
  VerifiedToken t1 = token_of(one), t2 = token_of(json::parse(*two).as_object());
  ASSERT_TRUE(run(service_.logout(t2, "others", client_)));
  EXPECT_TRUE(run(service_.get_user(t2, client_)));
  EXPECT_EQ(reason(run(service_.get_user(t1, client_))), "session_not_found");
}

TEST_F(AuthServiceTest, UpdateUserMergesMetadataAndChangesThePassword) {
  json::object session = sign_up("judy@example.com", "old password", R"({"a":1,"b":2})");
  VerifiedToken token = token_of(session);
  auto updated =
      run(service_.update_user(token, std::nullopt, std::string("new password"),
                               std::string(R"({"b":null,"c":3})"), client_));
  ASSERT_TRUE(updated) << updated.error().to_string();
  EXPECT_EQ(json::serialize(json::parse(*updated).at("user_metadata")),
            R"({"a":1,"c":3})");
  EXPECT_EQ(reason(run(service_.sign_in("judy@example.com", "old password", client_))),
            "invalid_credentials");
  EXPECT_TRUE(run(service_.sign_in("judy@example.com", "new password", client_)));
}

TEST_F(AuthServiceTest, TheAccessTokenActsAsTheUserInTheDatabase) {
  json::object session = sign_up("kim@example.com");
  VerifiedToken token = token_of(session);
  db::RequestIdentity who{token.role, json::serialize(token.claims), "GET", "/", "", "",
                          ""};
  const db::Statement uid{"uid", "SELECT auth.uid()::text, current_user", {}};
  auto r = run(pool_.run_in_transaction(who, std::span(&uid, 1)));
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ((*r)[0].value(0, 0), token.subject);
  EXPECT_EQ((*r)[0].value(0, 1), "authenticated");
}

TEST_F(AuthServiceTest, TheAuthRoleCannotReadCustomerData) {
  db::RequestIdentity who{"cscx_auth", "{}", "GET", "/", "", "", ""};
  const db::Statement read{"read_customers", "SELECT count(*) FROM public.customers", {}};
  auto r = run(pool_.run_in_transaction(who, std::span(&read, 1)));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kPermissionDenied);
}

TEST(Email, PlausibilityCheck) {
  EXPECT_TRUE(is_plausible_email("a@example.com"));
  for (const char* bad : {"", "a", "a@", "@example.com", "a@b", "a@@example.com",
                          "a b@example.com", "a@example.", "a@.com"}) {
    EXPECT_FALSE(is_plausible_email(bad)) << bad;
  }
}

}  // namespace
}  // namespace cscx::auth
