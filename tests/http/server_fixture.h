// A real Server on 127.0.0.1 with an ephemeral port, run on a thread of its
// own, with a test router and a log that tests can read.
#pragma once

#include <gtest/gtest.h>
#include <spdlog/sinks/base_sink.h>

#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "http/server.h"

namespace cscx::http::testing {

// Keeps every log line; thread-safe.
class CapturingSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  std::vector<std::string> lines() {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& message) override {
    lines_.emplace_back(message.payload.data(), message.payload.size());
  }
  void flush_() override {}

 private:
  std::vector<std::string> lines_;
};

// The origin the fixture's server allows; any other is refused.
inline constexpr std::string_view kAllowedOrigin = "https://app.example";

// Options for tests: two threads, small limits, short timeouts.
ServerOptions test_options();

// Routes:
//   GET|POST /echo   200 text/plain, the body; X-Echo-Path/-Query headers;
//                    user_id "user-1"
//   GET /files/*     200, the decoded path as the body
//   GET /slow        200 after 300 ms (slow_started() turns true at once)
//   GET /hang        waits an hour
//   GET /throw       throws std::runtime_error("boom")
//   GET /error       Error kNotFound "no such thing", detail "secret detail"
//   GET /bad-headers a CRLF-injecting, a non-token and server-owned headers
//   GET /bad-status  status 1000
//   GET /metrics     add_metrics_route
class ServerTest : public ::testing::Test {
 protected:
  void TearDown() override;

  // Starts the server; fails the test when it cannot listen.
  void start(ServerOptions options = test_options());

  // Stops the server and waits for run() to return; false after `timeout`.
  bool stop(std::chrono::milliseconds timeout = std::chrono::seconds(5));

  // Whether run() has returned.
  bool stopped(std::chrono::milliseconds wait = std::chrono::milliseconds(0));

  bool slow_started() const { return slow_started_->load(); }

  std::vector<std::string> log_lines() { return sink_->lines(); }

  Server& server() { return *server_; }
  uint16_t port() const { return port_; }

 private:
  std::shared_ptr<std::atomic<bool>> slow_started_ =
      std::make_shared<std::atomic<bool>>(false);
  std::shared_ptr<CapturingSink> sink_;
  std::unique_ptr<Server> server_;
  std::thread thread_;
  std::future<void> finished_;
  uint16_t port_ = 0;
};

}  // namespace cscx::http::testing
