#include "api/route_support.h"

#include <boost/json/parse.hpp>
#include <cctype>
#include <utility>

#include "core/text.h"

namespace cscx::api {
namespace json = boost::json;

void add_route(http::Router& router, const RouteContext& context, const char* method,
               const char* path, RouteFunction function) {
  router.add(method, path, path,
             [context, function](const http::Request& request, http::RequestLog& log)
                 -> boost::asio::awaitable<Result<http::Response>> {
               co_return co_await function(context, request, log);
             });
}

Result<Caller> authenticate(const RouteContext& context, const http::Request& request,
                            http::RequestLog& log) {
  auto principal = auth::authenticate(request, context.secret, auth::unix_now());
  if (!principal) {
    context.metrics.count_auth_failure();
    return principal.error();
  }
  log.user_id = (*principal)->token.subject;
  db::RequestIdentity who = auth::request_identity(**principal, request);
  return Caller{std::move(*principal), std::move(who)};
}

Result<Caller> authenticate_user(const RouteContext& context, const http::Request& request,
                                 http::RequestLog& log, std::string_view action) {
  auto caller = authenticate(context, request, log);
  if (!caller) return caller.error();
  if (caller->role() == "anon") {
    return make_error(Code::kUnauthenticated, "sign in to " + std::string(action));
  }
  return caller;
}

Result<void> require_service_role(const Caller& caller, std::string_view action) {
  if (caller.is_service_role()) return ok();
  return make_error(Code::kPermissionDenied,
                    "only the service_role key may " + std::string(action));
}

Error invalid(std::string message) {
  return make_error(Code::kInvalidArgument, std::move(message));
}

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return true;
}

Result<std::string> uuid_param(const http::Request& request, std::string_view name) {
  const std::string_view value = request.path_param(name);
  if (!is_uuid(value)) return invalid(std::string(name) + " must be a uuid");
  std::string out(value);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string media_type(std::string_view content_type) {
  const std::string_view v = core::trim_blanks(content_type.substr(0, content_type.find(';')));
  std::string out(v);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string percent_decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '+') {
      out += ' ';
    } else if (in[i] == '%' && i + 2 < in.size() &&
               hex_digit(in[i + 1]) >= 0 && hex_digit(in[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit(in[i + 1]) * 16 + hex_digit(in[i + 2]));
      i += 2;
    } else {
      out += in[i];
    }
  }
  return out;
}

std::optional<std::string> query_value(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return eq == std::string_view::npos ? std::string()
                                          : percent_decode(pair.substr(eq + 1));
    }
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  return std::nullopt;
}

Result<json::object> json_object_body(const http::Request& request) {
  if (auto type = request.header("content-type")) {
    if (media_type(*type) != "application/json") {
      return invalid("Content-Type must be application/json");
    }
  }
  boost::system::error_code ec;
  json::value v = json::parse(request.body, ec);
  if (ec) return invalid("body is not valid JSON");
  if (!v.is_object()) return invalid("body must be a JSON object");
  return std::move(v.as_object());
}

boost::asio::awaitable<Result<http::Response>> json_from_sql(
    const RouteContext& context, const Caller& caller,
    std::span<const db::Statement> statements, std::string_view not_found, unsigned status,
    db::TransactionOptions options) {
  auto results = co_await context.pool.run_in_transaction(caller.who, statements, options);
  if (!results) co_return results.error();
  const db::QueryResult& last = results->back();
  if (last.rows() == 0 || last.columns() == 0 || last.is_null(0, 0)) {
    co_return make_error(Code::kNotFound, std::string(not_found));
  }
  co_return http::Response::json(status, std::string(last.value(0, 0)));
}

boost::asio::awaitable<Result<http::Response>> read_by_id(const RouteContext& context,
                                                          const http::Request& request,
                                                          http::RequestLog& log,
                                                          std::string_view name, const char* sql,
                                                          std::string_view not_found) {
  auto caller = authenticate(context, request, log);
  if (!caller) co_return caller.error();
  auto id = uuid_param(request, "id");
  if (!id) co_return id.error();
  const db::Statement statement{name, sql, {std::move(*id)}};
  co_return co_await json_from_sql(context, *caller, std::span(&statement, 1), not_found, 200,
                                   db::kReadOnly);
}

}  // namespace cscx::api
