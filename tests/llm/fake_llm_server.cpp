#include "llm/fake_llm_server.h"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <sstream>

namespace cscx::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;

std::string chat_completion(const std::string& content) {
  boost::json::object message{{"role", "assistant"}, {"content", content}};
  boost::json::object choice{{"index", 0}, {"message", message}};
  return boost::json::serialize(boost::json::object{{"choices", boost::json::array{choice}}});
}

FakeLlmServer::FakeLlmServer(std::string answer, std::chrono::milliseconds slow_delay)
    : answer_(std::move(answer)),
      slow_delay_(slow_delay),
      acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
  port_ = acceptor_.local_endpoint().port();
  thread_ = std::thread([this] { serve(); });
}

FakeLlmServer::~FakeLlmServer() {
  stopping_ = true;
  boost::system::error_code ec;
  // Wake the blocking accept with a connection of our own.
  tcp::socket poke(io_);
  poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
  thread_.join();
  for (auto& t : handlers_) t.join();
}

std::vector<std::string> FakeLlmServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

void FakeLlmServer::serve() {
  while (!stopping_) {
    boost::system::error_code ec;
    tcp::socket socket(io_);
    acceptor_.accept(socket, ec);
    if (ec || stopping_) break;
    handlers_.emplace_back([this, s = std::move(socket)]() mutable { answer_one(std::move(s)); });
  }
}

void FakeLlmServer::answer_one(tcp::socket socket) {
  beast::flat_buffer buffer;
  bhttp::request<bhttp::string_body> request;
  boost::system::error_code ec;
  bhttp::read(socket, buffer, request, ec);
  if (ec) return;
  {
    std::lock_guard lock(mutex_);
    std::ostringstream raw;
    raw << request;
    requests_.push_back(raw.str());
  }
  const std::string target(request.target());
  const std::string mode = target.substr(1, target.find('/', 1) - 1);

  bhttp::response<bhttp::string_body> response(bhttp::status::ok, 11);
  response.set(bhttp::field::content_type, "application/json");
  if (mode == "hang") {
    // Hold the connection open until the test ends; the client must give up.
    while (!stopping_) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return;
  }
  if (mode == "slow") {
    const auto until = std::chrono::steady_clock::now() + slow_delay_;
    while (!stopping_ && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  if (mode == "good" || mode == "slow") {
    response.body() = chat_completion(answer_);
  } else if (mode == "malformed") {
    response.body() = "{\"choices\": [ this is not json";
  } else if (mode == "wrong-shape") {
    response.body() = R"({"result": {"company_name": "Nope"}})";
  } else if (mode == "not-object") {
    response.body() = chat_completion("[1, 2, 3]");
  } else {
    response.result(bhttp::status::internal_server_error);
    response.body() = R"({"error": {"message": "boom"}})";
  }
  response.prepare_payload();
  bhttp::write(socket, response, ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
}

}  // namespace cscx::testing
