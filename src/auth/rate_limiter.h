// In-process rate limits: at most `limit` events per key per `window`
// (sliding window over the recorded event times). Per process: several
// cscx processes each apply their own limits. Thread-safe.
#pragma once

#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <unordered_map>

namespace cscx::auth {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  RateLimiter(size_t limit, Clock::duration window) : limit_(limit), window_(window) {}

  // Whether one more event for `key` is allowed now; records it if so.
  bool allow(const std::string& key, Clock::time_point now = Clock::now());
  // Whether `key` is at its limit, without recording anything.
  bool exhausted(const std::string& key, Clock::time_point now = Clock::now());
  // Records an event regardless of the limit (e.g. a failed sign-in).
  void record(const std::string& key, Clock::time_point now = Clock::now());

 private:
  std::deque<Clock::time_point>& events(const std::string& key, Clock::time_point now);

  size_t limit_;
  Clock::duration window_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::deque<Clock::time_point>> events_;
  size_t calls_ = 0;
};

}  // namespace cscx::auth
