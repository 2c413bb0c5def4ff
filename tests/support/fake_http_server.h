// A local HTTP server for tests that stand in for an external service (the
// OpenAI-compatible chat and embedding providers): listens on 127.0.0.1 on
// an ephemeral port, answers each connection's one request on its own
// thread with whatever `Handler` says, and records the raw requests. The
// fakes built on it (tests/llm/fake_llm_server.h,
// tests/knowledge/fake_embedding_server.h) only decide the answers.
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cscx::testing {

struct FakeReply {
  unsigned status = 200;
  std::string body;  // sent as application/json
  // Waits this long before answering (cut short when the server stops).
  std::chrono::milliseconds delay{0};
  // Reads the request and never answers (until the server stops): the
  // client must give up by itself.
  bool hang = false;
};

class FakeHttpServer {
 public:
  // Called once per request, on that connection's thread (so concurrently
  // for concurrent requests), with the request target and body.
  using Handler =
      std::function<FakeReply(const std::string& target, const std::string& body)>;

  explicit FakeHttpServer(Handler handler);
  // Stops accepting, wakes hanging and delayed answers, joins every thread.
  ~FakeHttpServer();

  uint16_t port() const { return port_; }
  // "http://127.0.0.1:<port>"
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Raw requests received (headers and body), in order of arrival.
  std::vector<std::string> requests() const;

 private:
  void serve();
  void answer_one(boost::asio::ip::tcp::socket socket);
  void wait(std::chrono::milliseconds delay) const;

  Handler handler_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> requests_;
  std::vector<std::thread> handlers_;
  std::thread thread_;
};

// The raw request's body: what follows the blank line after the headers.
std::string request_body(const std::string& raw_request);

}  // namespace cscx::testing
