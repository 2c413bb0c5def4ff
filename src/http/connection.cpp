#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include "http/access_log_internal.h"
#include "http/connection_internal.h"
#include "http/error_response.h"
#include "http/server.h"
#include "http/wire_internal.h"

namespace cscx::http::internal {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using boost::system::error_code;

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

// Body bytes are read through the buffer in chunks of up to this size; the
// buffer must also hold the whole header, so its limit is header_limit plus
// this.
constexpr size_t kReadChunk = 64 * 1024;

// The first read of an idle connection (Beast's own first read size), and
// the buffer an idle connection may keep between requests: a typical request
// header fits, so a keep-alive connection does not allocate per request.
constexpr size_t kIdleRead = 512;
constexpr size_t kIdleKeep = 2048;

// How long a connection refused for a bad request keeps draining input
// before it closes (see Connection::close).
constexpr auto kLingerTime = std::chrono::seconds(1);

constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

bool is_silent_close(const error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message ||
         ec == asio::error::eof || ec == asio::error::operation_aborted ||
         ec == asio::error::connection_reset || ec == asio::error::broken_pipe ||
         ec.category() != bhttp::make_error_code(bhttp::error::bad_target).category();
}

}  // namespace

Connection::Connection(asio::ip::tcp::socket socket, const ServerContext& context,
                       std::string remote_address)
    : socket_(std::move(socket)),
      deadline_(socket_.get_executor()),
      context_(context),
      remote_address_(std::move(remote_address)) {}

asio::awaitable<void> Connection::serve() {
  beast::flat_buffer buffer(context_.options.header_limit + kReadChunk);
  for (;;) {
    if (buffer.size() == 0) {
      // Idle (HTTP pipelining leaves bytes in the buffer; then the next
      // request is read at once). The wait is a read of up to kIdleRead
      // bytes, not a readiness wait: Asio's reactor re-registers the socket
      // with epoll_ctl for every async_wait, but queues a read on a socket
      // it already watches without a system call. An idle connection keeps
      // at most kIdleKeep bytes of buffer.
      if (buffer.capacity() > kIdleKeep) buffer.shrink_to_fit();
      if (closing_) break;
      idle_ = true;
      arm_deadline(context_.options.idle_timeout);
      auto [ec, bytes] = co_await socket_.async_read_some(
          buffer.prepare(std::max(kIdleRead, buffer.capacity())), kAwait);
      idle_ = false;
      if (ec) break;
      buffer.commit(bytes);
    }
    if (!co_await serve_one(buffer)) break;
  }
  disarm_deadline();
  error_code ignored;
  socket_.close(ignored);
}

void Connection::shut_down() {
  closing_ = true;
  if (idle_ || lingering_) {
    error_code ignored;
    socket_.cancel(ignored);
  }
}

void Connection::force_close() {
  closing_ = true;
  error_code ignored;
  socket_.close(ignored);
}

asio::awaitable<bool> Connection::serve_one(beast::flat_buffer& buffer) {
  const auto started = std::chrono::steady_clock::now();
  const ServerOptions& options = context_.options;
  arm_deadline(options.request_timeout);
  RequestParser parser;
  apply_limits(parser, options);

  auto [ec, bytes] = co_await bhttp::async_read_header(socket_, buffer, parser, kAwait);
  if (!ec && !parser.is_done()) {
    // curl and others wait for this before sending a large body.
    auto expect = parser.get()[bhttp::field::expect];
    if (parser.get().version() >= 11 && beast::iequals(expect, "100-continue")) {
      std::tie(ec, bytes) =
          co_await asio::async_write(socket_, asio::buffer(kContinue), kAwait);
    }
    if (!ec)
      std::tie(ec, bytes) = co_await bhttp::async_read(socket_, buffer, parser, kAwait);
  }
  if (ec) {
    // A body_limit error from Content-Length comes once every field is
    // parsed, though the parser does not count the header as done.
    const bool have_header = parser.is_header_done() || ec == bhttp::error::body_limit;
    co_await refuse(ec, have_header ? &parser.get() : nullptr, started);
    co_return false;
  }
  disarm_deadline();

  auto& message = parser.get();
  const unsigned version = message.version();
  const bool wants_keep_alive = message.keep_alive();
  bool target_ok = false;
  Request request = make_request(message, remote_address_, target_ok);
  RequestLog log;
  Outcome outcome;
  if (target_ok) {
    outcome = co_await respond(context_, request, log);
  } else {
    log.route = kUnroutedRoute;
    outcome.response =
        error_response(make_error(Code::kInvalidArgument, "malformed request target"),
                       request.request_id);
    context_.cors.add_headers(request, outcome.response);
  }
  // Checked after the handler: a shutdown may have begun meanwhile.
  const bool keep_alive = wants_keep_alive && !closing_;
  if (!co_await write(request, std::move(outcome.response), log, outcome.error, version,
                      keep_alive, started)) {
    co_return false;
  }
  if (!keep_alive) {
    co_await close(false);
    co_return false;
  }
  co_return true;
}

