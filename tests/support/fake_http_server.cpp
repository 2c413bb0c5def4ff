#include "support/fake_http_server.h"

#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <sstream>
#include <utility>

namespace cscx::testing {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using asio::ip::tcp;

FakeHttpServer::FakeHttpServer(Handler handler)
    : handler_(std::move(handler)),
      acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)) {
  port_ = acceptor_.local_endpoint().port();
  thread_ = std::thread([this] { serve(); });
}

FakeHttpServer::~FakeHttpServer() {
  stopping_ = true;
  boost::system::error_code ec;
  // Wake the blocking accept with a connection of our own.
  tcp::socket poke(io_);
  poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
  thread_.join();
  for (auto& t : handlers_) t.join();
}

std::vector<std::string> FakeHttpServer::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

void FakeHttpServer::serve() {
  while (!stopping_) {
    boost::system::error_code ec;
    tcp::socket socket(io_);
    acceptor_.accept(socket, ec);
    if (ec || stopping_) break;
    handlers_.emplace_back(
        [this, s = std::move(socket)]() mutable { answer_one(std::move(s)); });
  }
}

void FakeHttpServer::wait(std::chrono::milliseconds delay) const {
  const auto until = std::chrono::steady_clock::now() + delay;
  while (!stopping_ && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

void FakeHttpServer::answer_one(tcp::socket socket) {
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
  const FakeReply reply = handler_(std::string(request.target()), request.body());
  if (reply.hang) {
    while (!stopping_) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return;
  }
  wait(reply.delay);
  bhttp::response<bhttp::string_body> response(static_cast<bhttp::status>(reply.status),
                                               11);
  response.set(bhttp::field::content_type, "application/json");
  response.body() = reply.body;
  response.prepare_payload();
  bhttp::write(socket, response, ec);
  socket.shutdown(tcp::socket::shutdown_both, ec);
}

std::string request_body(const std::string& raw_request) {
  const std::size_t blank = raw_request.find("\r\n\r\n");
  return blank == std::string::npos ? std::string() : raw_request.substr(blank + 4);
}

}  // namespace cscx::testing
