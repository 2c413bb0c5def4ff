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
//   /NNN/...        status NNN (three digits) with an error body
// The HTTP side is tests/support/fake_http_server.h's.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "support/fake_http_server.h"

namespace cscx::testing {

class FakeLlmServer {
 public:
  // Listens on 127.0.0.1 on an ephemeral port; `answer` is the content the
  // good cases return (a JSON object as text).
  explicit FakeLlmServer(std::string answer, std::chrono::milliseconds slow_delay =
                                                 std::chrono::milliseconds(1500));

  uint16_t port() const { return http_.port(); }
  std::string url(const std::string& mode) const {
    return http_.origin() + "/" + mode + "/v1/chat/completions";
  }
  // Raw requests received (headers and body), in order.
  std::vector<std::string> requests() const { return http_.requests(); }

 private:
  FakeReply answer(const std::string& target) const;

  const std::string answer_;
  const std::chrono::milliseconds slow_delay_;
  // Last: destroyed (its threads joined) before what answer() uses.
  FakeHttpServer http_;
};

// {"choices":[{"message":{"role":"assistant","content": content}}]}
std::string chat_completion(const std::string& content);

}  // namespace cscx::testing
