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
//   status:NNN   status NNN with an error body (which echoes kEchoedSecret)
//   padded:N     200 as good, with N spaces before the closing brace
//   refuse:W     400 for a request with a text containing W, else as good
// The HTTP side is tests/support/fake_http_server.h's.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "support/fake_http_server.h"

namespace cscx::testing {

// The fake's vector for `text`: 0.5 in dimension 0, plus 3 in dimension d
// for each (word, d) of `topics` whose word occurs in the lower-cased text.
// Not unit length, so the client's normalising shows. 1536 numbers.
std::vector<double> fake_embedding(const std::string& text,
                                   const std::map<std::string, int>& topics);

// `v` scaled to unit length in floats: what the client makes of a fake
// vector, so tests compare it with what was stored or returned.
std::vector<float> unit_vector(const std::vector<double>& v);

// What a status:NNN answer's body echoes, as providers echo a key or a
// text: it must reach Error::detail only, never an error message.
inline constexpr const char* kEchoedSecret = "sk-echoed-secret";

class FakeEmbeddingServer {
 public:
  explicit FakeEmbeddingServer(std::map<std::string, int> topics = {});

  std::string url() const { return http_.origin() + "/v1/embeddings"; }
  uint16_t port() const { return http_.port(); }
  void set_mode(std::string mode);
  // Runs `hook` at every request, before the answer, on the server's
  // thread: a test can change the database while the client waits.
  void set_on_request(std::function<void()> hook);
  // Raw requests received (headers and body), in order.
  std::vector<std::string> requests() const { return http_.requests(); }
  // The "input" texts of every request, in order.
  std::vector<std::string> inputs() const;

 private:
  FakeReply answer(const std::string& body);
  std::string mode() const;

  const std::map<std::string, int> topics_;
  mutable std::mutex mutex_;
  std::string mode_ = "good";
  std::function<void()> on_request_;
  std::vector<std::string> inputs_;
  // Last: destroyed (its threads joined) before what answer() uses.
  FakeHttpServer http_;
};

}  // namespace cscx::testing
