#include "app/database_target.h"

#include <cstdlib>

namespace cscx::app {

Result<DatabaseTarget> DatabaseTarget::resolve(
    const std::optional<std::string>& home_flag) {
  DatabaseTarget target;
  if (const char* url = std::getenv("DATABASE_URL"); url && *url) {
    target.external_url_ = url;
    return target;
  }
  auto cluster = db::EmbeddedCluster::open(db::resolve_home(home_flag));
  if (!cluster) return cluster.error();
  target.cluster_.emplace(std::move(*cluster));
  return target;
}

Result<void> DatabaseTarget::ensure_running() {
  if (!cluster_) return ok();
  auto started = cluster_->start();
  if (!started) return started.error();
  started_here_ = started_here_ || *started;
  return ok();
}

Result<void> DatabaseTarget::stop_if_started() {
  if (!cluster_ || !started_here_) return ok();
  started_here_ = false;
  return cluster_->stop();
}

std::string DatabaseTarget::admin_url() const {
  return cluster_ ? cluster_->url() : external_url_;
}

}  // namespace cscx::app
