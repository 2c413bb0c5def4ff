// A local stand-in for an OpenAI-compatible /v1/embeddings endpoint, for
// tests: nothing beyond 127.0.0.1. Its behaviour is set at run time
// (set_mode), so one server started with `cscx serve` can answer well and
// then fail:
//   good         200, one vector per input (fake_embedding() of the text)
//   error        500
//   hang         reads the request and never answers (until stopped)
//   malformed    200 with a body that is not JSON
//   wrong-shape  200 with JSON that has no "data" array
//   wrong-width  200, vectors of 768 numbers
//   not-numbers  200, vectors with a string among the numbers
//   too-few      200, one vector fewer than inputs
#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cscx::testing {

// The fake's vector for `text`: 0.5 in dimension 0, plus 3 in dimension d
// for each (word, d) of `topics` whose word occurs in the lower-cased text.
// Not unit length, so the client's normalising shows. 1536 numbers.
std::vector<double> fake_embedding(const std::string& text,
                                   const std::map<std::string, int>& topics);

// `v` scaled to unit length in floats: what the client makes of a fake
// vector, so tests compare it with what was stored or returned.
std::vector<float> unit_vector(const std::vector<double>& v);

class FakeEmbeddingServer {
 public:
  explicit FakeEmbeddingServer(std::map<std::string, int> topics = {});
  ~FakeEmbeddingServer();

  std::string url() const {
    return "http://127.0.0.1:" + std::to_string(port_) + "/v1/embeddings";
  }
  uint16_t port() const { return port_; }
  void set_mode(std::string mode);
  // Raw requests received (headers and body), in order.
  std::vector<std::string> requests() const;
  // The "input" texts of every request, in order.
  std::vector<std::string> inputs() const;

 private:
  void serve();
  void answer_one(boost::asio::ip::tcp::socket socket);
  std::string mode() const;

  std::map<std::string, int> topics_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::string mode_ = "good";
  std::vector<std::string> requests_;
  std::vector<std::string> inputs_;
  std::vector<std::thread> handlers_;
  std::thread thread_;
};

}  // namespace cscx::testing
