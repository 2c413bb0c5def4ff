#include "auth/principal.h"

#include <boost/json/serialize.hpp>
#include <cctype>
#include <chrono>
#include <memory>
#include <mutex>
#include <unordered_map>

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

// Tokens already verified, by their exact text. Clients send the same API
// key and access token on every request, and verifying one (base64url, an
// HMAC-SHA256, a JSON parse, then serializing the claims for the database)
// was about a tenth of a small request's CPU. Only successes are kept, for
// the secret they were verified with; a hit re-checks `exp`, so an expired
// token is refused exactly as verify_jwt() would. The text is the whole
// key: a token that differs in any byte (a forged signature, an edited
// payload) is verified from scratch. Bounded: emptied when full.
class VerifiedTokenCache {
 public:
  std::shared_ptr<const Principal> find(std::string_view token, std::string_view secret,
                                        std::int64_t now) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(token);
    if (it == entries_.end() || it->second.secret != secret || it->second.expires <= now)
      return nullptr;
    return it->second.principal;
  }

  std::shared_ptr<const Principal> remember(std::string_view token, std::string_view secret,
                                            VerifiedToken verified) {
    const std::int64_t expires = verified.expires;
    auto principal = std::make_shared<const Principal>(
        Principal{verified, boost::json::serialize(verified.claims)});
    std::lock_guard lock(mutex_);
    if (entries_.size() >= kMaxEntries) entries_.clear();
    entries_.insert_or_assign(std::string(token),
                              Entry{std::string(secret), expires, principal});
    return principal;
  }

 private:
  static constexpr size_t kMaxEntries = 4096;
  struct Entry {
    std::string secret;
    std::int64_t expires;
    std::shared_ptr<const Principal> principal;
  };
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::mutex mutex_;
  std::unordered_map<std::string, Entry, Hash, std::equal_to<>> entries_;
};

// verify_jwt() through the cache.
Result<std::shared_ptr<const Principal>> verify_cached(std::string_view token,
                                                       std::string_view secret,
                                                       std::int64_t now) {
  static VerifiedTokenCache cache;
  if (auto hit = cache.find(token, secret, now)) return hit;
  auto verified = verify_jwt(token, secret, now);
  if (!verified) return verified.error();
  return cache.remember(token, secret, std::move(*verified));
}

}  // namespace

Result<std::shared_ptr<const Principal>> authenticate(const http::Request& request,
                                                      std::string_view secret,
                                                      std::int64_t now) {
  const std::string_view bearer = bearer_token(request);
  const auto apikey = request.header("apikey");
  if (bearer.empty() && (!apikey || apikey->empty())) {
    return make_error_with_reason(Code::kUnauthenticated, "no_authorization",
                                  "No API key found in request");
  }
  if (apikey && !apikey->empty()) {
    auto key = verify_cached(*apikey, secret, now);
    if (!key) {
      return make_error_with_reason(Code::kUnauthenticated, refusal_reason(key.error()),
                                    "Invalid API key: " + key.error().message);
    }
    if (bearer.empty()) return std::move(*key);
  }
  auto token = verify_cached(bearer, secret, now);
  if (!token) {
    return make_error_with_reason(Code::kUnauthenticated, refusal_reason(token.error()),
                                  "invalid JWT: " + token.error().message);
  }
  return std::move(*token);
}

}  // namespace cscx::auth
