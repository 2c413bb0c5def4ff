// The HTTP/1.1 server of cscx: Boost.Beast on Asio C++20 coroutines.
//
// One io_context run by N threads; each connection is a coroutine on a strand
// of its own, so many thousands of idle keep-alive connections cost a socket
// and a few hundred bytes each, not a thread. The server reads each request
// with limits (header and body size, request and idle timeouts), makes our
// own Request, answers CORS preflights, routes, calls the handler, and writes
// its Response or the Error turned into JSON (error_response.h), with
// X-Request-Id and the CORS headers. It logs one JSON line per request and
// counts it in Metrics. It leaves routes, auth and the database to others:
// they register handlers on the Router and may share the io_context.
//
// Refusals of the HTTP layer, each a JSON body of error_response.h's shape:
// body over body_limit 413 (payload_too_large), headers over header_limit 431,
// malformed HTTP 400 (then the connection closes), request not read within
// request_timeout 408 (then close), no route 404, wrong method 405 with Allow.
// An idle keep-alive connection closes silently after idle_timeout. A
// handler's exception is a 500 and an error log line; the connection keeps
// serving.
#pragma once

#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "http/error_response.h"
#include "http/metrics.h"
#include "http/request.h"
#include "http/router.h"

namespace spdlog {
class logger;
}

namespace cscx::http {

struct ServerOptions {
  std::string host = "127.0.0.1";  // an address or a name resolved at listen()
  uint16_t port = 8080;            // 0 = an ephemeral port, see listen()
  unsigned threads = 0;            // I/O threads; 0 = std::thread::hardware_concurrency()
  size_t body_limit = 10 * 1024 * 1024;
  size_t header_limit = 16 * 1024;  // request line and header fields together

  // Timeouts are whole seconds in production; the type takes milliseconds so
  // tests can be quick (a std::chrono::seconds value converts implicitly).
  // request_timeout bounds reading one request and writing its response (not
  // the handler); idle_timeout the wait for the next request on a keep-alive
  // connection; shutdown_grace what stop() waits for in-flight requests.
  std::chrono::milliseconds request_timeout = std::chrono::seconds(30);
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(75);
  std::chrono::milliseconds shutdown_grace = std::chrono::seconds(10);

  std::vector<std::string> allowed_origins = {"*"};  // CORS, exact origins; "*" = any
  std::shared_ptr<spdlog::logger> logger;  // access and error log; null = stderr
};

// Lifecycle: construct, register routes (router()), listen(), run() on one
// thread; stop() from anywhere ends run(). A Server runs once.
class Server {
 public:
  Server(ServerOptions options, Router router);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Routes may be added until listen(); not after.
  Router& router();

  // Binds and listens on options.host:options.port and returns the bound
  // port. Fails with kFailedPrecondition "cannot listen on host:port: <why>"
  // when the address is taken or not ours to bind (or listen() was already
  // called), kInvalidArgument when the host does not resolve.
  [[nodiscard]] Result<uint16_t> listen();

  // Runs the I/O threads (this one included) until stop() has completed,
  // then returns. Call from one thread, after listen(). Exceptions that
  // escape a handler on the io_context are logged, never rethrown.
  void run();

  // Graceful stop, safe from any thread and more than once: stop accepting;
  // close idle keep-alive connections; let each in-flight request finish and
  // answer it with `Connection: close`; after shutdown_grace close whatever
  // is left. Then run() returns. It stops the io_context (other areas' work
  // on it too); whatever still runs on it then is abandoned, and destroyed
  // with the Server.
  void stop();

  // Calls stop() on SIGINT or SIGTERM. Call before run().
  void stop_on_signals();

  // Shared with other areas (the database pool) for their own I/O.
  boost::asio::io_context& io_context();

  Metrics& metrics();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cscx::http
