#include "auth/auth_routes.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse_query.hpp>

#include "auth/principal.h"
#include "http/error_response.h"

namespace cscx::auth {
namespace asio = boost::asio;
namespace json = boost::json;
using http::Request;
using http::RequestLog;
using http::Response;

namespace {

constexpr std::string_view kApiVersionHeader = "x-supabase-api-version";
constexpr std::string_view kApiVersion = "2024-01-01";

struct ReasonStatus {
  std::string_view reason;
  unsigned status;
};

// GoTrue's statuses for the error codes cscx produces.
constexpr ReasonStatus kStatuses[] = {
    {"invalid_credentials", 400},
    {"validation_failed", 400},
    {"refresh_token_not_found", 400},
    {"refresh_token_already_used", 400},
    {"unsupported_grant_type", 400},
    {"bad_json", 400},
    {"no_authorization", 401},
    {"bad_jwt", 403},
    {kTokenExpired, 403},  // shown as bad_jwt, as GoTrue does
    {"session_not_found", 403},
    {"user_already_exists", 422},
    {"email_exists", 422},
    {"weak_password", 422},
    {"over_request_rate_limit", 429},
};

bool wants_2024(const Request& request) {
  auto v = request.header(kApiVersionHeader);
  return v && *v == kApiVersion;
}

Client client_of(const Request& request) {
  auto ua = request.header("user-agent");
  return Client{request.remote_address, ua ? std::string(*ua) : std::string(),
                request.request_id};
}

Response respond(const Request& request, unsigned status, std::string body) {
  Response r = Response::json(status, std::move(body));
  if (wants_2024(request)) r.headers.emplace_back("X-Supabase-Api-Version", kApiVersion);
  return r;
}

// Errors never escape as Result errors from these handlers: GoTrue's shape
// is not the generic one.
Response fail(const Request& request, const Error& error) {
  return gotrue_error(error, wants_2024(request));
}

Result<json::object> parse_body(const Request& request) {
  boost::system::error_code ec;
  json::value v = json::parse(request.body, ec);
  if (ec || !v.is_object()) {
    return make_error_with_reason(Code::kInvalidArgument, "bad_json",
                                  "Could not parse request body as JSON object");
  }
  return std::move(v.as_object());
}

// A string member, or nullopt when absent or null; an error when another type.
Result<std::optional<std::string>> string_field(const json::object& body,
                                                std::string_view name) {
  const json::value* v = body.if_contains(name);
  if (v == nullptr || v->is_null()) return std::optional<std::string>{};
  if (!v->is_string()) {
    return make_error_with_reason(Code::kInvalidArgument, "validation_failed",
                                  std::string(name) + " must be a string");
  }
  return std::optional<std::string>{std::string(v->as_string())};
}

// The `data` member as serialized JSON: nullopt when absent or null, an
// error when not an object.
Result<std::optional<std::string>> data_field(const json::object& body) {
  const json::value* d = body.if_contains("data");
  if (d == nullptr || d->is_null()) return std::optional<std::string>{};
  if (!d->is_object()) {
    return make_error_with_reason(Code::kInvalidArgument, "validation_failed",
                                  "data must be an object");
  }
  return std::optional<std::string>{json::serialize(*d)};
}

std::string query_param(const Request& request, std::string_view name) {
  auto params = boost::urls::parse_query(request.query);
  if (!params) return {};
  for (auto p : *params) {
    if (p.key == name) return std::string(p.value);
  }
  return {};
}

}  // namespace

unsigned gotrue_status(std::string_view reason) {
  for (const ReasonStatus& rs : kStatuses) {
    if (rs.reason == reason) return rs.status;
  }
  return 0;
}

Response gotrue_error(const Error& error, bool api_version_2024) {
  unsigned status = gotrue_status(error.reason);
  if (status == 0) status = http::http_status(error.code);
  std::string reason = error.reason == kTokenExpired ? "bad_jwt" : error.reason;
  if (reason.empty()) reason = status >= 500 ? "unexpected_failure" : "validation_failed";
  json::object body;
  if (api_version_2024) {
    body["code"] = reason;
    body["message"] = error.message;
  } else {
    body["code"] = status;
    body["error_code"] = reason;
    body["msg"] = error.message;
  }
  if (reason == "weak_password") {
    body["weak_password"] = json::object{{"reasons", json::array{"length"}}};
  }
  Response r = Response::json(status, json::serialize(body));
  if (api_version_2024) r.headers.emplace_back("X-Supabase-Api-Version", kApiVersion);
  if (status == 503) r.headers.emplace_back("Retry-After", "1");
  return r;
}

void add_auth_routes(http::Router& router, AuthService& service,
                     const std::string& secret) {
  // Every endpoint needs a valid API key or token.
  auto keyed = [&secret](const Request& request) -> Result<std::shared_ptr<const Principal>> {
    return authenticate(request, secret, unix_now());
  };

  router.add("POST", "/auth/v1/signup", "/auth/v1/signup",
             [&service, keyed](const Request& request,
                               RequestLog&) -> asio::awaitable<Result<Response>> {
               if (auto k = keyed(request); !k) co_return fail(request, k.error());
               auto body = parse_body(request);
               if (!body) co_return fail(request, body.error());
               auto email = string_field(*body, "email");
               auto password = string_field(*body, "password");
               if (!email || !password) {
                 co_return fail(request, !email ? email.error() : password.error());
               }
               auto data_json = data_field(*body);
               if (!data_json) co_return fail(request, data_json.error());
               const std::string data = data_json->value_or("{}");
               const std::string e = email->value_or(""), p = password->value_or("");
               const Client client = client_of(request);
               auto session = co_await service.sign_up(e, p, data, client);
               if (!session) co_return fail(request, session.error());
               co_return respond(request, 200, std::move(*session));
             });

  router.add("POST", "/auth/v1/token", "/auth/v1/token",
             [&service, keyed](const Request& request,
                               RequestLog&) -> asio::awaitable<Result<Response>> {
               if (auto k = keyed(request); !k) co_return fail(request, k.error());
               const std::string grant = query_param(request, "grant_type");
               auto body = parse_body(request);
               if (!body) co_return fail(request, body.error());
               const Client client = client_of(request);
               Result<std::string> session = make_error(Code::kInternal, "unset");
               if (grant == "password") {
                 auto email = string_field(*body, "email");
                 auto password = string_field(*body, "password");
                 if (!email || !password) {
                   co_return fail(request, !email ? email.error() : password.error());
                 }
                 const std::string e = email->value_or(""), p = password->value_or("");
                 session = co_await service.sign_in(e, p, client);
               } else if (grant == "refresh_token") {
                 auto token = string_field(*body, "refresh_token");
                 if (!token) co_return fail(request, token.error());
                 const std::string t = token->value_or("");
                 session = co_await service.refresh(t, client);
               } else {
                 co_return fail(request,
                                make_error_with_reason(Code::kInvalidArgument,
                                                       "unsupported_grant_type",
                                                       "grant_type must be password or "
                                                       "refresh_token"));
               }
               if (!session) co_return fail(request, session.error());
               co_return respond(request, 200, std::move(*session));
             });

  // The endpoints of a signed-in user: the bearer token must be a user's.
  auto user_token = [&secret](const Request& request) -> Result<VerifiedToken> {
    const std::string_view bearer = bearer_token(request);
    if (bearer.empty()) {
      return make_error_with_reason(Code::kUnauthenticated, "no_authorization",
                                    "This endpoint requires a Bearer token");
    }
    auto token = verify_jwt(bearer, secret, unix_now());
    if (!token || token->subject.empty()) {
      return make_error_with_reason(
          Code::kPermissionDenied, "bad_jwt",
          "invalid JWT: " +
              (token ? std::string("no user in token") : token.error().message));
    }
    return *token;
  };

  router.add(
      "GET", "/auth/v1/user", "/auth/v1/user",
      [&service, user_token](const Request& request,
                             RequestLog& log) -> asio::awaitable<Result<Response>> {
        auto token = user_token(request);
        if (!token) co_return fail(request, token.error());
        log.user_id = token->subject;
        const Client client = client_of(request);
        auto user = co_await service.get_user(*token, client);
        if (!user) co_return fail(request, user.error());
        co_return respond(request, 200, std::move(*user));
      });

  router.add(
      "PUT", "/auth/v1/user", "/auth/v1/user",
      [&service, user_token](const Request& request,
                             RequestLog& log) -> asio::awaitable<Result<Response>> {
        auto token = user_token(request);
        if (!token) co_return fail(request, token.error());
        log.user_id = token->subject;
        auto body = parse_body(request);
        if (!body) co_return fail(request, body.error());
        auto email = string_field(*body, "email");
        auto password = string_field(*body, "password");
        if (!email || !password) {
          co_return fail(request, !email ? email.error() : password.error());
        }
        auto data_json = data_field(*body);
        if (!data_json) co_return fail(request, data_json.error());
        const std::optional<std::string> data = *data_json;
        const Client client = client_of(request);
        const std::optional<std::string> e = *email, p = *password;
        auto user = co_await service.update_user(*token, e, p, data, client);
        if (!user) co_return fail(request, user.error());
        co_return respond(request, 200, std::move(*user));
      });

  router.add(
      "POST", "/auth/v1/logout", "/auth/v1/logout",
      [&service, user_token](const Request& request,
                             RequestLog& log) -> asio::awaitable<Result<Response>> {
        auto token = user_token(request);
        if (!token) co_return fail(request, token.error());
        log.user_id = token->subject;
        const std::string scope = query_param(request, "scope");
        const Client client = client_of(request);
        auto out = co_await service.logout(*token, scope, client);
        if (!out) co_return fail(request, out.error());
        Response r = respond(request, 204, "");
        r.content_type.clear();
        co_return r;
      });
}

}  // namespace cscx::auth
