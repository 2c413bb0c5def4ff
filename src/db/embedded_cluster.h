// The embedded PostgreSQL cluster cscx runs under its home directory when no
// DATABASE_URL is given.
//
// Layout under the home directory:
//   cluster/            owned by the cluster user (`postgres` when cscx runs
//                       as root; a symlink into /var/lib/cscx/clusters/ when
//                       that user cannot reach the home directory)
//   cluster/pgdata/     the data directory (initdb on first start)
//   cluster/run/        unix socket directory (no TCP listener)
//   cluster/postgres.log
//   cscx.lock           flock()ed while starting or stopping
// The cluster's superuser is `postgres` with trust authentication on a
// socket only its owner (and root) can open. cscx's data lives in the
// database `cscx`.
//
// Not thread-safe; processes coordinate through the lock file, so two cscx
// processes on one home never start two clusters.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "db/process.h"

namespace cscx::db {

struct ClusterLayout {
  std::filesystem::path home;
  std::filesystem::path root;     // home/cluster, resolved
  std::filesystem::path data;     // root/pgdata
  std::filesystem::path sockets;  // root/run, or /tmp/cscx-<hash> when long
  std::filesystem::path log;      // root/postgres.log
};

class EmbeddedCluster {
 public:
  enum class State { kNotInitialized, kStopped, kRunning };
  static constexpr std::string_view kDatabase = "cscx";

  // Creates the home directory if needed and resolves the layout. Fails
  // with a one-line message when the home cannot be created or written, or
  // when the PostgreSQL binaries are missing.
  [[nodiscard]] static Result<EmbeddedCluster> open(const std::filesystem::path& home);

  [[nodiscard]] Result<State> state() const;

  // Starts the cluster (initdb on first use, a stale postmaster.pid left by
  // a crash is removed) and waits until it accepts connections, then makes
  // sure database `cscx` exists. Returns false when it was already running
  // (started by another cscx), true when this call started it.
  [[nodiscard]] Result<bool> start();

  // Fast shutdown (rolls back open transactions), waits for it. A stopped
  // cluster is not an error.
  [[nodiscard]] Result<void> stop();

  // libpq URL of the superuser on `database`, for psql and migrations.
  std::string url(std::string_view database = kDatabase,
                  std::string_view user = "postgres") const;

  const ClusterLayout& layout() const { return layout_; }

 private:
  EmbeddedCluster(ClusterLayout layout, std::optional<internal::RunAs> user,
                  std::filesystem::path bindir)
      : layout_(std::move(layout)), user_(std::move(user)), bindir_(std::move(bindir)) {}

  Result<void> initdb();
  Result<void> remove_stale_pid_file();
  Result<void> ensure_database();
  bool postmaster_running() const;
  Result<internal::ProcessOutput> run(std::vector<std::string> argv) const;

  ClusterLayout layout_;
  std::optional<internal::RunAs> user_;
  std::filesystem::path bindir_;
};

// The home directory: `flag` when given, else $CSCX_HOME, else ./.cscx;
// made absolute.
std::filesystem::path resolve_home(const std::optional<std::string>& flag);

// Linux's autogroup scheduling (kernel.sched_autogroup_enabled, read from
// `setting`) puts every session in a scheduling group of its own, and every
// PostgreSQL backend calls setsid(): each backend becomes a group alone.
// Under CPU saturation that stalled single queries for up to a second
// (bench/README.md, "Kernel scheduling"). Returns the advice to log when
// autogroup is on, nothing when it is off or the setting does not exist.
std::optional<std::string> autogroup_advice(
    const std::filesystem::path& setting = "/proc/sys/kernel/sched_autogroup_enabled");

}  // namespace cscx::db
