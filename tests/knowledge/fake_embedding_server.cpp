#include "knowledge/fake_embedding_server.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <cmath>
#include <utility>

namespace cscx::testing {
namespace json = boost::json;

std::vector<double> fake_embedding(const std::string& text,
                                   const std::map<std::string, int>& topics) {
  std::string lower = text;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  std::vector<double> v(1536, 0.0);
  v[0] = 0.5;
  for (const auto& [word, dimension] : topics) {
    if (lower.find(word) != std::string::npos)
      v[static_cast<std::size_t>(dimension)] += 3.0;
  }
  return v;
}

std::vector<float> unit_vector(const std::vector<double>& v) {
  double norm = 0;
  for (double x : v) norm += x * x;
  std::vector<float> out;
  for (double x : v) out.push_back(static_cast<float>(x / std::sqrt(norm)));
  return out;
}

FakeEmbeddingServer::FakeEmbeddingServer(std::map<std::string, int> topics)
    : topics_(std::move(topics)),
      http_(
          [this](const std::string&, const std::string& body) { return answer(body); }) {}

void FakeEmbeddingServer::set_mode(std::string mode) {
  std::lock_guard lock(mutex_);
  mode_ = std::move(mode);
}

void FakeEmbeddingServer::set_on_request(std::function<void()> hook) {
  std::lock_guard lock(mutex_);
  on_request_ = std::move(hook);
}

std::string FakeEmbeddingServer::mode() const {
  std::lock_guard lock(mutex_);
  return mode_;
}

std::vector<std::string> FakeEmbeddingServer::inputs() const {
  std::lock_guard lock(mutex_);
  return inputs_;
}

FakeReply FakeEmbeddingServer::answer(const std::string& request_body) {
  std::vector<std::string> texts;
  boost::system::error_code ec;
  const json::value body = json::parse(request_body, ec);
  if (!ec && body.is_object() && body.as_object().contains("input") &&
      body.at("input").is_array()) {
    for (const json::value& t : body.at("input").as_array()) {
      if (t.is_string()) texts.emplace_back(t.as_string());
    }
  }
  std::function<void()> hook;
  {
    std::lock_guard lock(mutex_);
    inputs_.insert(inputs_.end(), texts.begin(), texts.end());
    hook = on_request_;
  }
  if (hook) hook();
  const std::string mode = this->mode();
  FakeReply reply;
  auto has_word = [&texts](const std::string& word) {
    for (const std::string& t : texts) {
      if (t.find(word) != std::string::npos) return true;
    }
    return false;
  };
  if (mode.rfind("refuse:", 0) == 0 && has_word(mode.substr(7))) {
    reply.status = 400;
    reply.body = R"({"error": {"message": "This model's maximum context length is 8192"}})";
  } else if (mode == "hang") {
    reply.hang = true;
  } else if (mode == "error") {
    reply.status = 500;
    reply.body = R"({"error": {"message": "boom"}})";
  } else if (mode.rfind("status:", 0) == 0) {
    reply.status = static_cast<unsigned>(std::stoi(mode.substr(7)));
    reply.body = std::string(R"({"error": {"message": "Incorrect API key provided: )") +
                 kEchoedSecret + R"("}})";
  } else if (mode == "malformed") {
    reply.body = R"({"data": [ not json)";
  } else if (mode == "wrong-shape") {
    reply.body = R"({"embeddings": [[0.1, 0.2]]})";
  } else {
    json::array data;
    // Answered in reverse order: the client must sort by "index".
    for (std::size_t i = texts.size(); i-- > 0;) {
      if (mode == "too-few" && i == 0) continue;
      json::array numbers;
      std::vector<double> v = fake_embedding(texts[i], topics_);
      if (mode == "wrong-width") v.resize(768);
      for (double x : v) numbers.emplace_back(x);
      if (mode == "not-numbers") numbers[5] = "0.1";
      data.emplace_back(json::object{{"object", "embedding"},
                                     {"index", static_cast<std::int64_t>(i)},
                                     {"embedding", std::move(numbers)}});
    }
    reply.body = json::serialize(json::object{
        {"object", "list"}, {"data", std::move(data)}, {"model", "fake-embed"}});
    if (mode.rfind("padded:", 0) == 0) {
      reply.body.insert(reply.body.size() - 1, std::stoul(mode.substr(7)), ' ');
    }
  }
  return reply;
}

}  // namespace cscx::testing
