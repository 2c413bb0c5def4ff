#include "knowledge/fake_embedding_server.h"

#include <algorithm>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <cctype>
#include <cmath>
#include <sstream>

namespace cscx::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using asio::ip::tcp;

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
      acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
  port_ = acceptor_.local_endpoint().port();
  thread_ = std::thread([this] { serve(); });
}

FakeEmbeddingServer::~FakeEmbeddingServer() {
  stopping_ = true;
  boost::system::error_code ec;
  // Wake the blocking accept with a connection of our own.
  tcp::socket poke(io_);
  poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
  thread_.join();
  for (auto& t : handlers_) t.join();
}

void FakeEmbeddingServer::set_mode(std::string mode) {
  std::lock_guard lock(mutex_);
  mode_ = std::move(mode);
}

std::string FakeEmbeddingServer::mode() const {
  std::lock_guard lock(mutex_);
  return mode_;
}

std::vector<std::string> FakeEmbeddingServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::vector<std::string> FakeEmbeddingServer::inputs() const {
  std::lock_guard lock(mutex_);
  return inputs_;
}

void FakeEmbeddingServer::serve() {
  while (!stopping_) {
    boost::system::error_code ec;
    tcp::socket socket(io_);
    acceptor_.accept(socket, ec);
    if (ec || stopping_) break;
    handlers_.emplace_back(
        [this, s = std::move(socket)]() mutable { answer_one(std::move(s)); });
  }
}

void FakeEmbeddingServer::answer_one(tcp::socket socket) {
  beast::flat_buffer buffer;
  bhttp::request<bhttp::string_body> request;
  boost::system::error_code ec;
  bhttp::read(socket, buffer, request, ec);
  if (ec) return;
  std::vector<std::string> texts;
  const json::value body = json::parse(request.body(), ec);
  if (!ec && body.is_object() && body.as_object().contains("input") &&
      body.at("input").is_array()) {
    for (const json::value& t : body.at("input").as_array()) {
      if (t.is_string()) texts.emplace_back(t.as_string());
    }
  }
  {
    std::lock_guard lock(mutex_);
    std::ostringstream raw;
    raw << request;
    requests_.push_back(raw.str());
    inputs_.insert(inputs_.end(), texts.begin(), texts.end());
  }
  const std::string mode = this->mode();
  if (mode == "hang") {
    // Hold the connection open until the test ends; the client must give up.
    while (!stopping_) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return;
  }
  bhttp::response<bhttp::string_body> response(bhttp::status::ok, 11);
  response.set(bhttp::field::content_type, "application/json");
  if (mode == "error") {
    response.result(bhttp::status::internal_server_error);
    response.body() = R"({"error": {"message": "boom"}})";
  } else if (mode == "malformed") {
    response.body() = R"({"data": [ not json)";
  } else if (mode == "wrong-shape") {
    response.body() = R"({"embeddings": [[0.1, 0.2]]})";
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
    response.body() = json::serialize(json::object{
        {"object", "list"}, {"data", std::move(data)}, {"model", "fake-embed"}});
  }
  response.prepare_payload();
  bhttp::write(socket, response, ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
}

}  // namespace cscx::testing
