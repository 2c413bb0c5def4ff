// authenticate(): the API key and bearer token of a request, verified, and
// the verified-token cache behind it (a remembered token must be refused
// exactly when verify_jwt() would refuse it).
#include "auth/principal.h"

#include <gtest/gtest.h>

#include "auth/jwt.h"
#include "auth/token_fixture.h"

namespace cscx::auth {
namespace {

using testing::claims;
using testing::kNow;
using testing::kSecret;
using testing::kUser;

http::Request request_with(std::string apikey, std::string bearer) {
  http::Request r;
  r.method = "GET";
  r.path = "/api/customers";
  if (!apikey.empty()) r.headers.emplace_back("apikey", std::move(apikey));
  if (!bearer.empty()) r.headers.emplace_back("authorization", "Bearer " + bearer);
  return r;
}

const std::string kAnon = sign_jwt(claims("anon", kNow + 86400), kSecret);

TEST(Authenticate, TheBearerTokenDecidesTheRoleAndGivesTheClaims) {
  const std::string user = sign_jwt(claims("authenticated", kNow + 3600), kSecret);
  for (int round = 0; round < 2; ++round) {  // the second answer comes from the cache
    auto p = authenticate(request_with(kAnon, user), kSecret, kNow);
    ASSERT_TRUE(p) << p.error().to_string();
    EXPECT_EQ((*p)->token.role, "authenticated");
    EXPECT_EQ((*p)->token.subject, kUser);
    EXPECT_NE((*p)->claims_json.find(kUser), std::string::npos) << (*p)->claims_json;
  }
  auto anon = authenticate(request_with(kAnon, ""), kSecret, kNow);
  ASSERT_TRUE(anon);
  EXPECT_EQ((*anon)->token.role, "anon");
}

TEST(Authenticate, ARememberedTokenIsRefusedOnceItExpires) {
  const std::string user = sign_jwt(claims("authenticated", kNow + 60), kSecret);
  ASSERT_TRUE(authenticate(request_with(kAnon, user), kSecret, kNow));
  auto late = authenticate(request_with(kAnon, user), kSecret, kNow + 60);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, Code::kUnauthenticated);
  EXPECT_EQ(late.error().reason, kTokenExpired);
}

TEST(Authenticate, ARememberedTokenIsNotValidUnderAnotherSecret) {
  const std::string user = sign_jwt(claims("authenticated", kNow + 3600), kSecret);
  ASSERT_TRUE(authenticate(request_with(kAnon, user), kSecret, kNow));
  auto other = authenticate(request_with("", user),
                            "another-secret-that-is-long-enough-0123456789", kNow);
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().message.find("invalid token signature"), std::string::npos);
}

TEST(Authenticate, ATokenThatDiffersFromARememberedOneIsVerifiedAfresh) {
  const std::string user = sign_jwt(claims("authenticated", kNow + 3600), kSecret);
  ASSERT_TRUE(authenticate(request_with(kAnon, user), kSecret, kNow));
  std::string forged = user;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';  // another signature
  auto r = authenticate(request_with(kAnon, forged), kSecret, kNow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, Code::kUnauthenticated);
  auto prefix = authenticate(request_with(kAnon, user.substr(0, user.size() - 1)), kSecret,
                             kNow);
  EXPECT_FALSE(prefix);
}

TEST(Authenticate, ABadApiKeyIsRefusedEvenWithAGoodBearerToken) {
  const std::string user = sign_jwt(claims("authenticated", kNow + 3600), kSecret);
  ASSERT_TRUE(authenticate(request_with(kAnon, user), kSecret, kNow));
  auto r = authenticate(request_with("not-a-jwt", user), kSecret, kNow);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("Invalid API key"), std::string::npos);
  auto none = authenticate(request_with("", ""), kSecret, kNow);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().reason, "no_authorization");
}

}  // namespace
}  // namespace cscx::auth
