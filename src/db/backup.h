// Whole-database backup and restore with pg_dump / pg_restore (custom
// format), against any libpq URL.
#pragma once

#include <filesystem>
#include <string>

#include "core/error.h"
#include "db/connection.h"

namespace cscx::db {

// Writes a pg_dump custom-format archive of the database at `url` to
// `file` (written to a temporary name, renamed when complete, so a failed
// backup never leaves a truncated file under the final name).
[[nodiscard]] Result<void> backup_database(const std::string& url,
                                           const std::filesystem::path& file);

// Number of user relations (tables, views, sequences) outside the system
// schemas: 0 means the database is empty and a restore target.
[[nodiscard]] Result<long> count_user_relations(Connection& conn);

enum class RestoreMode {
  kIntoEmpty,  // the target must be empty
  kClean,      // drop the archive's objects first (--clean --if-exists)
};

// Restores `file` into the database at `url` in one transaction: on any
// error nothing is restored. The roles the archive grants to must exist in
// the cluster (any migrated database of that cluster creates them).
[[nodiscard]] Result<void> restore_database(const std::string& url,
                                            const std::filesystem::path& file,
                                            RestoreMode mode);

}  // namespace cscx::db
