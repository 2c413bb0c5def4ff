#include "auth/jwt.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "auth/token_fixture.h"

namespace cscx::auth {
namespace {

using testing::kNow;
using testing::kSecret;
using testing::kUser;

boost::json::object user_claims() {
  boost::json::object c = testing::claims("authenticated", kNow + 3600);
  c["email"] = "a@example.com";
  c["session_id"] = "s-1";
  return c;
}

void expect_refused(const Result<VerifiedToken>& r, std::string_view why) {
  ASSERT_FALSE(r) << "accepted a token that should be refused: " << why;
  EXPECT_EQ(r.error().code, Code::kUnauthenticated);
  EXPECT_NE(r.error().message.find(why), std::string::npos) << r.error().message;
}

TEST(Jwt, AcceptsAValidUserToken) {
  auto r = verify_jwt(sign_jwt(user_claims(), kSecret), kSecret, kNow);
  ASSERT_TRUE(r) << r.error().to_string();
  EXPECT_EQ(r->role, "authenticated");
  EXPECT_EQ(r->subject, kUser);
  EXPECT_EQ(r->claims.at("email").as_string(), "a@example.com");
}

TEST(Jwt, RefusesAWrongSignature) {
  expect_refused(
      verify_jwt(sign_jwt(user_claims(), "another-secret-that-is-long-enough-xx"),
                 kSecret, kNow),
      "invalid token signature");
}

TEST(Jwt, RefusesATamperedPayload) {
  std::string token = sign_jwt(user_claims(), kSecret);
  auto other = user_claims();
  other["role"] = "service_role";
  std::string forged = sign_jwt(other, kSecret);
  // Header and signature of the real token, payload of the other one.
  const size_t d1 = token.find('.'), d2 = token.rfind('.');
  const size_t f1 = forged.find('.'), f2 = forged.rfind('.');
  std::string spliced =
      token.substr(0, d1 + 1) + forged.substr(f1 + 1, f2 - f1 - 1) + token.substr(d2);
  expect_refused(verify_jwt(spliced, kSecret, kNow), "invalid token signature");
}

TEST(Jwt, RefusesAlgNoneAndEveryOtherAlgorithm) {
  const std::string payload = base64url_encode(boost::json::serialize(user_claims()));
  for (const char* header :
       {R"({"alg":"none","typ":"JWT"})", R"({"alg":"HS512"})", R"({"alg":"RS256"})",
        R"({"alg":"hs256"})", R"({"typ":"JWT"})"}) {
    const std::string unsigned_token = base64url_encode(header) + "." + payload + ".";
    expect_refused(verify_jwt(unsigned_token, kSecret, kNow), "algorithm");
  }
}

TEST(Jwt, RefusesExpiredAndNotYetValidTokens) {
  auto expired = user_claims();
  expired["exp"] = kNow;
  expect_refused(verify_jwt(sign_jwt(expired, kSecret), kSecret, kNow), "expired");
  auto early = user_claims();
  early["nbf"] = kNow + 60;
  expect_refused(verify_jwt(sign_jwt(early, kSecret), kSecret, kNow), "not valid yet");
  auto no_exp = user_claims();
  no_exp.erase("exp");
  expect_refused(verify_jwt(sign_jwt(no_exp, kSecret), kSecret, kNow), "no expiry");
}

TEST(Jwt, RefusesWrongAudienceForAuthenticated) {
  auto claims = user_claims();
  claims["aud"] = "somebody-else";
  expect_refused(verify_jwt(sign_jwt(claims, kSecret), kSecret, kNow), "audience");
  claims["aud"] = boost::json::array{"x", "authenticated"};
  EXPECT_TRUE(verify_jwt(sign_jwt(claims, kSecret), kSecret, kNow));
}

TEST(Jwt, RefusesRolesOutsideTheThreeRequestRoles) {
  for (const char* role : {"postgres", "authenticator", "supabase_admin", ""}) {
    auto claims = user_claims();
    claims["role"] = role;
    expect_refused(verify_jwt(sign_jwt(claims, kSecret), kSecret, kNow), "role");
  }
  auto claims = user_claims();
  claims.erase("role");
  expect_refused(verify_jwt(sign_jwt(claims, kSecret), kSecret, kNow), "no role");
}

TEST(Jwt, RefusesASubjectThatIsNotAUserId) {
  auto claims = user_claims();
  claims["sub"] = "'; DROP TABLE customers; --";
  expect_refused(verify_jwt(sign_jwt(claims, kSecret), kSecret, kNow), "not a user id");
}

TEST(Jwt, RefusesMalformedTokens) {
  const std::string good = sign_jwt(user_claims(), kSecret);
  expect_refused(verify_jwt("", kSecret, kNow), "missing token");
  expect_refused(verify_jwt("abc", kSecret, kNow), "three");
  expect_refused(verify_jwt("a.b.c.d", kSecret, kNow), "three");
  expect_refused(verify_jwt("!!!." + good.substr(good.find('.') + 1), kSecret, kNow),
                 "base64url");
  expect_refused(verify_jwt(base64url_encode("[1,2]") + ".e30.sig", kSecret, kNow),
                 "JSON object");
  expect_refused(verify_jwt(base64url_encode("{not json") + ".e30.sig", kSecret, kNow),
                 "JSON object");
  expect_refused(verify_jwt(std::string(kMaxTokenBytes + 1, 'a'), kSecret, kNow),
                 "too large");
}

TEST(Base64Url, RoundTripsEveryLength) {
  std::string bytes;
  for (int n = 0; n < 40; ++n) {
    auto decoded = base64url_decode(base64url_encode(bytes));
    ASSERT_TRUE(decoded);
    EXPECT_EQ(*decoded, bytes);
    bytes.push_back(static_cast<char>(n * 37));
  }
}

TEST(Base64Url, RefusesPaddingAndForeignCharacters) {
  EXPECT_FALSE(base64url_decode("YQ=="));
  EXPECT_FALSE(base64url_decode("a+b/"));
  EXPECT_FALSE(base64url_decode("Y"));
  EXPECT_FALSE(base64url_decode("YR"));  // non-zero leftover bits
}

}  // namespace
}  // namespace cscx::auth
