#include "db/backup.h"

#include <unistd.h>

#include "db/process.h"

namespace cscx::db {
namespace fs = std::filesystem;

namespace {

constexpr const char* kCountUserRelations = R"sql(
SELECT count(*) FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg_temp_%' AND n.nspname NOT LIKE 'pg_toast_temp_%'
)sql";

std::string last_lines(std::string s, size_t max_lines) {
  while (!s.empty() && s.back() == '\n') s.pop_back();
  size_t pos = s.size();
  for (size_t i = 0; i < max_lines && pos != std::string::npos && pos > 0; ++i) {
    pos = s.rfind('\n', pos - 1);
  }
  return pos == std::string::npos ? s : s.substr(pos + 1);
}

}  // namespace

Result<void> backup_database(const std::string& url, const fs::path& file) {
  auto bindir = internal::postgres_bindir();
  if (!bindir) return bindir.error();
  std::error_code ec;
  const fs::path target = fs::absolute(file, ec);
  const fs::path partial = target.string() + ".partial";
  auto r = internal::run_process({(*bindir / "pg_dump").string(), "--format=custom",
                                  "--file=" + partial.string(), "--dbname=" + url},
                                 std::nullopt);
  if (!r) return r.error();
  if (r->exit_code != 0) {
    fs::remove(partial, ec);
    return make_error(Code::kUnavailable, "backup failed: " + last_lines(r->output, 1),
                      r->output);
  }
  fs::rename(partial, target, ec);
  if (ec) {
    fs::remove(partial, ec);
    return make_error(Code::kFailedPrecondition,
                      "cannot write " + target.string() + ": " + ec.message());
  }
  return ok();
}

Result<long> count_user_relations(Connection& conn) {
  auto r = conn.exec_params("count_user_relations", kCountUserRelations);
  if (!r) return r.error();
  return std::stol(std::string(r->value(0, 0)));
}

Result<void> restore_database(const std::string& url, const fs::path& file,
                              RestoreMode mode) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec) || ::access(file.c_str(), R_OK) != 0) {
    return make_error(Code::kInvalidArgument, "cannot read backup file " + file.string());
  }
  auto bindir = internal::postgres_bindir();
  if (!bindir) return bindir.error();
  // Validate the archive before touching the database.
  auto list = internal::run_process(
      {(*bindir / "pg_restore").string(), "--list", fs::absolute(file).string()},
      std::nullopt);
  if (!list) return list.error();
  if (list->exit_code != 0) {
    return make_error(Code::kInvalidArgument,
                      file.string() + " is not a pg_dump custom-format archive",
                      list->output);
  }
  std::vector<std::string> argv = {(*bindir / "pg_restore").string(),
                                   "--single-transaction", "--exit-on-error",
                                   "--no-owner", "--dbname=" + url};
  if (mode == RestoreMode::kClean) {
    argv.push_back("--clean");
    argv.push_back("--if-exists");
  }
  argv.push_back(fs::absolute(file).string());
  auto r = internal::run_process(argv, std::nullopt);
  if (!r) return r.error();
  if (r->exit_code != 0) {
    return make_error(Code::kFailedPrecondition,
                      "restore failed, nothing was changed: " + last_lines(r->output, 1),
                      r->output);
  }
  return ok();
}

}  // namespace cscx::db
