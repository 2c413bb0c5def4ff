// Who is asking: the API key and bearer token of a request, verified.
//
// As in Supabase: every request needs the `apikey` header or an
// `Authorization: Bearer` token; the bearer token, when present, decides
// the role; else the API key does. A present API key must itself be valid.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "auth/jwt.h"
#include "core/error.h"
#include "db/pool.h"
#include "http/request.h"

namespace cscx::auth {

struct Principal {
  VerifiedToken token;
  std::string claims_json;  // the payload, serialized, for request.jwt.claims
};

// kUnauthenticated with reason "no_authorization" when neither header is
// there, kTokenExpired when a token is refused only for its age, "bad_jwt"
// when a token is refused for anything else (the message says why).
// The principal is shared with the cache of verified tokens: a request
// holds it without copying the parsed claims (request_identity() copies
// their text into the identity the pool sends).
[[nodiscard]] Result<std::shared_ptr<const Principal>> authenticate(
    const http::Request& request, std::string_view secret, std::int64_t now);

// The database identity of an authenticated request: the token's role and
// claims, and the request facts the audit triggers read.
db::RequestIdentity request_identity(const Principal& principal,
                                     const http::Request& request);

// The bearer token of the Authorization header ("" when none).
std::string_view bearer_token(const http::Request& request);

std::int64_t unix_now();

}  // namespace cscx::auth
