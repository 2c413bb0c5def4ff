#include "rest/rest_error.h"

#include <boost/json.hpp>

#include "http/error_response.h"

namespace cscx::rest {

namespace {

// PostgREST's own codes and their statuses.
constexpr std::pair<std::string_view, unsigned> kReasons[] = {
    {"PGRST000", 503}, {"PGRST100", 400}, {"PGRST101", 405}, {"PGRST102", 400},
    {"PGRST103", 416}, {"PGRST106", 406}, {"PGRST107", 406}, {"PGRST108", 400},
    {"PGRST116", 406}, {"PGRST118", 400}, {"PGRST119", 400}, {"PGRST120", 400},
    {"PGRST124", 400}, {"PGRST125", 404}, {"PGRST200", 400}, {"PGRST201", 300},
    {"PGRST202", 404}, {"PGRST203", 300}, {"PGRST204", 400}, {"PGRST205", 404},
    {"PGRST301", 401}, {"PGRST302", 401}, {"PGRST303", 401}};

unsigned sqlstate_status(std::string_view s, bool anonymous) {
  if (s == "23505" || s == "23503") return 409;
  if (s == "42501") return anonymous ? 401 : 403;
  if (s == "42P01" || s == "42883") return 404;
  if (s == "25006") return 405;
  if (s == "CX116") return 406;
  if (s == "CX124" || s == "P0001") return 400;
  // RAISE ... USING ERRCODE = 'PT402' picks the status, as in PostgREST.
  if (s.size() == 5 && s.starts_with("PT") && s[2] >= '1' && s[2] <= '5') {
    unsigned status = 0;
    for (char c : s.substr(2)) {
      if (c < '0' || c > '9') return 400;
      status = status * 10 + static_cast<unsigned>(c - '0');
    }
    return status;
  }
  if (s.starts_with("08") || s.starts_with("53")) return 503;
  if (s.starts_with("XX") || s.starts_with("40") || s.starts_with("57") ||
      s.starts_with("P0")) {
    return 500;
  }
  return 400;
}

boost::json::value or_null(const std::string& s) {
  return s.empty() ? boost::json::value(nullptr) : boost::json::value(s);
}

}  // namespace

Error rest_error(std::string_view code, std::string message, std::string details,
                 std::string hint) {
  Error e = make_error_with_reason(Code::kInvalidArgument, std::string(code), std::move(message));
  e.database.details = std::move(details);
  e.database.hint = std::move(hint);
  return e;
}

unsigned rest_status(const Error& error, bool anonymous) {
  if (!error.database.sqlstate.empty()) {
    return sqlstate_status(error.database.sqlstate, anonymous);
  }
  for (const auto& [reason, status] : kReasons) {
    if (reason == error.reason) return status;
  }
  return http::http_status(error.code);
}

http::Response rest_error_response(const Error& error, bool anonymous) {
  const unsigned status = rest_status(error, anonymous);
  std::string code = error.reason;
  std::string message = error.message;
  if (const auto& db = error.database; !db.sqlstate.empty()) {
    code = db.sqlstate == "CX116" ? "PGRST116"
           : db.sqlstate == "CX124" ? "PGRST124"
                                    : db.sqlstate;
    message = db.message;
  } else if (code.empty() || !code.starts_with("PGRST")) {
    // Not PostgreSQL's and not PostgREST's: the database is unreachable, or
    // a bug. PostgREST answers those with PGRST000-style codes.
    code = error.code == Code::kUnavailable ? "PGRST000" : std::string(code_name(error.code));
  }
  boost::json::object body{{"code", code},
                           {"details", or_null(error.database.details)},
                           {"hint", or_null(error.database.hint)},
                           {"message", message}};
  http::Response response = http::Response::json(status, boost::json::serialize(body));
  if (status == 503) response.headers.emplace_back("Retry-After", "1");
  return response;
}

}  // namespace cscx::rest
