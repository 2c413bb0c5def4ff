#include "migrate/migrator.h"

#include <algorithm>
#include <iterator>
#include <map>

#include "core/embedded_file.h"
#include "core/sha256.h"

namespace cscx::migrate {
namespace internal {
std::span<const core::EmbeddedFile> migration_files();  // generated
}  // namespace internal

namespace {

// Arbitrary constant shared by every cscx: "cscxmig" in ASCII (PostgreSQL
// 15 has no hex literals).
constexpr const char* kLock = "SELECT pg_advisory_lock(27992893753747815)";
constexpr const char* kUnlock = "SELECT pg_advisory_unlock(27992893753747815)";

constexpr const char* kCreateHistory = R"sql(
CREATE SCHEMA IF NOT EXISTS cscx;
CREATE TABLE IF NOT EXISTS cscx.schema_migrations (
  name TEXT PRIMARY KEY,
  checksum TEXT NOT NULL,
  applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
)sql";

constexpr const char* kReadHistory =
    "SELECT name::text, checksum::text, applied_at::text "
    "FROM cscx.schema_migrations ORDER BY name";

constexpr const char* kRecord =
    "INSERT INTO cscx.schema_migrations (name, checksum) VALUES ($1, $2)";

// Tells running servers to reload their schema cache.
// PostgREST's channel and payload: /rest/v1 reloads its schema cache.
constexpr const char* kNotify = "NOTIFY pgrst, 'reload schema'";

struct Recorded {
  std::string checksum;
  std::string applied_at;
};


// Checksums a migration had before it was changed in a way that cannot
// matter to a database that already applied it (docs/schema.md,
// "Migrations"): still accepted for that name. Any other change stops the
// program, as before.
struct Superseded {
  std::string_view name;
  std::string_view checksum;
};
constexpr Superseded kSuperseded[] = {
    // 002 creates pgvector only when the migrating role may (else real[]);
    // a database past 002 already has one or the other.
    {"002_vector_search.sql", "87208d5c6d676c998aaddfb11d3c4d7d58f2e20b99be3106cd1f13e43c5ab0cb"},
};

bool superseded(std::string_view name, std::string_view checksum) {
  return std::any_of(std::begin(kSuperseded), std::end(kSuperseded), [&](const Superseded& s) {
    return s.name == name && s.checksum == checksum;
  });
}

Result<std::map<std::string, Recorded>> read_history(
    db::Connection& conn, std::span<const Migration> migrations) {
  if (auto r = conn.exec("create_migration_history", kCreateHistory); !r) {
    return r.error();
  }
  auto rows = conn.exec_params("read_migration_history", kReadHistory);
  if (!rows) {
    return make_error(Code::kFailedPrecondition,
                      "the migration history table cscx.schema_migrations is "
                      "corrupt (" +
                          rows.error().message + "); repair or restore it",
                      rows.error().detail);
  }
  std::map<std::string, Recorded> history;
  for (int i = 0; i < rows->rows(); ++i) {
    if (rows->is_null(i, 0) || rows->is_null(i, 1)) {
      return make_error(Code::kFailedPrecondition,
                        "the migration history table cscx.schema_migrations is "
                        "corrupt (a row without name or checksum)");
    }
    history[std::string(rows->value(i, 0))] =
        Recorded{std::string(rows->value(i, 1)), std::string(rows->value(i, 2))};
  }
  std::map<std::string_view, const Migration*> known;
  for (const Migration& m : migrations) known[m.name] = &m;
  for (const auto& [name, rec] : history) {
    auto it = known.find(name);
    if (it == known.end()) {
      return make_error(Code::kFailedPrecondition,
                        "the database has migration " + name +
                            " applied, which this cscx does not know; it was "
                            "migrated by a newer cscx");
    }
    if (it->second->checksum != rec.checksum && !superseded(name, rec.checksum)) {
      return make_error(
          Code::kFailedPrecondition,
          "migration " + name +
              " changed after it was applied "
              "(recorded checksum " +
              rec.checksum.substr(0, 12) + ", this build " +
              it->second->checksum.substr(0, 12) +
              "); put the original file back and add a new migration instead");
    }
  }
  return history;
}

// Releases the advisory lock however the run ends.
class LockGuard {
 public:
  explicit LockGuard(db::Connection& conn) : conn_(conn) {}
  ~LockGuard() { (void)conn_.exec("migration_unlock", kUnlock); }

 private:
  db::Connection& conn_;
};

}  // namespace

const std::vector<Migration>& builtin_migrations() {
  static const std::vector<Migration> all = [] {
    std::vector<Migration> out;
    for (const core::EmbeddedFile& f : internal::migration_files()) {
      out.push_back(
          Migration{std::string(f.name), f.content, core::sha256_hex(f.content)});
    }
    return out;
  }();
  return all;
}

Result<std::vector<MigrationState>> migration_status(
    db::Connection& conn, std::span<const Migration> migrations) {
  auto history = read_history(conn, migrations);
  if (!history) return history.error();
  std::vector<MigrationState> out;
  for (const Migration& m : migrations) {
    MigrationState s{m.name, m.checksum, false, {}};
    if (auto it = history->find(m.name); it != history->end()) {
      s.applied = true;
      s.applied_at = it->second.applied_at;
    }
    out.push_back(std::move(s));
  }
  return out;
}

Result<std::vector<std::string>> apply_migrations(db::Connection& conn,
                                                  std::span<const Migration> migrations) {
  if (auto r = conn.exec("migration_lock", kLock); !r) return r.error();
  LockGuard guard(conn);
  auto history = read_history(conn, migrations);
  if (!history) return history.error();

  std::vector<std::string> applied;
  for (const Migration& m : migrations) {
    if (history->contains(m.name)) continue;
    auto run = conn.transaction(m.name, [&]() -> Result<void> {
      if (auto r = conn.exec(m.name, std::string(m.sql)); !r) return r.error();
      if (auto r = conn.exec_params("record_migration", kRecord, {m.name, m.checksum}); !r) {
        return r.error();
      }
      return ok();
    });
    if (!run) {
      Error e = run.error();
      e.message = "migration " + m.name + " failed and was rolled back: " + e.message;
      return e;
    }
    applied.push_back(m.name);
  }
  if (!applied.empty()) (void)conn.exec("notify_schema_change", kNotify);
  return applied;
}

}  // namespace cscx::migrate
