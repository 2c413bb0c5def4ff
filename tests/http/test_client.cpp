#include "http/test_client.h"

#include <boost/asio/buffer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

namespace cscx::http::testing {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using boost::system::error_code;

std::string raw_request(std::string_view method, std::string_view target,
                        const HeaderList& headers, std::string_view body,
                        std::string_view version) {
  std::string out;
  out.append(method).append(" ").append(target).append(" ").append(version).append(
      "\r\n");
  out += "Host: 127.0.0.1\r\n";
  for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
  if (!body.empty()) out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  out += "\r\n";
  out.append(body);
  return out;
}

TestClient::TestClient(uint16_t port)
    : own_io_(std::make_unique<asio::io_context>()), io_(*own_io_), socket_(io_) {
  error_code ec;
  socket_.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  connected_ = !ec;
}

TestClient::TestClient(asio::io_context& io, uint16_t port) : io_(io), socket_(io_) {
  error_code ec;
  socket_.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
  connected_ = !ec;
}

bool TestClient::send(std::string_view bytes) {
  error_code ec;
  asio::write(socket_, asio::buffer(bytes.data(), bytes.size()), ec);
  return !ec;
}

bool TestClient::run_until(const bool& done, std::chrono::milliseconds timeout) {
  io_.restart();
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) break;
    io_.run_one_for(deadline - now);
  }
  const bool finished = done;
  if (!finished) {
    error_code ignored;
    socket_.cancel(ignored);
    while (!done) io_.run_one();
  }
  return finished;
}

std::optional<BeastResponse> TestClient::read(bool head,
                                              std::chrono::milliseconds timeout) {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  if (head) parser.skip(true);
  bool done = false;
  error_code result;
  bhttp::async_read(socket_, buffer_, parser, [&](const error_code& ec, size_t) {
    result = ec;
    done = true;
  });
  if (!run_until(done, timeout) || result) return std::nullopt;
  return parser.release();
}

std::optional<BeastResponse> TestClient::request(std::string_view method,
                                                 std::string_view target,
                                                 const HeaderList& headers,
                                                 std::string_view body) {
  if (!send(raw_request(method, target, headers, body))) return std::nullopt;
  return read(method == "HEAD");
}

bool TestClient::wait_closed(std::chrono::milliseconds timeout) {
  if (buffer_.size() > 0) return false;
  char byte = 0;
  bool done = false;
  error_code result;
  size_t received = 0;
  socket_.async_read_some(asio::buffer(&byte, 1), [&](const error_code& ec, size_t n) {
    result = ec;
    received = n;
    done = true;
  });
  if (!run_until(done, timeout)) return false;
  return received == 0 &&
         (result == asio::error::eof || result == asio::error::connection_reset);
}

void TestClient::close() {
  error_code ignored;
  socket_.close(ignored);
}

}  // namespace cscx::http::testing
