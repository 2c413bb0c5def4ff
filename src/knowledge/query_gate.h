// Internal to knowledge/embedding_provider.cpp: what stands between a
// knowledge search and the embedding provider (embed_search_query), so that a slow
// or failing provider costs searches little. Every search asks for a query
// vector; without these, each one would wait for the provider's full
// timeout while it is down, and an identical query would be paid for twice.
//
// Pure bookkeeping: no I/O, no clock of its own (callers pass `now`), so
// the rules are tested directly (tests/knowledge/query_gate_test.cpp).
// Every class here is thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/error.h"
#include "knowledge/embedder.h"

namespace cscx::knowledge::internal {

using QueryClock = std::chrono::steady_clock;

// The most recently used `capacity` query texts and their vectors.
class QueryCache {
 public:
  explicit QueryCache(std::size_t capacity) : capacity_(capacity) {}

  // The vector of `text` (and marks it most recently used), or nullopt.
  std::optional<Embedding> find(const std::string& text);
  // Remembers `vector` for `text`, dropping the least recently used entry
  // when full.
  void insert(const std::string& text, Embedding vector);

 private:
  using Entry = std::pair<std::string, Embedding>;
  const std::size_t capacity_;
  std::mutex mutex_;
  std::list<Entry> entries_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> by_text_;
};

struct QueryGateOptions {
  std::size_t max_in_flight = 8;  // provider requests for queries at once
  int failures_to_open = 5;       // consecutive transient failures
  std::chrono::seconds cool_down{30};
};

// Admits a query's provider request or refuses it at once: a circuit
// breaker and a cap on requests in flight. Refusing fast is the point: a
// search without a query vector still answers by full text, at once, where
// a queue would make every search wait for a provider that is struggling.
//
// The breaker: `failures_to_open` transient failures in a row (kUnavailable:
// timeouts, refused connections, 429, 5xx) open it for `cool_down`; then one
// request is let through, and its outcome closes the breaker or opens it
// for another cool_down. Any answer that is not transient (a vector, or a
// permanent refusal such as a bad key) shows the provider is reachable and
// resets the count: a permanent failure is fast and is not what the breaker
// protects against.
class QueryGate {
 public:
  explicit QueryGate(QueryGateOptions options = {}) : options_(options) {}

  // A value: the caller may ask the provider now and must call finish()
  // after, passing it back (true: this request is the breaker's probe).
  // kUnavailable (nothing to finish): the breaker is open, its one probe is
  // under way, or max_in_flight requests are.
  [[nodiscard]] Result<bool> enter(QueryClock::time_point now);
  // The outcome of an admitted request: `transient` if it failed with
  // kUnavailable.
  void finish(bool probe, bool transient, QueryClock::time_point now);
  // An admitted request that ended without an outcome (its coroutine was
  // destroyed): frees its slot and changes nothing else.
  void abandon(bool probe);

 private:
  const QueryGateOptions options_;
  std::mutex mutex_;
  std::size_t in_flight_ = 0;
  int failures_ = 0;
  std::optional<QueryClock::time_point> open_until_;
  bool probing_ = false;
};

// At most one warning per `interval`: allow() says whether to log now, and
// how many were held back since the last one logged.
class WarningThrottle {
 public:
  explicit WarningThrottle(std::chrono::seconds interval) : interval_(interval) {}

  // nullopt: stay quiet (counted). Else log now, mentioning the count of
  // warnings suppressed since the last one.
  std::optional<std::size_t> allow(QueryClock::time_point now);

 private:
  const std::chrono::seconds interval_;
  std::mutex mutex_;
  std::optional<QueryClock::time_point> last_;
  std::size_t suppressed_ = 0;
};

// The search path's state for one provider (EmbeddingProviderConfig::queries).
struct QueryState {
  QueryCache cache{1024};
  QueryGate gate;
  WarningThrottle warnings{std::chrono::seconds(30)};
};

}  // namespace cscx::knowledge::internal
