// Which PostgreSQL a command works on: $DATABASE_URL when set (never started
// or stopped by cscx), else the embedded cluster under the home directory.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "core/error.h"
#include "db/embedded_cluster.h"

namespace cscx::app {

class DatabaseTarget {
 public:
  // Reads DATABASE_URL; otherwise opens the embedded cluster at `home`
  // without starting it.
  [[nodiscard]] static Result<DatabaseTarget> resolve(
      const std::optional<std::string>& home_flag);

  bool embedded() const { return cluster_.has_value(); }
  db::EmbeddedCluster& cluster() { return *cluster_; }

  // Starts the embedded cluster when it is not running (no-op for an
  // external server). stop_if_started() undoes exactly that.
  [[nodiscard]] Result<void> ensure_running();
  [[nodiscard]] Result<void> stop_if_started();

  // Privileged URL for migrations, backup and restore.
  std::string admin_url() const;

 private:
  std::optional<db::EmbeddedCluster> cluster_;
  std::string external_url_;
  bool started_here_ = false;
};

}  // namespace cscx::app
