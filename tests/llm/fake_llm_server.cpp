#include "llm/fake_llm_server.h"

#include <boost/json.hpp>
#include <utility>

namespace cscx::testing {

std::string chat_completion(const std::string& content) {
  boost::json::object message{{"role", "assistant"}, {"content", content}};
  boost::json::object choice{{"index", 0}, {"message", message}};
  return boost::json::serialize(
      boost::json::object{{"choices", boost::json::array{choice}}});
}

FakeLlmServer::FakeLlmServer(std::string answer, std::chrono::milliseconds slow_delay)
    : answer_(std::move(answer)),
      slow_delay_(slow_delay),
      http_([this](const std::string& target, const std::string&) {
        return this->answer(target);
      }) {}

FakeReply FakeLlmServer::answer(const std::string& target) const {
  const std::string mode = target.substr(1, target.find('/', 1) - 1);
  FakeReply reply;
  if (mode == "hang") {
    reply.hang = true;
  } else if (mode == "good" || mode == "slow") {
    if (mode == "slow") reply.delay = slow_delay_;
    reply.body = chat_completion(answer_);
  } else if (mode == "malformed") {
    reply.body = "{\"choices\": [ this is not json";
  } else if (mode == "wrong-shape") {
    reply.body = R"({"result": {"company_name": "Nope"}})";
  } else if (mode == "not-object") {
    reply.body = chat_completion("[1, 2, 3]");
  } else {
    const bool status =
        mode.size() == 3 && mode.find_first_not_of("0123456789") == std::string::npos;
    reply.status = status ? static_cast<unsigned>(std::stoi(mode)) : 500;
    reply.body = R"({"error": {"message": "boom"}})";
  }
  return reply;
}

}  // namespace cscx::testing
