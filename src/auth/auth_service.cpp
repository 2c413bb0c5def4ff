#include "auth/auth_service.h"

#include <openssl/rand.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "auth/password.h"
#include "core/sha256.h"

namespace cscx::auth {
namespace asio = boost::asio;
using db::Statement;

namespace {

constexpr size_t kMinPasswordLength = 6;
constexpr size_t kMaxPasswordLength = 1024;

// GoTrue's user object, built by PostgreSQL from auth.users `u`.
#define CSCX_USER_JSON                                                                   \
  "json_build_object('id', u.id, 'aud', coalesce(u.aud, 'authenticated'), 'role', "      \
  "coalesce(u.role, 'authenticated'), 'email', u.email, 'email_confirmed_at', "          \
  "u.email_confirmed_at, 'phone', '', 'confirmed_at', u.email_confirmed_at, "            \
  "'last_sign_in_at', u.last_sign_in_at, 'app_metadata', coalesce(u.raw_app_meta_data, " \
  "'{}'::jsonb), 'user_metadata', coalesce(u.raw_user_meta_data, '{}'::jsonb), "         \
  "'identities', '[]'::json, 'created_at', u.created_at, 'updated_at', u.updated_at, "   \
  "'is_anonymous', false)::text"

constexpr const char* kInsertUser =
    "INSERT INTO auth.users (id, aud, role, email, encrypted_password, "
    "email_confirmed_at, "
    "raw_app_meta_data, raw_user_meta_data, created_at, updated_at) "
    "VALUES (gen_random_uuid(), 'authenticated', 'authenticated', lower($1), $2, now(), "
    "'{\"provider\": \"email\", \"providers\": [\"email\"]}', $3::jsonb, now(), now())";

constexpr const char* kFindUserForSignIn =
    "SELECT id, encrypted_password, coalesce(banned_until > now(), false) "
    "FROM auth.users WHERE lower(email) = lower($1) AND deleted_at IS NULL";

// Opens a session for the user with e-mail $1 and stores its first refresh
// token ($2, hashed); returns the session id and the user object.
constexpr const char* kOpenSession =
    "WITH u AS (UPDATE auth.users SET last_sign_in_at = now() "
    "           WHERE lower(email) = lower($1) AND deleted_at IS NULL RETURNING *), "
    "s AS (INSERT INTO cscx.auth_sessions (user_id, ip, user_agent) "
    "      SELECT id, nullif($3, '')::inet, $4 FROM u RETURNING id), "
    "t AS (INSERT INTO cscx.refresh_tokens (token_hash, session_id) SELECT $2, id FROM "
    "s) "
    "SELECT s.id, " CSCX_USER_JSON " FROM u, s";

// Rotates refresh token $1 (hash) to $2 (hash) when it is unused and its
// session live; returns the session id and the user object, or no row.
constexpr const char* kRotateRefreshToken =
    "WITH old AS (UPDATE cscx.refresh_tokens t SET used_at = now() "
    "             FROM cscx.auth_sessions s "
    "             WHERE t.token_hash = $1 AND s.id = t.session_id AND t.used_at IS NULL "
    "               AND s.revoked_at IS NULL RETURNING t.session_id, s.user_id), "
    "new AS (INSERT INTO cscx.refresh_tokens (token_hash, session_id, parent_hash) "
    "        SELECT $2, session_id, $1 FROM old), "
    "touch AS (UPDATE cscx.auth_sessions SET refreshed_at = now() "
    "          WHERE id IN (SELECT session_id FROM old)) "
    "SELECT old.session_id, " CSCX_USER_JSON
    " FROM old JOIN auth.users u ON u.id = old.user_id";

// Reuse of an already rotated token (used before this transaction began):
// the token may be stolen, so its whole session ends. Returns a row when so.
constexpr const char* kRevokeOnReuse =
    "UPDATE cscx.auth_sessions s SET revoked_at = coalesce(s.revoked_at, now()), "
    "revoked_reason = coalesce(s.revoked_reason, 'refresh_token_reuse') "
    "FROM cscx.refresh_tokens t "
    "WHERE t.token_hash = $1 AND t.session_id = s.id AND t.used_at < now() RETURNING "
    "s.id";

constexpr const char* kUserOfLiveSession =
    "SELECT " CSCX_USER_JSON
    " FROM auth.users u JOIN cscx.auth_sessions s ON s.user_id = u.id "
    "WHERE u.id = $1::uuid AND s.id = nullif($2, '')::uuid AND s.revoked_at IS NULL "
    "AND u.deleted_at IS NULL";

// $4 is a JSON object merged into user_metadata; its null values remove keys.
constexpr const char* kUpdateUser =
    "UPDATE auth.users u SET email = coalesce(lower($3), u.email), "
    "encrypted_password = coalesce($4, u.encrypted_password), "
    "raw_user_meta_data = CASE WHEN $5::jsonb IS NULL THEN u.raw_user_meta_data ELSE "
    "  (coalesce(u.raw_user_meta_data, '{}'::jsonb) || $5::jsonb) - ARRAY(SELECT key "
    "FROM "
    "  jsonb_each($5::jsonb) WHERE value = 'null'::jsonb) END, updated_at = now() "
    "FROM cscx.auth_sessions s WHERE u.id = $1::uuid AND s.id = nullif($2, '')::uuid "
    "AND s.user_id = u.id AND s.revoked_at IS NULL RETURNING " CSCX_USER_JSON;

constexpr const char* kLogout =
    "UPDATE cscx.auth_sessions SET revoked_at = now(), revoked_reason = 'logout' "
    "WHERE user_id = $1::uuid AND revoked_at IS NULL AND CASE $3 "
    "  WHEN 'global' THEN true WHEN 'local' THEN id = nullif($2, '')::uuid "
    "  ELSE id IS DISTINCT FROM nullif($2, '')::uuid END";

Error rate_limited() {
  return make_error_with_reason(Code::kUnavailable, "over_request_rate_limit",
                                "Request rate limit reached");
}

Error invalid_credentials() {
  return make_error_with_reason(Code::kInvalidArgument, "invalid_credentials",
                                "Invalid login credentials");
}

Error session_not_found() {
  return make_error_with_reason(Code::kPermissionDenied, "session_not_found",
                                "Session from session_id claim in JWT does not exist");
}

Result<void> check_password(std::string_view password) {
  if (password.size() < kMinPasswordLength) {
    return make_error_with_reason(Code::kInvalidArgument, "weak_password",
                                  "Password should be at least 6 characters.");
  }
  if (password.size() > kMaxPasswordLength) {
    return make_error_with_reason(Code::kInvalidArgument, "validation_failed",
                                  "Password is too long");
  }
  return ok();
}

Result<void> check_email(std::string_view email) {
  if (!is_plausible_email(email)) {
    return make_error_with_reason(Code::kInvalidArgument, "validation_failed",
                                  "Unable to validate email address: invalid format");
  }
  return ok();
}

std::string new_refresh_token() {
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return {};
  return base64url_encode(
      std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

// The token's session_id claim, "" when absent (then no session matches).
std::string session_id_of(const VerifiedToken& token) {
  const auto* sid = token.claims.if_contains("session_id");
  return sid && sid->is_string() ? std::string(sid->as_string()) : std::string();
}

}  // namespace

bool is_plausible_email(std::string_view email) {
  if (email.empty() || email.size() > 254) return false;
  const size_t at = email.find('@');
  if (at == 0 || at == std::string_view::npos ||
      email.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  const std::string_view domain = email.substr(at + 1);
  if (domain.size() < 3 || domain.find('.') == std::string_view::npos ||
      domain.front() == '.' || domain.back() == '.') {
    return false;
  }
  for (char c : email) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '\x7f') return false;
  }
  return true;
}

AuthService::AuthService(db::Pool& pool, asio::thread_pool& hashing, AuthConfig config)
    : pool_(pool), hashing_(hashing), config_(std::move(config)) {}

asio::awaitable<Result<std::vector<db::QueryResult>>> AuthService::run(
    const Client& client, std::span<const Statement> statements) {
  db::RequestIdentity who{
      "cscx_auth", "{\"role\":\"cscx_auth\"}", "POST",           "/auth/v1",
      client.ip,   client.user_agent,          client.request_id};
  co_return co_await pool_.run_in_transaction(who, statements);
}

// GCC 12 destroys some temporaries of a co_await full-expression twice
// (by-value coroutine arguments, capturing lambdas under co_spawn). These
// coroutines therefore take pointers to the caller's locals, which outlive
// the co_await because the caller waits for them.
asio::awaitable<Result<std::string>> hash_in_pool(const std::string* password) {
  co_return hash_password(*password);
}

asio::awaitable<bool> verify_in_pool(const std::string* password,
                                     const std::string* encoded) {
  co_return verify_password(*password, *encoded);
}

asio::awaitable<Result<std::string>> AuthService::hash(const std::string& password) {
  co_return co_await asio::co_spawn(hashing_, hash_in_pool(&password),
                                    asio::use_awaitable);
}

asio::awaitable<bool> AuthService::verify(const std::string& password,
                                          const std::string& encoded) {
  co_return co_await asio::co_spawn(hashing_, verify_in_pool(&password, &encoded),
                                    asio::use_awaitable);
}

Result<std::string> AuthService::session_json(std::string_view user_json,
                                              std::string_view session_id,
                                              std::string_view refresh_token) const {
  boost::system::error_code ec;
  boost::json::value user = boost::json::parse(user_json, ec);
  if (ec || !user.is_object())
    return make_error(Code::kInternal, "bad user JSON from database");
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const std::int64_t expires_at = now + config_.access_token_lifetime.count();
  const boost::json::object& u = user.as_object();
  boost::json::object claims{{"iss", config_.issuer},
                             {"sub", u.at("id")},
                             {"aud", "authenticated"},
                             {"exp", expires_at},
                             {"iat", now},
                             {"email", u.at("email")},
                             {"phone", ""},
                             {"app_metadata", u.at("app_metadata")},
                             {"user_metadata", u.at("user_metadata")},
                             {"role", "authenticated"},
                             {"aal", "aal1"},
                             {"session_id", session_id},
                             {"is_anonymous", false}};
  boost::json::object session{{"access_token", sign_jwt(claims, config_.jwt_secret)},
                              {"token_type", "bearer"},
                              {"expires_in", config_.access_token_lifetime.count()},
                              {"expires_at", expires_at},
                              {"refresh_token", refresh_token},
                              {"user", std::move(user)}};
  return boost::json::serialize(session);
}

asio::awaitable<Result<std::string>> AuthService::sign_up(std::string email,
                                                          std::string password,
                                                          std::string user_metadata_json,
                                                          Client client) {
  if (!sign_ups_per_ip_.allow(client.ip)) co_return rate_limited();
  if (auto r = check_email(email); !r) co_return r.error();
  if (auto r = check_password(password); !r) co_return r.error();
  auto hashed = co_await hash(password);
  if (!hashed) co_return hashed.error();
  const std::string refresh = new_refresh_token();
  const Statement statements[] = {
      {"insert_user", kInsertUser, {email, *hashed, user_metadata_json}},
      {"open_session",
       kOpenSession,
       {email, core::sha256_hex(refresh), client.ip, client.user_agent}}};
  auto results = co_await run(client, statements);
  if (!results) {
    if (results.error().code == Code::kConflict) {
      co_return make_error_with_reason(Code::kConflict, "user_already_exists",
                                       "User already registered");
    }
    co_return results.error();
  }
  const db::QueryResult& session = (*results)[1];
  if (session.rows() != 1)
    co_return make_error(Code::kInternal, "sign-up opened no session");
  co_return session_json(session.value(0, 1), session.value(0, 0), refresh);
}

asio::awaitable<Result<std::string>> AuthService::sign_in(std::string email,
                                                          std::string password,
                                                          Client client) {
  const std::string email_key = "email:" + email;
  if (!sign_ins_per_ip_.allow(client.ip) || failures_per_email_.exhausted(email_key)) {
    co_return rate_limited();
  }
  if (email.empty() || password.empty()) {
    co_return make_error_with_reason(Code::kInvalidArgument, "validation_failed",
                                     "An email address and a password are required");
  }
  const Statement find{"find_user_for_sign_in", kFindUserForSignIn, {email}};
  auto found = co_await run(client, std::span(&find, 1));
  if (!found) co_return found.error();
  const db::QueryResult& user = (*found)[0];
  const bool known = user.rows() == 1 && !user.is_null(0, 1);
  // Unknown e-mails cost one verification too, so timing does not tell.
  const std::string encoded = known ? std::string(user.value(0, 1)) : decoy_hash();
  const bool valid = co_await verify(password, encoded);
  if (!known || !valid || user.value(0, 2) == "t") {
    failures_per_email_.record(email_key);
    co_return invalid_credentials();
  }
  const std::string refresh = new_refresh_token();
  const Statement open{"open_session",
                       kOpenSession,
                       {email, core::sha256_hex(refresh), client.ip, client.user_agent}};
  auto session = co_await run(client, std::span(&open, 1));
  if (!session) co_return session.error();
  if ((*session)[0].rows() != 1) co_return invalid_credentials();
  co_return session_json((*session)[0].value(0, 1), (*session)[0].value(0, 0), refresh);
}

asio::awaitable<Result<std::string>> AuthService::refresh(std::string refresh_token,
                                                          Client client) {
  if (!refreshes_per_ip_.allow(client.ip)) co_return rate_limited();
  if (refresh_token.empty()) {
    co_return make_error_with_reason(Code::kInvalidArgument, "validation_failed",
                                     "refresh_token is required");
  }
  const std::string old_hash = core::sha256_hex(refresh_token);
  const std::string next = new_refresh_token();
  const Statement statements[] = {
      {"rotate_refresh_token", kRotateRefreshToken, {old_hash, core::sha256_hex(next)}},
      {"revoke_on_reuse", kRevokeOnReuse, {old_hash}}};
  auto results = co_await run(client, statements);
  if (!results) co_return results.error();
  const db::QueryResult& rotated = (*results)[0];
  if (rotated.rows() == 1) {
    co_return session_json(rotated.value(0, 1), rotated.value(0, 0), next);
  }
  if ((*results)[1].rows() > 0) {
    co_return make_error_with_reason(Code::kInvalidArgument, "refresh_token_already_used",
                                     "Invalid Refresh Token: Already Used");
  }
  co_return make_error_with_reason(Code::kInvalidArgument, "refresh_token_not_found",
                                   "Invalid Refresh Token: Refresh Token Not Found");
}

asio::awaitable<Result<std::string>> AuthService::get_user(const VerifiedToken& token,
                                                           Client client) {
  const std::string session_id = session_id_of(token);
  const Statement find{
      "user_of_live_session", kUserOfLiveSession, {token.subject, session_id}};
  auto r = co_await run(client, std::span(&find, 1));
  if (!r) co_return r.error();
  if ((*r)[0].rows() != 1) co_return session_not_found();
  co_return std::string((*r)[0].value(0, 0));
}

asio::awaitable<Result<std::string>> AuthService::update_user(
    const VerifiedToken& token, std::optional<std::string> email,
    std::optional<std::string> password, std::optional<std::string> data_json,
    Client client) {
  if (email) {
    if (auto r = check_email(*email); !r) co_return r.error();
  }
  db::Param hashed;
  if (password) {
    if (auto r = check_password(*password); !r) co_return r.error();
    auto h = co_await hash(*password);
    if (!h) co_return h.error();
    hashed = std::move(*h);
  }
  const std::string session_id = session_id_of(token);
  const Statement update{
      "update_user", kUpdateUser, {token.subject, session_id, email, hashed, data_json}};
  auto r = co_await run(client, std::span(&update, 1));
  if (!r) {
    if (r.error().code == Code::kConflict) {
      co_return make_error_with_reason(
          Code::kConflict, "email_exists",
          "A user with this email address has already been registered");
    }
    co_return r.error();
  }
  if ((*r)[0].rows() != 1) co_return session_not_found();
  co_return std::string((*r)[0].value(0, 0));
}

asio::awaitable<Result<void>> AuthService::logout(const VerifiedToken& token,
                                                  std::string scope, Client client) {
  if (scope.empty()) scope = "global";
  if (scope != "global" && scope != "local" && scope != "others") {
    co_return make_error_with_reason(Code::kInvalidArgument, "validation_failed",
                                     "scope must be global, local or others");
  }
  const std::string session_id = session_id_of(token);
  const Statement out{"logout", kLogout, {token.subject, session_id, scope}};
  auto r = co_await run(client, std::span(&out, 1));
  if (!r) co_return r.error();
  co_return ok();
}

}  // namespace cscx::auth
