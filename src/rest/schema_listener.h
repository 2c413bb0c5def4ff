// Keeps the /rest/v1 schema cache current: loads it at start, then listens
// on the channel `pgrst` (PostgREST's) and reloads on "reload schema" or an
// empty payload. cscx's migrator sends that NOTIFY after applying
// migrations, and an operator can too: NOTIFY pgrst, 'reload schema'.
//
// One background thread with its own connection; it reconnects (and
// reloads, since notifications sent meanwhile were lost) when the
// connection drops. Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "core/error.h"
#include "rest/schema_cache.h"

namespace cscx::rest {

class SchemaListener {
 public:
  // Loads the cache once over `conninfo` (kUnavailable when that fails) and
  // starts listening.
  [[nodiscard]] static Result<std::unique_ptr<SchemaListener>> start(std::string conninfo);
  ~SchemaListener();  // stops and joins the thread

  // The current cache; callers keep the pointer for a whole request, so a
  // reload never changes the schema under a request.
  std::shared_ptr<const SchemaCache> current() const;
  // How many times the cache was loaded (1 after start).
  uint64_t loads() const { return loads_.load(); }

 private:
  explicit SchemaListener(std::string conninfo) : conninfo_(std::move(conninfo)) {}
  void run(db::Connection first);
  bool reload(db::Connection& conn);
  void sleep_for(std::chrono::milliseconds d);

  std::string conninfo_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::shared_ptr<const SchemaCache> cache_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> loads_{0};
  std::thread thread_;
};

}  // namespace cscx::rest
