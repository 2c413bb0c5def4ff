// Blocking libpq connection for the command line, migrations, backups and
// tests: code that runs before (or instead of) the server's event loop.
//
// Request handling does not use this class; it goes through the asynchronous
// pool (http issue). Every statement has a name that error messages and logs
// show. Values are always bound parameters; the only SQL text executed
// verbatim is trusted text compiled into the binary (migrations).
#pragma once

#include <libpq-fe.h>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/error.h"

namespace cscx::db {

// The result of one statement. Owns the PGresult.
class QueryResult {
 public:
  explicit QueryResult(PGresult* result) : result_(result, &PQclear) {}

  int rows() const { return PQntuples(result_.get()); }
  int columns() const { return PQnfields(result_.get()); }
  bool is_null(int row, int column) const {
    return PQgetisnull(result_.get(), row, column) == 1;
  }
  // Text value of a cell; empty for NULL. `row` and `column` must be in range.
  std::string_view value(int row, int column) const {
    return {PQgetvalue(result_.get(), row, column),
            static_cast<size_t>(PQgetlength(result_.get(), row, column))};
  }
  // Rows affected by INSERT/UPDATE/DELETE (0 for other statements).
  long affected() const;

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

using Param = std::optional<std::string>;  // nullopt binds SQL NULL

class Connection {
 public:
  // Connects with a libpq URL or keyword string. Fails with kUnavailable
  // (server unreachable) or kUnauthenticated (login refused); the message
  // names the target with any password removed.
  static Result<Connection> open(const std::string& conninfo);

  // Runs trusted SQL text (several statements allowed) with the simple
  // query protocol and returns the last statement's result. On error the
  // message carries the server's message and, when the server reports a
  // position, the line of `sql` it points at.
  [[nodiscard]] Result<QueryResult> exec(std::string_view name, const std::string& sql);

  // Runs one statement with bound text parameters.
  [[nodiscard]] Result<QueryResult> exec_params(std::string_view name,
                                                const std::string& sql,
                                                const std::vector<Param>& params = {});

  // Runs `body` (returning some Result<T>) between BEGIN and COMMIT and
  // returns what it returned. When `body` or the COMMIT fails, the
  // transaction is rolled back and the error returned: nothing of it stays.
  // `name` names the BEGIN and COMMIT in errors ("<name>_commit").
  template <class Body>
  std::invoke_result_t<Body&> transaction(std::string_view name, Body&& body) {
    using R = std::invoke_result_t<Body&>;
    const std::string prefix(name);
    if (auto begin = exec(prefix + "_begin", "BEGIN"); !begin) return R(begin.error());
    R result = body();
    if (result) {
      if (auto commit = exec(prefix + "_commit", "COMMIT"); !commit) {
        result = R(commit.error());
      }
    }
    // After a failed COMMIT no transaction is open: ROLLBACK only warns.
    if (!result) (void)exec(prefix + "_rollback", "ROLLBACK");
    return result;
  }

  PGconn* native() { return conn_.get(); }

 private:
  explicit Connection(PGconn* conn) : conn_(conn, &PQfinish) {}
  Result<QueryResult> check(std::string_view name, const std::string& sql,
                            PGresult* result);

  std::unique_ptr<PGconn, decltype(&PQfinish)> conn_;
};

// A conninfo string with any password replaced by "***", for messages.
std::string redact_conninfo(std::string_view conninfo);

}  // namespace cscx::db
