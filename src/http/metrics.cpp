#include "http/metrics.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "http/router.h"

namespace cscx::http {
namespace {

// Label values escape backslash, double quote and line feed (exposition
// format 0.0.4).
std::string escape_label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

void Metrics::record_request(std::string_view route, unsigned status,
                             std::chrono::nanoseconds duration) {
  const auto nanoseconds =
      static_cast<std::uint64_t>(std::max<std::int64_t>(0, duration.count()));
  const double seconds = static_cast<double>(nanoseconds) / 1e9;
  const auto bucket = static_cast<size_t>(
      std::lower_bound(kLatencyBuckets.begin(), kLatencyBuckets.end(), seconds) -
      kLatencyBuckets.begin());
  auto bump = [&](RouteSeries& series, std::atomic<std::uint64_t>& by_status) {
    by_status.fetch_add(1, std::memory_order_relaxed);
    series.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
    series.sum_nanoseconds.fetch_add(nanoseconds, std::memory_order_relaxed);
    series.count.fetch_add(1, std::memory_order_relaxed);
  };
  {
    std::shared_lock lock(mutex_);
    auto series = routes_.find(route);
    if (series != routes_.end()) {
      auto counter = series->second.by_status.find(status);
      if (counter != series->second.by_status.end()) {
        bump(series->second, counter->second);
        return;
      }
    }
  }
  std::unique_lock lock(mutex_);
  auto series = routes_.try_emplace(std::string(route)).first;
  auto counter = series->second.by_status.try_emplace(status).first;
  bump(series->second, counter->second);
}

void Metrics::count_auth_failure() {
  auth_failures_.fetch_add(1, std::memory_order_relaxed);
}

void Metrics::add_gauge_source(std::function<std::string()> render) {
  std::lock_guard lock(sources_mutex_);
  gauge_sources_.push_back(std::move(render));
}

std::string Metrics::render() const {
  std::string out;
  auto sink = std::back_inserter(out);
  {
    std::shared_lock lock(mutex_);
    out +=
        "# HELP cscx_http_requests_total HTTP requests answered, by route and status.\n"
        "# TYPE cscx_http_requests_total counter\n";
    for (const auto& [route, series] : routes_) {
      const std::string label = escape_label(route);
      for (const auto& [status, count] : series.by_status) {
        fmt::format_to(sink,
                       "cscx_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n",
                       label, status, count.load(std::memory_order_relaxed));
      }
    }
    out +=
        "# HELP cscx_http_request_duration_seconds Time from the first byte of a "
        "request to the last byte of its response.\n"
        "# TYPE cscx_http_request_duration_seconds histogram\n";
    for (const auto& [route, series] : routes_) {
      const std::string label = escape_label(route);
      std::uint64_t cumulative = 0;
      for (size_t i = 0; i < series.buckets.size(); ++i) {
        cumulative += series.buckets[i].load(std::memory_order_relaxed);
        std::string le = i < kLatencyBuckets.size()
                             ? fmt::format("{}", kLatencyBuckets[i])
                             : std::string("+Inf");
        fmt::format_to(
            sink,
            "cscx_http_request_duration_seconds_bucket{{route=\"{}\",le=\"{}\"}} "
            "{}\n",
            label, le, cumulative);
      }
      fmt::format_to(
          sink, "cscx_http_request_duration_seconds_sum{{route=\"{}\"}} {}\n", label,
          static_cast<double>(series.sum_nanoseconds.load(std::memory_order_relaxed)) /
              1e9);
      fmt::format_to(sink,
                     "cscx_http_request_duration_seconds_count{{route=\"{}\"}} {}\n",
                     label, series.count.load(std::memory_order_relaxed));
    }
  }
  fmt::format_to(sink,
                 "# HELP cscx_auth_failures_total Requests refused for missing or bad "
                 "credentials.\n"
                 "# TYPE cscx_auth_failures_total counter\n"
                 "cscx_auth_failures_total {}\n",
                 auth_failures_.load(std::memory_order_relaxed));
  // Sources are copied out so that none runs under our lock: a source may
  // take locks of its own (the pool's) or even call back into Metrics.
  std::vector<std::function<std::string()>> sources;
  {
    std::lock_guard lock(sources_mutex_);
    sources = gauge_sources_;
  }
  for (const auto& source : sources) {
    out += source();
    if (!out.empty() && out.back() != '\n') out += '\n';
  }
  return out;
}

void add_metrics_route(Router& router, Metrics& metrics) {
  router.add("GET", "/metrics", "/metrics",
             [&metrics](const Request&,
                        RequestLog&) -> boost::asio::awaitable<Result<Response>> {
               Response response;
               response.content_type = "text/plain; version=0.0.4; charset=utf-8";
               response.body = metrics.render();
               co_return response;
             });
}

}  // namespace cscx::http
