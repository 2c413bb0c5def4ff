#include "rest/schema_listener.h"

#include <poll.h>

#include <optional>

#include <spdlog/spdlog.h>

namespace cscx::rest {

Result<std::unique_ptr<SchemaListener>> SchemaListener::start(std::string conninfo) {
  std::unique_ptr<SchemaListener> listener(new SchemaListener(std::move(conninfo)));
  auto conn = db::Connection::open(listener->conninfo_);
  if (!conn) return conn.error();
  // LISTEN before the first load, on the connection the thread keeps: a
  // change announced between the two is then never lost.
  if (auto listening = conn->exec("listen_schema_changes", "LISTEN pgrst"); !listening) {
    return listening.error();
  }
  auto cache = SchemaCache::load(*conn);
  if (!cache) return cache.error();
  listener->cache_ = std::move(*cache);
  listener->loads_ = 1;
  listener->thread_ = std::thread(
      [l = listener.get(), c = std::move(*conn)]() mutable { l->run(std::move(c)); });
  return listener;
}

SchemaListener::~SchemaListener() {
  stopping_ = true;
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::shared_ptr<const SchemaCache> SchemaListener::current() const {
  std::lock_guard lock(mutex_);
  return cache_;
}

bool SchemaListener::reload(db::Connection& conn) {
  auto cache = SchemaCache::load(conn);
  if (!cache) {
    spdlog::warn("schema cache reload failed: {}", cache.error().to_string());
    return false;
  }
  {
    std::lock_guard lock(mutex_);
    cache_ = std::move(*cache);
  }
  ++loads_;
  spdlog::info("schema cache reloaded");
  return true;
}

void SchemaListener::sleep_for(std::chrono::milliseconds d) {
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, d, [this] { return stopping_.load(); });
}

void SchemaListener::run(db::Connection first) {
  std::optional<db::Connection> conn(std::move(first));
  while (!stopping_) {
    if (!conn) {
      auto fresh = db::Connection::open(conninfo_);
      if (!fresh || !fresh->exec("listen_schema_changes", "LISTEN pgrst")) {
        sleep_for(std::chrono::seconds(1));
        continue;
      }
      conn.emplace(std::move(*fresh));
      // Changes made while we were not listening were not announced to us.
      reload(*conn);
    }
    PGconn* pg = conn->native();
    while (!stopping_) {
      pollfd fd{PQsocket(pg), POLLIN, 0};
      if (::poll(&fd, 1, 250) < 0 && errno != EINTR) break;
      if (PQconsumeInput(pg) == 0) break;  // connection lost
      bool wanted = false;
      while (PGnotify* n = PQnotifies(pg)) {
        const std::string_view payload = n->extra ? n->extra : "";
        wanted = wanted || payload.empty() || payload == "reload schema";
        PQfreemem(n);
      }
      if (wanted) reload(*conn);
      if (PQstatus(pg) != CONNECTION_OK) break;
    }
    conn.reset();
  }
}

}  // namespace cscx::rest
