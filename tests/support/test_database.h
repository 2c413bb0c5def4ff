// Test-only access to the harness PostgreSQL (tests/support/pg_harness.sh,
// started by the ctest fixture "pg" with its socket in $CSCX_TEST_PGHOST).
#pragma once

#include <string>
#include <string_view>

#include "db/connection.h"

namespace cscx::testing {

// Superuser URL of `database` on the harness cluster.
std::string harness_url(std::string_view database = "postgres");

// Name of the database the fixture "pg_template" migrated with `cscx migrate`.
inline constexpr std::string_view kTemplateDatabase = "cscx_template";

// A fresh database for one test, dropped (forcibly) when destroyed.
class TestDatabase {
 public:
  enum class Kind { kMigrated, kEmpty };
  explicit TestDatabase(Kind kind = Kind::kMigrated);
  ~TestDatabase();
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  const std::string& name() const { return name_; }
  std::string url() const { return harness_url(name_); }
  // The URL as another login role, e.g. the server's "authenticator".
  std::string url_as(std::string_view user) const;
  // A new superuser connection; throws on failure.
  db::Connection connect() const;

 private:
  std::string name_;
};

// Runs `sql` (trusted test text) and returns the first cell of its result,
// or throws with the server's message.
std::string query_value(db::Connection& conn, const std::string& sql);

// Starts a transaction that acts as the API's request path does: SET LOCAL
// ROLE `role` and request.jwt.claims {"sub": user_id, "role": role}.
void begin_as(db::Connection& conn, std::string_view role, std::string_view user_id = "");

// The text of a file of this source tree (`relative` to its root, e.g.
// "migrations/004_audit.sql"), for tests that check or reuse what is
// committed; throws if it cannot be read.
std::string source_text(const std::string& relative);

// The statement `CREATE FUNCTION <qualified_name>(...) ... $fn$;` in `sql`
// (a migration's text), for tests that put an earlier version of a
// function back; throws if `sql` has none.
std::string function_statement(const std::string& sql, const std::string& qualified_name);

}  // namespace cscx::testing
