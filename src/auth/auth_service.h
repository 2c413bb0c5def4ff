// The GoTrue-compatible account flows behind /auth/v1: sign-up, password
// sign-in, refresh-token rotation, reading and changing the user, logout.
//
// Knows no HTTP: inputs are values, outputs are GoTrue's JSON (the user
// object is built by PostgreSQL) or an Error whose `reason` is GoTrue's
// error_code (invalid_credentials, user_already_exists, weak_password,
// validation_failed, refresh_token_not_found, refresh_token_already_used,
// session_not_found, over_request_rate_limit). Its SQL runs as `cscx_auth`,
// the role with rights on the auth tables only. Password hashing runs on
// `hashing`, never on the I/O threads. Thread-safe.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <string>

#include "auth/jwt.h"
#include "auth/rate_limiter.h"
#include "core/error.h"
#include "db/pool.h"

namespace cscx::auth {

struct AuthConfig {
  std::string jwt_secret;
  std::string issuer = "http://127.0.0.1:8080/auth/v1";
  std::chrono::seconds access_token_lifetime{3600};
};

// Where a request came from (for sessions, limits and audit settings).
struct Client {
  std::string ip;
  std::string user_agent;
  std::string request_id;
};

class AuthService {
 public:
  AuthService(db::Pool& pool, boost::asio::thread_pool& hashing, AuthConfig config);

  // The `iss` claim of the access tokens it signs. Not thread-safe: call
  // before requests run (the server knows its port only once it listens).
  void set_issuer(std::string issuer) { config_.issuer = std::move(issuer); }

  // Each returns GoTrue's session JSON: {access_token, token_type, expires_in,
  // expires_at, refresh_token, user}.
  boost::asio::awaitable<Result<std::string>> sign_up(std::string email,
                                                      std::string password,
                                                      std::string user_metadata_json,
                                                      Client client);
  boost::asio::awaitable<Result<std::string>> sign_in(std::string email,
                                                      std::string password,
                                                      Client client);
  boost::asio::awaitable<Result<std::string>> refresh(std::string refresh_token,
                                                      Client client);

  // The user object of a verified access token whose session is live.
  boost::asio::awaitable<Result<std::string>> get_user(const VerifiedToken& token,
                                                       Client client);
  // Changes e-mail, password and/or merges user metadata (null removes a
  // key); empty optionals are left alone. Returns the user object.
  boost::asio::awaitable<Result<std::string>> update_user(
      const VerifiedToken& token, std::optional<std::string> email,
      std::optional<std::string> password, std::optional<std::string> data_json,
      Client client);
  // scope: "global" (every session of the user), "local" (this one),
  // "others" (all but this one).
  boost::asio::awaitable<Result<void>> logout(const VerifiedToken& token,
                                              std::string scope, Client client);

 private:
  boost::asio::awaitable<Result<std::vector<db::QueryResult>>> run(
      const Client& client, std::span<const db::Statement> statements);
  boost::asio::awaitable<Result<std::string>> hash(const std::string& password);
  boost::asio::awaitable<bool> verify(const std::string& password,
                                      const std::string& encoded);
  Result<std::string> session_json(std::string_view user_json,
                                   std::string_view session_id,
                                   std::string_view refresh_token) const;

  db::Pool& pool_;
  boost::asio::thread_pool& hashing_;
  AuthConfig config_;
  RateLimiter sign_ins_per_ip_{30, std::chrono::minutes(5)};
  RateLimiter failures_per_email_{10, std::chrono::minutes(5)};
  RateLimiter sign_ups_per_ip_{30, std::chrono::minutes(5)};
  RateLimiter refreshes_per_ip_{150, std::chrono::minutes(5)};
};

// Validation used by the service, exposed for tests.
bool is_plausible_email(std::string_view email);

}  // namespace cscx::auth
