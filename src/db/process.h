// Runs a PostgreSQL tool (initdb, pg_ctl, pg_dump, ...) and collects its
// output. Internal to db/.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"

namespace cscx::db::internal {

// The system user a child runs as (root runs the cluster as `postgres`).
struct RunAs {
  uid_t uid;
  gid_t gid;
  std::string name;
};

struct ProcessOutput {
  int exit_code = 0;   // 128 + signal when killed by a signal
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv[0] (an absolute path) with argv, stdin from /dev/null, in
// directory "/", and returns once it exits. The child inherits no file
// descriptors beyond 0-2. Fails only when the process cannot be started.
[[nodiscard]] Result<ProcessOutput> run_process(const std::vector<std::string>& argv,
                                                const std::optional<RunAs>& as);

// The user the embedded cluster runs as: `postgres` (created when missing)
// when this process is root, nullopt (this user) otherwise.
[[nodiscard]] Result<std::optional<RunAs>> cluster_user();

// Directory holding initdb, pg_ctl, pg_dump, pg_restore: $CSCX_PG_BINDIR, or
// the newest /usr/lib/postgresql/<major>/bin with a postgres binary.
[[nodiscard]] Result<std::filesystem::path> postgres_bindir();

}  // namespace cscx::db::internal
