// The secret, clock and claims the auth unit tests sign tokens with, so
// jwt_test and principal_test describe the same tokens the same way.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string_view>

namespace cscx::auth::testing {

inline constexpr std::string_view kSecret =
    "super-secret-jwt-token-with-at-least-32-characters-long";
inline constexpr std::int64_t kNow = 1'800'000'000;  // the tests' "now"
inline constexpr const char* kUser = "a0000000-0000-0000-0000-000000000001";

// Claims of a token for `role` issued at kNow and expiring at `exp`; an
// `authenticated` token is kUser's (sub) for the audience `authenticated`.
inline boost::json::object claims(std::string_view role, std::int64_t exp) {
  boost::json::object c{{"role", role}, {"exp", exp}, {"iat", kNow}};
  if (role == "authenticated") {
    c["sub"] = kUser;
    c["aud"] = "authenticated";
  }
  return c;
}

}  // namespace cscx::auth::testing
