// Schema migrations: the numbered SQL files of migrations/, compiled into
// the binary, applied once each in name order.
//
// Each file runs in its own transaction together with the row that records
// it in cscx.schema_migrations (name, SHA-256 of the file, time), so a file
// is either fully applied and recorded or not at all. A session advisory
// lock serialises concurrent runners on one database. A recorded file whose
// checksum no longer matches, or a recorded name this binary does not know,
// stops everything: the database is not what this binary was built for.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "db/connection.h"

namespace cscx::migrate {

struct Migration {
  std::string name;      // "001_initial.sql"
  std::string_view sql;  // the file's text
  std::string checksum;  // sha256 hex of sql
};

// The migrations compiled into this binary, in order.
const std::vector<Migration>& builtin_migrations();

struct MigrationState {
  std::string name;
  std::string checksum;  // of the file in this binary
  bool applied = false;
  std::string applied_at;  // when applied, else empty
};

// Applied and pending migrations. Fails like apply_migrations() when the
// recorded history does not match `migrations`.
[[nodiscard]] Result<std::vector<MigrationState>> migration_status(
    db::Connection& conn, std::span<const Migration> migrations);

// Applies the pending migrations; returns the names applied (empty when the
// database was current). Needs a role that may create roles, schemas and
// tables (a superuser, or `postgres` on Supabase).
[[nodiscard]] Result<std::vector<std::string>> apply_migrations(
    db::Connection& conn, std::span<const Migration> migrations);

}  // namespace cscx::migrate
