#include "http/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace cscx::http {
namespace {

using std::chrono::milliseconds;

bool contains(const std::string& text, std::string_view line) {
  return text.find(line) != std::string::npos;
}

TEST(Metrics, CountsRequestsByRouteAndStatus) {
  Metrics metrics;
  metrics.record_request("/rest/v1/:table", 200, milliseconds(2));
  metrics.record_request("/rest/v1/:table", 200, milliseconds(3));
  metrics.record_request("/rest/v1/:table", 404, milliseconds(1));
  metrics.record_request("/health", 200, milliseconds(0));
  std::string text = metrics.render();
  EXPECT_TRUE(contains(text, "# TYPE cscx_http_requests_total counter\n")) << text;
  EXPECT_TRUE(contains(
      text, "cscx_http_requests_total{route=\"/rest/v1/:table\",status=\"200\"} 2\n"))
      << text;
  EXPECT_TRUE(contains(
      text, "cscx_http_requests_total{route=\"/rest/v1/:table\",status=\"404\"} 1\n"))
      << text;
  EXPECT_TRUE(
      contains(text, "cscx_http_requests_total{route=\"/health\",status=\"200\"} 1\n"))
      << text;
}

TEST(Metrics, RendersACumulativeLatencyHistogramInSeconds) {
  Metrics metrics;
  metrics.record_request("/x", 200, std::chrono::microseconds(700));  // <= 1 ms
  metrics.record_request("/x", 200, milliseconds(20));                // <= 25 ms
  metrics.record_request("/x", 500, std::chrono::seconds(30));        // +Inf only
  std::string text = metrics.render();
  EXPECT_TRUE(contains(text, "# TYPE cscx_http_request_duration_seconds histogram\n"));
  EXPECT_TRUE(contains(
      text, "cscx_http_request_duration_seconds_bucket{route=\"/x\",le=\"0.0005\"} 0\n"))
      << text;
  EXPECT_TRUE(contains(
      text, "cscx_http_request_duration_seconds_bucket{route=\"/x\",le=\"0.001\"} 1\n"))
      << text;
  EXPECT_TRUE(contains(
      text, "cscx_http_request_duration_seconds_bucket{route=\"/x\",le=\"0.01\"} 1\n"))
      << text;
  EXPECT_TRUE(contains(
      text, "cscx_http_request_duration_seconds_bucket{route=\"/x\",le=\"0.025\"} 2\n"))
      << text;
  EXPECT_TRUE(contains(
      text, "cscx_http_request_duration_seconds_bucket{route=\"/x\",le=\"10\"} 2\n"))
      << text;
  EXPECT_TRUE(contains(
      text, "cscx_http_request_duration_seconds_bucket{route=\"/x\",le=\"+Inf\"} 3\n"))
      << text;
  EXPECT_TRUE(
      contains(text, "cscx_http_request_duration_seconds_sum{route=\"/x\"} 30.0207\n"))
      << text;
  EXPECT_TRUE(
      contains(text, "cscx_http_request_duration_seconds_count{route=\"/x\"} 3\n"))
      << text;
}

TEST(Metrics, CountsAuthFailures) {
  Metrics metrics;
  EXPECT_TRUE(contains(metrics.render(), "\ncscx_auth_failures_total 0\n"));
  metrics.count_auth_failure();
  metrics.count_auth_failure();
  EXPECT_TRUE(contains(metrics.render(), "\ncscx_auth_failures_total 2\n"));
}

TEST(Metrics, AppendsGaugeSources) {
  Metrics metrics;
  metrics.add_gauge_source([] {
    return "# TYPE cscx_db_pool_connections gauge\n"
           "cscx_db_pool_connections{state=\"idle\"} 4\n";
  });
  metrics.add_gauge_source([] { return std::string("cscx_other 1"); });
  std::string text = metrics.render();
  EXPECT_TRUE(contains(text, "cscx_db_pool_connections{state=\"idle\"} 4\n")) << text;
  EXPECT_TRUE(text.ends_with("cscx_other 1\n")) << text;
}

TEST(Metrics, EscapesLabelValues) {
  Metrics metrics;
  metrics.record_request("a\"b\\c\nd", 200, milliseconds(1));
  EXPECT_TRUE(
      contains(metrics.render(),
               "cscx_http_requests_total{route=\"a\\\"b\\\\c\\nd\",status=\"200\"} 1\n"));
}

TEST(Metrics, CountsCorrectlyFromManyThreads) {
  Metrics metrics;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&metrics, t] {
      for (int i = 0; i < 1000; ++i) {
        metrics.record_request(i % 2 ? "/a" : "/b", 200 + static_cast<unsigned>(t),
                               milliseconds(1));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::string text = metrics.render();
  EXPECT_TRUE(
      contains(text, "cscx_http_request_duration_seconds_count{route=\"/a\"} 2000\n"))
      << text;
  EXPECT_TRUE(
      contains(text, "cscx_http_requests_total{route=\"/b\",status=\"203\"} 500\n"))
      << text;
}

}  // namespace
}  // namespace cscx::http
