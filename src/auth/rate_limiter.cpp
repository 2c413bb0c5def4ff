#include "auth/rate_limiter.h"

namespace cscx::auth {

std::deque<RateLimiter::Clock::time_point>& RateLimiter::events(const std::string& key,
                                                                Clock::time_point now) {
  // Now and then drop keys whose events have all expired, so memory stays
  // bounded by the keys active within one window.
  if (++calls_ % 1024 == 0) {
    std::erase_if(events_, [&](const auto& kv) {
      return kv.second.empty() || kv.second.back() <= now - window_;
    });
  }
  auto& q = events_[key];
  while (!q.empty() && q.front() <= now - window_) q.pop_front();
  return q;
}

bool RateLimiter::allow(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  auto& q = events(key, now);
  if (q.size() >= limit_) return false;
  q.push_back(now);
  return true;
}

bool RateLimiter::exhausted(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  return events(key, now).size() >= limit_;
}

void RateLimiter::record(const std::string& key, Clock::time_point now) {
  std::lock_guard lock(mutex_);
  events(key, now).push_back(now);
}

}  // namespace cscx::auth
