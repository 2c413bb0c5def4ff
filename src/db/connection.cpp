#include "db/connection.h"

#include <algorithm>
#include <cstdlib>
#include <regex>

#include "db/connection_internal.h"
#include "db/sqlstate.h"

namespace cscx::db {
namespace {

// libpq messages end with a newline and may span lines; keep the first line.
std::string first_line(const char* text) {
  std::string s = text ? text : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  if (auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
  return s;
}

int line_of(const std::string& sql, long position) {
  if (position <= 0) return 0;
  auto end = sql.begin() + std::min<long>(position, static_cast<long>(sql.size()));
  return 1 + static_cast<int>(std::count(sql.begin(), end, '\n'));
}

// Silences server NOTICEs ("relation already exists, skipping", ...): the
// CLI reports outcomes itself and warnings still arrive as errors if fatal.
void ignore_notice(void*, const PGresult*) {}

}  // namespace

long QueryResult::affected() const {
  const char* n = PQcmdTuples(result_.get());
  return (n && *n) ? std::strtol(n, nullptr, 10) : 0;
}

std::string redact_conninfo(std::string_view conninfo) {
  std::string s(conninfo);
  // URL form: scheme://user:password@host -> scheme://user:***@host
  static const std::regex kUrlPassword(R"((postgres(?:ql)?://[^:/@?]*:)[^@/?]*@)");
  s = std::regex_replace(s, kUrlPassword, "$1***@");
  // password=... in a query string or keyword form.
  static const std::regex kKeyword(R"((password=)('[^']*'|[^&\s]*))");
  return std::regex_replace(s, kKeyword, "$1***");
}

Result<Connection> Connection::open(const std::string& conninfo) {
  // An unreachable host would otherwise block for the kernel's TCP timeout
  // (about two minutes), and so would everything waiting on this thread,
  // down to a SIGTERM. 10 s unless the conninfo or PGCONNECT_TIMEOUT says
  // otherwise: a keyword in the expanded conninfo comes later and wins.
  const bool default_timeout = std::getenv("PGCONNECT_TIMEOUT") == nullptr;
  const char* keywords[] = {"connect_timeout", "dbname", nullptr};
  const char* values[] = {"10", conninfo.c_str(), nullptr};
  const int first = default_timeout ? 0 : 1;
  PGconn* raw = PQconnectdbParams(keywords + first, values + first, /*expand_dbname=*/1);
  Connection conn(raw);
  if (raw == nullptr) {
    return make_error(Code::kInternal, "out of memory creating a connection");
  }
  if (PQstatus(raw) != CONNECTION_OK) {
    std::string why = first_line(PQerrorMessage(raw));
    Code code = why.find("password authentication failed") != std::string::npos ||
                        why.find("no pg_hba.conf entry") != std::string::npos ||
                        why.find("role \"") != std::string::npos
                    ? Code::kUnauthenticated
                    : Code::kUnavailable;
    return make_error(code, "cannot connect to PostgreSQL at " +
                                redact_conninfo(conninfo) + ": " + why);
  }
  PQsetNoticeReceiver(raw, &ignore_notice, nullptr);
  return conn;
}

Result<QueryResult> Connection::check(std::string_view name, const std::string& sql,
                                      PGresult* raw) {
  QueryResult result(raw);
  const ExecStatusType status = raw ? PQresultStatus(raw) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;
  return internal::error_from_result(name, sql, raw, conn_.get());
}

namespace internal {

Error error_from_result(std::string_view name, const std::string& sql,
                        const PGresult* raw, PGconn* conn) {
  if (raw == nullptr || PQstatus(conn) == CONNECTION_BAD) {
    return make_error(Code::kUnavailable, "lost the connection to PostgreSQL during " +
                                              std::string(name) + ": " +
                                              first_line(PQerrorMessage(conn)));
  }
  const char* sqlstate = PQresultErrorField(raw, PG_DIAG_SQLSTATE);
  const char* primary = PQresultErrorField(raw, PG_DIAG_MESSAGE_PRIMARY);
  const char* position = PQresultErrorField(raw, PG_DIAG_STATEMENT_POSITION);
  std::string message = std::string(name) + ": " +
                        first_line(primary ? primary : PQresultErrorMessage(raw));
  if (position != nullptr) {
    if (int line = line_of(sql, std::strtol(position, nullptr, 10)); line > 0) {
      message += " (line " + std::to_string(line) + ")";
    }
  }
  std::string detail = "SQLSTATE " + std::string(sqlstate ? sqlstate : "?????");
  for (int field : {PG_DIAG_MESSAGE_DETAIL, PG_DIAG_CONTEXT}) {
    if (const char* d = PQresultErrorField(raw, field)) {
      detail += "; ";
      detail += first_line(d);
    }
  }
  Error error = make_error(code_from_sqlstate(sqlstate ? sqlstate : ""),
                           std::move(message), std::move(detail));
  const char* details = PQresultErrorField(raw, PG_DIAG_MESSAGE_DETAIL);
  const char* hint = PQresultErrorField(raw, PG_DIAG_MESSAGE_HINT);
  error.database = {sqlstate ? sqlstate : "", primary ? primary : "",
                    details ? details : "", hint ? hint : ""};
  return error;
}

}  // namespace internal

Result<QueryResult> Connection::exec(std::string_view name, const std::string& sql) {
  return check(name, sql, PQexec(conn_.get(), sql.c_str()));
}

Result<QueryResult> Connection::exec_params(std::string_view name, const std::string& sql,
                                            const std::vector<Param>& params) {
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const Param& p : params) values.push_back(p ? p->c_str() : nullptr);
  return check(name, sql,
               PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()),
                            nullptr, values.data(), nullptr, nullptr, 0));
}

}  // namespace cscx::db
