#include "llm/llm_client.h"

#include <algorithm>
#include <boost/json.hpp>
#include <utility>

namespace cscx::llm {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// A chat answer is a few KiB; anything near 4 MiB is not what we asked for.
constexpr JsonPostLimits kChatLimits{"the LLM endpoint", "CSCX_LLM_URL", 4u << 20};

std::string request_body(const LlmConfig& config, std::string system, std::string user) {
  json::object body;
  body["model"] = config.model;
  body["temperature"] = 0;
  body["response_format"] = json::object{{"type", "json_object"}};
  body["messages"] =
      json::array{json::object{{"role", "system"}, {"content", std::move(system)}},
                  json::object{{"role", "user"}, {"content", std::move(user)}}};
  return json::serialize(body);
}

// The endpoint answered 200 with something that is not a chat completion:
// a wrong URL or model, the same on every try (llm/provider_http.h).
Error bad_answer(std::string message, std::string_view body) {
  return make_error(Code::kDependencyFailed, std::move(message),
                    std::string(body.substr(0, std::min<std::size_t>(body.size(), 500))));
}

// {"choices": [{"message": {"content": "<one JSON object>"}}]} -> the object.
Result<json::object> read_answer(const json::value& outer) {
  if (!outer.is_object()) return bad_answer("the LLM answer is not a JSON object", "");
  const json::value* choices = outer.as_object().if_contains("choices");
  if (!choices || !choices->is_array() || choices->as_array().empty() ||
      !choices->as_array()[0].is_object()) {
    return bad_answer("the LLM answer has no choices", json::serialize(outer));
  }
  const json::value* message = choices->as_array()[0].as_object().if_contains("message");
  const json::value* content = message && message->is_object()
                                   ? message->as_object().if_contains("content")
                                   : nullptr;
  if (!content || !content->is_string()) {
    return bad_answer("the LLM answer has no content", json::serialize(outer));
  }
  boost::system::error_code ec;
  json::value inner = json::parse(content->as_string(), ec);
  if (ec || !inner.is_object()) {
    return bad_answer("the LLM content is not one JSON object", content->as_string());
  }
  return std::move(inner.as_object());
}

}  // namespace

Result<std::optional<LlmConfig>> llm_config_from_env() {
  return provider_config_from_env("CSCX_LLM", std::chrono::milliseconds(20'000));
}

asio::awaitable<Result<json::object>> ask_json(const LlmConfig& config,
                                               std::string system, std::string user) {
  std::string body = request_body(config, std::move(system), std::move(user));
  auto answer = co_await post_json(config, kChatLimits, std::move(body));
  if (!answer) co_return answer.error();
  co_return read_answer(*answer);
}

Result<json::object> ask_json_blocking(const LlmConfig& config, std::string system,
                                       std::string user) {
  return run_blocking(ask_json(config, std::move(system), std::move(user)));
}

}  // namespace cscx::llm
