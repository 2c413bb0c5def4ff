// Process metrics in the Prometheus text exposition format (version 0.0.4).
//
// The server records every request (by route and status, and its latency),
// the auth layer counts refusals, and other areas append gauges through a
// render callback (the database pool reports in-use/idle/waiting that way).
// All members are thread-safe. Series:
//   cscx_http_requests_total{route,status}            counter
//   cscx_http_request_duration_seconds{route}         histogram
//   cscx_auth_failures_total                          counter
//   whatever the gauge sources render
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace cscx::http {

class Router;

// Upper bounds of the latency histogram in seconds (+Inf is implied): the
// Prometheus client defaults, with 0.5, 1 and 2.5 ms added because a
// request that reads one row takes about a millisecond.
inline constexpr std::array<double, 14> kLatencyBuckets = {
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0};

class Metrics {
 public:
  Metrics() = default;
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // One finished request. `route` must be low-cardinality (a route name,
  // never a raw path): each distinct value is a series kept forever.
  void record_request(std::string_view route, unsigned status,
                      std::chrono::nanoseconds duration);

  void count_auth_failure();

  // `render` returns complete Prometheus text (HELP/TYPE lines and samples,
  // each line ending in '\n'); it is called on every render(), without any
  // Metrics lock held, from any thread. It must not throw.
  void add_gauge_source(std::function<std::string()> render);

  // The whole exposition.
  std::string render() const;

 private:
  struct RouteSeries {
    std::array<std::atomic<std::uint64_t>, kLatencyBuckets.size() + 1>
        buckets{};  // +Inf last
    std::atomic<std::uint64_t> sum_nanoseconds{0};
    std::atomic<std::uint64_t> count{0};
    std::map<unsigned, std::atomic<std::uint64_t>> by_status;
  };

  // Recording takes the shared lock and bumps atomics; only a new route or
  // status takes the exclusive lock. std::map nodes never move, so the
  // atomics stay put.
  mutable std::shared_mutex mutex_;
  std::map<std::string, RouteSeries, std::less<>> routes_;
  std::atomic<std::uint64_t> auth_failures_{0};

  mutable std::mutex sources_mutex_;
  std::vector<std::function<std::string()>> gauge_sources_;
};

// Registers GET /metrics (route "/metrics"), answering render() as
// `text/plain; version=0.0.4; charset=utf-8`. `metrics` must outlive the
// router.
void add_metrics_route(Router& router, Metrics& metrics);

}  // namespace cscx::http
