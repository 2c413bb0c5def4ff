// A log sink that writes whole lines to a file descriptor in batches.
//
// The access log has one line per request; writing each with its own
// write() was one of the seven system calls of a request. Lines are kept in
// memory and written together when `batch_bytes` have gathered, when
// flush() is called (spdlog calls it after each error line, see
// make_stderr_logger), every `interval` from a background thread, and on
// destruction. A line is never split between two writes, so lines from
// concurrent requests stay whole. Thread-safe. Internal to src/http.
#pragma once

#include <spdlog/sinks/sink.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace cscx::http::internal {

class BatchedFdSink final : public spdlog::sinks::sink {
 public:
  static constexpr size_t kDefaultBatchBytes = 64 * 1024;
  static constexpr std::chrono::milliseconds kDefaultInterval{200};

  // Does not own `fd` (stderr stays open for other writers). Write errors
  // are ignored, as spdlog's stderr sink ignores them: a log must not stop
  // the server.
  explicit BatchedFdSink(int fd, size_t batch_bytes = kDefaultBatchBytes,
                         std::chrono::milliseconds interval = kDefaultInterval);
  ~BatchedFdSink() override;  // stops the timer, then writes what is left

  BatchedFdSink(const BatchedFdSink&) = delete;
  BatchedFdSink& operator=(const BatchedFdSink&) = delete;

  // Appends the message's payload and a newline (no pattern: the access log
  // formats its own JSON).
  void log(const spdlog::details::log_msg& message) override;
  // Writes every line logged before the call.
  void flush() override;
  void set_pattern(const std::string&) override {}
  void set_formatter(std::unique_ptr<spdlog::formatter>) override {}

 private:
  void run_timer();

  const int fd_;
  const size_t batch_bytes_;
  const std::chrono::milliseconds interval_;

  std::mutex buffer_mutex_;
  std::string buffer_;  // guarded by buffer_mutex_

  // Held while a batch is taken and written, so batches leave in order.
  std::mutex write_mutex_;
  std::string writing_;  // guarded by write_mutex_

  std::mutex timer_mutex_;
  std::condition_variable timer_wake_;
  bool stopping_ = false;  // guarded by timer_mutex_
  std::thread timer_;
};

}  // namespace cscx::http::internal
