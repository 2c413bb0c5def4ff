#include "http/server.h"

#include <spdlog/logger.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <csignal>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include "http/access_log_internal.h"
#include "http/connection_internal.h"
#include "http/cors.h"
#include "http/dispatch_internal.h"

namespace cscx::http {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);

// Accept failures such as EMFILE repeat at once; wait a little before
// trying again instead of spinning.
constexpr auto kAcceptBackoff = std::chrono::milliseconds(100);

std::string host_port(const std::string& host, uint16_t port) {
  if (host.find(':') != std::string::npos)
    return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

unsigned thread_count(unsigned configured) {
  if (configured > 0) return configured;
  return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, Router router)
      : options_(std::move(options)),
        router_(std::move(router)),
        cors_(options_.allowed_origins),
        logger_(options_.logger ? options_.logger : internal::make_stderr_logger()),
        context_{options_, router_, cors_, metrics_, *logger_},
        io_context_(static_cast<int>(thread_count(options_.threads))),
        control_(asio::make_strand(io_context_)),
        acceptor_(control_),
        grace_timer_(control_) {
    metrics_.add_gauge_source([this] {
      return "# HELP cscx_http_connections_open Open client connections.\n"
             "# TYPE cscx_http_connections_open gauge\n"
             "cscx_http_connections_open " +
             std::to_string(open_connections_.load(std::memory_order_relaxed)) + "\n";
    });
  }

  ~Impl() {
    // Connections whose coroutine never started are owned by the map alone;
    // they must go while the io_context still exists. The rest go with the
    // coroutine frames the io_context destroys.
    std::unordered_map<internal::Connection*, std::shared_ptr<internal::Connection>> left;
    {
      std::lock_guard lock(mutex_);
      finished_ = true;
      left.swap(connections_);
    }
  }

  Result<uint16_t> listen() {
    const std::string where = host_port(options_.host, options_.port);
    {
      std::lock_guard lock(mutex_);
      if (listening_) {
        return make_error(Code::kFailedPrecondition,
                          "cannot listen on " + where + ": already listening");
      }
    }
    error_code ec;
    tcp::resolver resolver(io_context_);
    auto endpoints = resolver.resolve(options_.host, std::to_string(options_.port),
                                      tcp::resolver::passive, ec);
    if (ec) {
      return make_error(Code::kInvalidArgument,
                        "cannot listen on " + where + ": " + ec.message());
    }
    for (const auto& entry : endpoints) {
      ec = bind(entry.endpoint());
      if (!ec) break;
    }
    if (ec || !acceptor_.is_open()) {
      const std::string why = ec ? ec.message() : "no address";
      return make_error(Code::kFailedPrecondition,
                        "cannot listen on " + where + ": " + why);
    }
    const uint16_t port = acceptor_.local_endpoint(ec).port();
    {
      std::lock_guard lock(mutex_);
      listening_ = true;
    }
    asio::co_spawn(control_, accept_loop(),
                   [this](std::exception_ptr e) { log_escape(e); });
    return port;
  }

  void run() {
    const unsigned n = thread_count(options_.threads);
    std::vector<std::thread> threads;
    threads.reserve(n - 1);
    for (unsigned i = 1; i < n; ++i) threads.emplace_back([this] { run_io(); });
    run_io();
    for (auto& thread : threads) thread.join();
    // The access log is written in batches: what the drain logged leaves
    // now, before the caller stops the database or exits.
    logger_->flush();
  }

  void stop() {
    asio::post(control_, [this] { begin_shutdown(); });
  }

  void stop_on_signals() {
    signals_.emplace(control_, SIGINT, SIGTERM);
    signals_->async_wait([this](const error_code& ec, int) {
      if (!ec) begin_shutdown();
    });
  }

  asio::io_context& io_context() { return io_context_; }
  Metrics& metrics() { return metrics_; }
  Router& router() { return router_; }

 private:
  error_code bind(const tcp::endpoint& endpoint) {
    error_code ec;
    if (acceptor_.is_open()) acceptor_.close(ec);
    if (acceptor_.open(endpoint.protocol(), ec)) return ec;
    if (acceptor_.set_option(asio::socket_base::reuse_address(true), ec)) return ec;
    if (acceptor_.bind(endpoint, ec)) return ec;
    if (acceptor_.listen(asio::socket_base::max_listen_connections, ec)) return ec;
    return ec;
  }

  // On control_.
  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] =
          co_await acceptor_.async_accept(asio::make_strand(io_context_), kAwait);
      if (!acceptor_.is_open() || ec == asio::error::operation_aborted) co_return;
      if (ec) {
        internal::log_event(*logger_, true, "accept_failed", ec.message());
        asio::steady_timer backoff(control_, kAcceptBackoff);
        co_await backoff.async_wait(kAwait);
        if (!acceptor_.is_open()) co_return;
        continue;
      }
      start_connection(tcp::socket(std::move(socket)));
    }
  }

  void start_connection(tcp::socket socket) {
    error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    const auto endpoint = socket.remote_endpoint(ec);
    std::string remote = ec ? std::string() : endpoint.address().to_string();
    auto connection = std::make_shared<internal::Connection>(std::move(socket), context_,
                                                             std::move(remote));
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;  // the socket closes with the connection
      connections_.emplace(connection.get(), connection);
      open_connections_.fetch_add(1, std::memory_order_relaxed);
    }
    auto executor = connection->get_executor();
    asio::co_spawn(executor, run_connection(std::move(connection)),
                   [this](std::exception_ptr e) { log_escape(e); });
  }

  // Removes a connection from the registry when its coroutine ends, or when
  // the io_context destroys the coroutine frame.
  struct Registration {
    Impl* server;
    internal::Connection* connection;
    ~Registration() { server->forget(connection); }
  };

  asio::awaitable<void> run_connection(std::shared_ptr<internal::Connection> connection) {
    Registration registration{this, connection.get()};
    co_await connection->serve();
  }

  void forget(internal::Connection* connection) {
    std::shared_ptr<internal::Connection> last_reference;
    bool drained = false;
    {
      std::lock_guard lock(mutex_);
      auto it = connections_.find(connection);
      if (it == connections_.end()) return;
      last_reference = std::move(it->second);
      connections_.erase(it);
      open_connections_.fetch_sub(1, std::memory_order_relaxed);
      drained = stopping_ && connections_.empty();
    }
    if (drained) finish();
  }

  // On control_.
  void begin_shutdown() {
    std::vector<std::shared_ptr<internal::Connection>> open;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
      open.reserve(connections_.size());
      for (const auto& [raw, connection] : connections_) open.push_back(connection);
    }
    error_code ignored;
    acceptor_.close(ignored);
    if (signals_) signals_->cancel(ignored);
    if (open.empty()) {
      finish();
      return;
    }
    for (auto& connection : open) {
      auto executor = connection->get_executor();
      asio::dispatch(executor, [connection] { connection->shut_down(); });
    }
    grace_timer_.expires_after(options_.shutdown_grace);
    grace_timer_.async_wait([this](const error_code& ec) {
      if (!ec) force_shutdown();
    });
  }

  // On control_, when the grace period is over.
  void force_shutdown() {
    std::vector<std::shared_ptr<internal::Connection>> open;
    {
      std::lock_guard lock(mutex_);
      for (const auto& [raw, connection] : connections_) open.push_back(connection);
    }
    internal::log_event(
        *logger_, false, "shutdown_grace_expired",
        std::to_string(open.size()) + " connections still busy; closing them");
    for (auto& connection : open) {
      auto executor = connection->get_executor();
      asio::dispatch(executor, [connection] { connection->force_close(); });
    }
    finish();
  }

  // Ends run(): every connection is gone or the grace period is over.
  void finish() {
    {
      std::lock_guard lock(mutex_);
      if (finished_) return;
      finished_ = true;
    }
    asio::dispatch(control_, [this] {
      error_code ignored;
      grace_timer_.cancel();
      if (signals_) signals_->cancel(ignored);
      io_context_.stop();
    });
  }

  void run_io() {
    for (;;) {
      try {
        io_context_.run();
        return;
      } catch (const std::exception& e) {
        internal::log_event(*logger_, true, "io_exception", e.what());
      } catch (...) {
        internal::log_event(*logger_, true, "io_exception", "exception of unknown type");
      }
    }
  }

  void log_escape(std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      internal::log_event(*logger_, true, "coroutine_exception", ex.what());
    } catch (...) {
      internal::log_event(*logger_, true, "coroutine_exception",
                          "exception of unknown type");
    }
  }

  // Declaration order is destruction order reversed: everything a connection
  // coroutine touches is declared before io_context_, which destroys the
  // coroutine frames; the I/O objects on it are declared after it.
  ServerOptions options_;
  Router router_;
  CorsPolicy cors_;
  Metrics metrics_;
  std::shared_ptr<spdlog::logger> logger_;
  internal::ServerContext context_;
  std::mutex mutex_;
  std::unordered_map<internal::Connection*, std::shared_ptr<internal::Connection>>
      connections_;
  bool listening_ = false;
  bool stopping_ = false;
  bool finished_ = false;
  std::atomic<size_t> open_connections_{0};
  asio::io_context io_context_;
  asio::strand<asio::io_context::executor_type> control_;
  tcp::acceptor acceptor_;
  asio::steady_timer grace_timer_;
  std::optional<asio::signal_set> signals_;
};

Server::Server(ServerOptions options, Router router)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(router))) {}

Server::~Server() = default;

Router& Server::router() { return impl_->router(); }
Result<uint16_t> Server::listen() { return impl_->listen(); }
void Server::run() { impl_->run(); }
void Server::stop() { impl_->stop(); }
void Server::stop_on_signals() { impl_->stop_on_signals(); }
boost::asio::io_context& Server::io_context() { return impl_->io_context(); }
Metrics& Server::metrics() { return impl_->metrics(); }

}  // namespace cscx::http
