// A blocking HTTP/1.1 test client over a real socket, with a timeout on every
// read so that a misbehaving server fails a test instead of hanging it.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cscx::http::testing {

using BeastResponse = boost::beast::http::response<boost::beast::http::string_body>;
using HeaderList = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::chrono::milliseconds kClientTimeout{5000};

// The bytes of a request; Content-Length is added when there is a body.
std::string raw_request(std::string_view method, std::string_view target,
                        const HeaderList& headers = {}, std::string_view body = {},
                        std::string_view version = "HTTP/1.1");

class TestClient {
 public:
  // Connects to 127.0.0.1:port on an io_context of its own, or on `io`
  // (which many clients may share; use them from one thread).
  explicit TestClient(uint16_t port);
  TestClient(boost::asio::io_context& io, uint16_t port);

  bool connected() const { return connected_; }

  // Writes all of `bytes`; false on an error.
  bool send(std::string_view bytes);

  // Reads one response (for a HEAD request pass head = true); nullopt on an
  // error, on EOF or after `timeout`.
  std::optional<BeastResponse> read(bool head = false,
                                    std::chrono::milliseconds timeout = kClientTimeout);

  // send(raw_request(...)) then read().
  std::optional<BeastResponse> request(std::string_view method, std::string_view target,
                                       const HeaderList& headers = {},
                                       std::string_view body = {});

  // True when the server closes the connection (EOF or reset) within
  // `timeout` without sending anything more.
  bool wait_closed(std::chrono::milliseconds timeout = kClientTimeout);

  void close();

 private:
  // Runs io_ until `done` or the timeout; on timeout cancels the socket and
  // waits for the cancelled operation. Returns `done` before cancelling.
  bool run_until(const bool& done, std::chrono::milliseconds timeout);

  std::unique_ptr<boost::asio::io_context> own_io_;
  boost::asio::io_context& io_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  bool connected_ = false;
};

}  // namespace cscx::http::testing
