// One accepted TCP connection and its session: read a request with limits,
// answer it, repeat while keep-alive holds. Internal to src/http.
//
// Everything here runs on the connection's strand (the socket's executor):
// serve(), and shut_down() / force_close(), which the server dispatches
// there. While idle the connection waits for readability without a read
// buffer, so an idle keep-alive connection costs its socket, a timer and the
// coroutine frame.
#pragma once


#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "http/dispatch_internal.h"

namespace cscx::http::internal {

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(boost::asio::ip::tcp::socket socket, const ServerContext& context,
             std::string remote_address);

  boost::asio::any_io_executor get_executor() { return socket_.get_executor(); }

  // The session. Returns when the peer closes, on an error or timeout, after
  // a response with `Connection: close`, or after shut_down(); the socket is
  // closed then. Never throws.
  boost::asio::awaitable<void> serve();

  // Graceful: an idle connection closes now; a busy one answers its request
  // with `Connection: close` and then closes.
  void shut_down();

  // Closes the socket now; pending reads and writes fail.
  void force_close();

 private:
  using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;

  // Reads and answers one request. False when the connection must close.
  boost::asio::awaitable<bool> serve_one(boost::beast::flat_buffer& buffer);

  // Answers a request that could not be read (limits, malformed, timeout)
  // and closes. `header`, when the parser got that far, gives the request
  // id and the Origin (its body is taken).
  boost::asio::awaitable<void> refuse(boost::system::error_code ec, BeastRequest* header,
                                      std::chrono::steady_clock::time_point started);

  // Writes `response` for request `id`; logs and counts it. False when the
  // write failed.
  boost::asio::awaitable<bool> write(const Request& request, Response response,
                                     const RequestLog& log, std::string_view error,
                                     unsigned version, bool keep_alive,
                                     std::chrono::steady_clock::time_point started);

  // Shuts down sending; with `linger`, reads and discards what the peer
  // still sends for a moment, so that closing does not reset the connection
  // before the peer read our error response.
  boost::asio::awaitable<void> close(bool linger);

  // The deadline cancels the socket's pending operation when it fires and
  // marks timed_out_. Arming and disarming only move deadline_at_: a timer
  // wait is started or restarted only when the new deadline comes before the
  // pending wait fires, and a wait that fires early re-waits. So a
  // keep-alive request, which arms three deadlines, usually costs no timer
  // operation at all. A generation number voids a wait that was replaced.
  void arm_deadline(std::chrono::steady_clock::duration after);
  void disarm_deadline();
  void start_deadline_wait();

  boost::asio::ip::tcp::socket socket_;
  boost::asio::steady_timer deadline_;
  const ServerContext& context_;
  const std::string remote_address_;
  std::string head_;  // the response's status line and headers, reused
  std::chrono::steady_clock::time_point deadline_at_ =
      std::chrono::steady_clock::time_point::max();  // max: disarmed
  std::optional<std::chrono::steady_clock::time_point> waiting_until_;  // pending wait
  std::uint64_t deadline_generation_ = 0;
  bool timed_out_ = false;
  bool idle_ = false;       // waiting for the next request
  bool lingering_ = false;  // draining input before close
  bool closing_ = false;
};

}  // namespace cscx::http::internal
