// A local stand-in for an OpenAI-compatible chat-completions endpoint, for
// tests: no network beyond 127.0.0.1. The first path segment of the URL picks
// the canned behaviour, so one server serves every case:
//   /good/...       200 with {"choices":[{"message":{"content": <answer>}}]}
//   /malformed/...  200 with a body that is not JSON
//   /wrong-shape/...200 with JSON that is not the chat-completions shape
//   /not-object/... 200 whose content is a JSON array, not an object
//   /error/...      500
//   /slow/...       waits `slow_delay` before answering as /good
//   /hang/...       reads the request and never answers (until stopped)
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cscx::testing {

class FakeLlmServer {
 public:
  // Listens on 127.0.0.1 on an ephemeral port; `answer` is the content the
  // good cases return (a JSON object as text).
  explicit FakeLlmServer(std::string answer,
                         std::chrono::milliseconds slow_delay = std::chrono::milliseconds(1500));
  ~FakeLlmServer();

  uint16_t port() const { return port_; }
  std::string url(const std::string& mode) const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/" + mode + "/v1/chat/completions";
  }
  // Raw requests received (headers and body), in order.
  std::vector<std::string> requests() const;

 private:
  void serve();
  void answer_one(boost::asio::ip::tcp::socket socket);

  std::string answer_;
  std::chrono::milliseconds slow_delay_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> requests_;
  std::vector<std::thread> handlers_;
  std::thread thread_;
};

// {"choices":[{"message":{"role":"assistant","content": content}}]}
std::string chat_completion(const std::string& content);

}  // namespace cscx::testing
