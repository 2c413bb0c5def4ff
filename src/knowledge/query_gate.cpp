#include "knowledge/query_gate.h"

#include <fmt/core.h>

#include <utility>

namespace cscx::knowledge::internal {

std::optional<Embedding> QueryCache::find(const std::string& text) {
  std::lock_guard lock(mutex_);
  auto it = by_text_.find(text);
  if (it == by_text_.end()) return std::nullopt;
  entries_.splice(entries_.begin(), entries_, it->second);
  return it->second->second;
}

void QueryCache::insert(const std::string& text, Embedding vector) {
  if (capacity_ == 0) return;
  std::lock_guard lock(mutex_);
  if (auto it = by_text_.find(text); it != by_text_.end()) {
    it->second->second = std::move(vector);
    entries_.splice(entries_.begin(), entries_, it->second);
    return;
  }
  if (entries_.size() == capacity_) {
    by_text_.erase(entries_.back().first);
    entries_.pop_back();
  }
  entries_.emplace_front(text, std::move(vector));
  by_text_.emplace(text, entries_.begin());
}

Result<bool> QueryGate::enter(QueryClock::time_point now) {
  std::lock_guard lock(mutex_);
  if (in_flight_ >= options_.max_in_flight) {
    return make_error(Code::kUnavailable,
                      fmt::format("the embedding endpoint already has {} query requests "
                                  "under way",
                                  in_flight_));
  }
  if (open_until_) {
    if (now < *open_until_ || probing_) {
      return make_error(Code::kUnavailable,
                        "the embedding endpoint is not asked for a while: its last "
                        "requests failed");
    }
    // The cool-down is over: this one request finds out whether the
    // provider is back; the others keep failing fast until it does.
    probing_ = true;
    ++in_flight_;
    return true;
  }
  ++in_flight_;
  return false;
}

void QueryGate::finish(bool probe, bool transient, QueryClock::time_point now) {
  std::lock_guard lock(mutex_);
  --in_flight_;
  if (probe) probing_ = false;
  if (!transient) {
    failures_ = 0;
    open_until_.reset();
    return;
  }
  if (probe) {
    open_until_ = now + options_.cool_down;
    return;
  }
  if (++failures_ >= options_.failures_to_open && !open_until_) {
    open_until_ = now + options_.cool_down;
  }
}

void QueryGate::abandon(bool probe) {
  std::lock_guard lock(mutex_);
  --in_flight_;
  if (probe) probing_ = false;
}

std::optional<std::size_t> WarningThrottle::allow(QueryClock::time_point now) {
  std::lock_guard lock(mutex_);
  if (last_ && now - *last_ < interval_) {
    ++suppressed_;
    return std::nullopt;
  }
  last_ = now;
  return std::exchange(suppressed_, 0);
}

}  // namespace cscx::knowledge::internal
