// JSON Web Tokens as Supabase uses them: HS256 only, signed with the
// project's secret (its bytes, as given, are the HMAC key).
//
// verify_jwt() is the gate every request passes: it refuses anything but a
// well-formed, correctly signed, current HS256 token whose role is one of
// the three request roles. All refusals are Code::kUnauthenticated with a
// message safe to return to the client. Pure functions; thread-safe.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.h"

namespace cscx::auth {

// Tokens longer than this are refused before any decoding.
inline constexpr size_t kMaxTokenBytes = 8192;

// The claims of a verified token, and the fields the request path needs.
struct VerifiedToken {
  boost::json::object claims;  // the whole payload, for request.jwt.claims
  std::string role;            // anon | authenticated | service_role
  std::string subject;         // `sub`, empty when absent
  std::int64_t expires = 0;    // `exp`, seconds since the epoch
};

// Verifies `token` against `secret` at time `now` (seconds since the epoch).
// Every refusal is kUnauthenticated; a token refused only because its `exp`
// has passed carries the reason kTokenExpired (PostgREST answers it with its
// own code, PGRST303).
inline constexpr std::string_view kTokenExpired = "token_expired";
[[nodiscard]] Result<VerifiedToken> verify_jwt(std::string_view token,
                                               std::string_view secret, std::int64_t now);

// Signs `claims` as an HS256 JWT.
std::string sign_jwt(const boost::json::object& claims, std::string_view secret);

// base64url without padding, as JWTs use it. decode refuses padding and any
// character outside the alphabet.
std::string base64url_encode(std::string_view bytes);
[[nodiscard]] Result<std::string> base64url_decode(std::string_view text);

}  // namespace cscx::auth
