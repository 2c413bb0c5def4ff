#include "auth/keys.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "auth/jwt.h"
#include "support/run_cscx.h"

namespace cscx::auth {
namespace {
namespace fs = std::filesystem;

class JwtSecret : public ::testing::Test {
 protected:
  void SetUp() override { unsetenv("CSCX_JWT_SECRET"); }
  void TearDown() override { unsetenv("CSCX_JWT_SECRET"); }
  cscx::testing::TempDir dir_;
};

TEST_F(JwtSecret, IsGeneratedOnceWithMode0600) {
  auto first = load_jwt_secret(dir_.path());
  ASSERT_TRUE(first) << first.error().to_string();
  EXPECT_GE(first->size(), kMinSecretLength);
  struct stat st {};
  ASSERT_EQ(stat((fs::path(dir_.path()) / "jwt_secret").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(load_jwt_secret(dir_.path()).value(), *first);
}

TEST_F(JwtSecret, EnvironmentWinsAndMustBeLongEnough) {
  setenv("CSCX_JWT_SECRET", "short", 1);
  auto refused = load_jwt_secret(dir_.path());
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message.find("too short"), std::string::npos);
  setenv("CSCX_JWT_SECRET", "0123456789abcdef0123456789abcdef", 1);
  EXPECT_EQ(load_jwt_secret(dir_.path()).value(), "0123456789abcdef0123456789abcdef");
}

TEST_F(JwtSecret, RefusesASecretFileOthersCanRead) {
  ASSERT_TRUE(load_jwt_secret(dir_.path()));
  chmod((fs::path(dir_.path()) / "jwt_secret").c_str(), 0644);
  auto r = load_jwt_secret(dir_.path());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("chmod 600"), std::string::npos);
}

TEST(ApiKeys, AreValidLongLivedTokensForTheirRoles) {
  const std::string secret = "0123456789abcdef0123456789abcdef";
  ApiKeys keys = api_keys(secret);
  auto anon = verify_jwt(keys.anon, secret, 1'900'000'000);
  ASSERT_TRUE(anon);
  EXPECT_EQ(anon->role, "anon");
  auto service = verify_jwt(keys.service_role, secret, 1'900'000'000);
  ASSERT_TRUE(service);
  EXPECT_EQ(service->role, "service_role");
  EXPECT_EQ(api_keys(secret).anon, keys.anon) << "keys must be stable";
}

TEST(KeysCommand, PrintsBothKeysOnePerLineOrAsJson) {
  cscx::testing::TempDir home;
  auto r = cscx::testing::run_cscx({"keys", "--home", home.path()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("anon_key=", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\nservice_role_key="), std::string::npos) << r.out;
  auto j = cscx::testing::run_cscx({"keys", "--json", "--home", home.path()});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  EXPECT_NE(j.out.find("\"service_role_key\":\""), std::string::npos) << j.out;
  auto short_secret = cscx::testing::run_cscx({"keys", "--home", home.path()},
                                              {{"CSCX_JWT_SECRET", "tooshort"}});
  EXPECT_EQ(short_secret.exit_code, 1);
}

}  // namespace
}  // namespace cscx::auth
