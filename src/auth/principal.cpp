#include "auth/principal.h"

#include <boost/json/serialize.hpp>
#include <cctype>
#include <chrono>

namespace cscx::auth {

std::int64_t unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string_view bearer_token(const http::Request& request) {
  auto header = request.header("authorization");
  if (!header) return {};
  std::string_view value = *header;
  constexpr std::string_view kScheme = "bearer ";
  if (value.size() <= kScheme.size()) return {};
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != kScheme[i]) return {};
  }
  value.remove_prefix(kScheme.size());
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  return value;
}

db::RequestIdentity request_identity(const Principal& principal,
                                     const http::Request& request) {
  auto ua = request.header("user-agent");
  return db::RequestIdentity{
      principal.token.role, principal.claims_json,  request.method,
      request.path,         request.remote_address, ua ? std::string(*ua) : std::string(),
      request.request_id};
}

namespace {

std::string refusal_reason(const Error& refused) {
  return refused.reason == kTokenExpired ? std::string(kTokenExpired) : "bad_jwt";
}

}  // namespace

Result<Principal> authenticate(const http::Request& request, std::string_view secret,
                               std::int64_t now) {
  const std::string_view bearer = bearer_token(request);
  const auto apikey = request.header("apikey");
  if (bearer.empty() && (!apikey || apikey->empty())) {
    return make_error_with_reason(Code::kUnauthenticated, "no_authorization",
                                  "No API key found in request");
  }
  if (apikey && !apikey->empty()) {
    auto key = verify_jwt(*apikey, secret, now);
    if (!key) {
      return make_error_with_reason(Code::kUnauthenticated, refusal_reason(key.error()),
                                    "Invalid API key: " + key.error().message);
    }
    if (bearer.empty()) {
      return Principal{*key, boost::json::serialize(key->claims)};
    }
  }
  auto token = verify_jwt(bearer, secret, now);
  if (!token) {
    return make_error_with_reason(Code::kUnauthenticated, refusal_reason(token.error()),
                                  "invalid JWT: " + token.error().message);
  }
  return Principal{*token, boost::json::serialize(token->claims)};
}

}  // namespace cscx::auth