asio::awaitable<void> Connection::refuse(error_code ec, BeastRequest* header,
                                         std::chrono::steady_clock::time_point started) {
  const ServerOptions& options = context_.options;
  const bool timed_out = timed_out_;
  if (!timed_out && is_silent_close(ec)) co_return;

  Request request;
  if (header != nullptr) {
    // The header was read: answer with its request id and CORS headers.
    bool target_ok = false;
    request = make_request(*header, remote_address_, target_ok);
    request.body.clear();
  } else {
    request.request_id = generate_request_id();
    request.remote_address = remote_address_;
  }
  Response response;
  if (timed_out) {
    response =
        status_response(408, "request_timeout", "the request was not received in time",
                        request.request_id);
  } else if (ec == bhttp::error::body_limit) {
    response =
        error_response(make_error(Code::kPayloadTooLarge,
                                  "request body is larger than " +
                                      std::to_string(options.body_limit) + " bytes"),
                       request.request_id);
  } else if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
    response = status_response(431, "request_header_fields_too_large",
                               "request headers are larger than " +
                                   std::to_string(options.header_limit) + " bytes",
                               request.request_id);
  } else {
    response = error_response(
        make_error(Code::kInvalidArgument, "malformed HTTP request: " + ec.message()),
        request.request_id);
  }
  context_.cors.add_headers(request, response);
  RequestLog log;
  log.route = kUnroutedRoute;
  const unsigned version = header != nullptr ? header->version() : 11;
  if (co_await write(request, std::move(response), log, ec.message(), version, false,
                     started)) {
    co_await close(true);
  }
}

asio::awaitable<bool> Connection::write(const Request& request, Response response,
                                        const RequestLog& log, std::string_view error,
                                        unsigned version, bool keep_alive,
                                        std::chrono::steady_clock::time_point started) {
  std::string log_error(error);
  if (response.status < 100 || response.status > 599) {
    log_error = "handler answered invalid status " + std::to_string(response.status);
    response =
        error_response(make_error(Code::kInternal, "internal error"), request.request_id);
  }
  const unsigned status = response.status;
  head_.clear();
  const ResponseHead head = append_response_head(head_, version, response, request.request_id,
                                                 request.method == "HEAD", keep_alive);
  if (!head.dropped.empty()) log_error += (log_error.empty() ? "" : "; ") + head.dropped;
  const std::array<asio::const_buffer, 2> wire = {
      asio::buffer(head_), head.send_body ? asio::buffer(response.body) : asio::const_buffer()};

  arm_deadline(context_.options.request_timeout);
  auto [ec, bytes] = co_await asio::async_write(socket_, wire, kAwait);
  disarm_deadline();
  // One buffer per connection, reused; a large header block is not kept.
  if (head_.capacity() > kIdleKeep) std::string().swap(head_);

  const std::string_view route = log.route.empty() ? kUnroutedRoute : log.route;
  const auto duration = std::chrono::steady_clock::now() - started;
  context_.metrics.record_request(route, status, duration);
  if (ec) {
    log_error += (log_error.empty() ? "" : "; ") + ("response not sent: " + ec.message());
  }
  log_access(context_.logger, AccessRecord{.method = request.method,
                                           .path = request.path,
                                           .query_length = request.query.size(),
                                           .route = route,
                                           .status = status,
                                           .duration = duration,
                                           .user_id = log.user_id,
                                           .request_id = request.request_id,
                                           .remote = remote_address_,
                                           .error = log_error});
  co_return !ec;
}

asio::awaitable<void> Connection::close(bool linger) {
  error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
  if (linger && socket_.is_open() && !closing_) {
    lingering_ = true;
    arm_deadline(kLingerTime);
    std::array<char, 1024> scratch;
    for (;;) {
      auto [ec, bytes] = co_await socket_.async_read_some(asio::buffer(scratch), kAwait);
      if (ec) break;
    }
    lingering_ = false;
    disarm_deadline();
  }
  socket_.close(ignored);
}

void Connection::arm_deadline(std::chrono::steady_clock::duration after) {
  timed_out_ = false;
  deadline_at_ = std::chrono::steady_clock::now() + after;
  // A pending wait that fires no later than the new deadline re-waits then.
  if (waiting_until_ && *waiting_until_ <= deadline_at_) return;
  start_deadline_wait();
}

void Connection::disarm_deadline() {
  deadline_at_ = std::chrono::steady_clock::time_point::max();
}

void Connection::start_deadline_wait() {
  const std::uint64_t generation = ++deadline_generation_;
  waiting_until_ = deadline_at_;
  deadline_.expires_at(deadline_at_);  // cancels a pending wait: its generation is stale
  deadline_.async_wait([weak = weak_from_this(), generation](const error_code& ec) {
    auto self = weak.lock();
    if (!self || self->deadline_generation_ != generation) return;
    self->waiting_until_.reset();
    if (ec) return;
    const auto deadline = self->deadline_at_;
    if (deadline == std::chrono::steady_clock::time_point::max()) return;  // disarmed
    if (std::chrono::steady_clock::now() < deadline) {
      self->start_deadline_wait();  // re-armed later meanwhile
      return;
    }
    self->timed_out_ = true;
    error_code ignored;
    self->socket_.cancel(ignored);
  });
}

}  // namespace cscx::http::internal
