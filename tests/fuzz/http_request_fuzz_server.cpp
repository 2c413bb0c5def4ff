#include "http_request_fuzz_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

namespace cscx::fuzz {
namespace {

http::Handler answering(unsigned status) {
  return [status](const http::Request&,
                  http::RequestLog&) -> boost::asio::awaitable<Result<http::Response>> {
    co_return http::Response::json(status, "{}");
  };
}

struct FuzzServer {
  std::unique_ptr<http::Server> server;
  uint16_t port = 0;
  std::thread runner;

  FuzzServer() {
    http::ServerOptions options = fuzz_server_options();
    options.logger = std::make_shared<spdlog::logger>(
        "fuzz", std::make_shared<spdlog::sinks::null_sink_mt>());
    http::Router router;
    router.add("GET", "/health", "/health",
               [](const http::Request&,
                  http::RequestLog&) -> boost::asio::awaitable<Result<http::Response>> {
                 co_return http::Response::json(200, R"({"status":"ok"})");
               });
    router.add("POST", "/echo/*", "/echo/:rest",
               [](const http::Request& r,
                  http::RequestLog&) -> boost::asio::awaitable<Result<http::Response>> {
                 if (r.body.size() % 7 == 3)
                   co_return make_error(Code::kInvalidArgument, "odd");
                 co_return http::Response::json(
                     200, "{\"n\":" + std::to_string(r.body.size()) + "}");
               });
    server = std::make_unique<http::Server>(options, std::move(router));
    auto bound = server->listen();
    if (!bound) std::abort();
    port = *bound;
    runner = std::thread([this] { server->run(); });
  }
};

FuzzServer& fuzz_server() {
  static FuzzServer* s = new FuzzServer();  // lives for the whole run
  return *s;
}

// Writes `bytes` to a new connection and reads until EOF or 2 s.
//
// Each connection leaves a TIME_WAIT entry for 60 s on the side that closed
// first (here the client, which shuts its side down to mark the end of the
// input). At ~2,000 inputs a second, two connections each, one source
// address's ~28,000 ephemeral ports run out within 20 s and connect() fails
// with EADDRNOTAVAIL. So the connections come from 127.0.0.1-127.0.0.250 in
// turn (all of 127/8 is loopback), and connect() is retried for a while
// should the ports still run out or a signal interrupt it.
std::string exchange(uint16_t port, const char* bytes, size_t size) {
  static std::atomic<unsigned> next_source{0};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int fd = -1;
  for (int attempt = 0;; ++attempt) {
    fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) std::abort();
    sockaddr_in source{};
    source.sin_family = AF_INET;
    source.sin_addr.s_addr = htonl(0x7f000001u + next_source.fetch_add(1) % 250);
    if (bind(fd, reinterpret_cast<sockaddr*>(&source), sizeof source) == 0 &&
        connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
      break;
    }
    const int error = errno;
    close(fd);
    // EINTR: libFuzzer's timeout alarm interrupted the connect.
    if ((error != EADDRNOTAVAIL && error != EADDRINUSE && error != EINTR) ||
        attempt == 200) {
      std::fprintf(stderr, "fuzz harness: cannot connect: %s\n", std::strerror(error));
      std::abort();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  timeval tv{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  size_t sent = 0;
  while (sent < size) {
    const ssize_t n = send(fd, bytes + sent, size - sent, MSG_NOSIGNAL);
    if (n <= 0) break;
    sent += static_cast<size_t>(n);
  }
  shutdown(fd, SHUT_WR);
  std::string out;
  char buf[4096];
  for (;;) {
    const ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

}  // namespace

http::ServerOptions fuzz_server_options() {
  http::ServerOptions options;
  options.port = 0;
  options.threads = 2;
  options.body_limit = 64 * 1024;
  options.request_timeout = std::chrono::milliseconds(500);
  options.idle_timeout = std::chrono::milliseconds(500);
  return options;
}

const http::Router& fuzz_router() {
  static const http::Router* router = [] {
    auto* r = new http::Router();
    r->add("GET", "/health", "/health", answering(200));
    r->add("GET", "/api/customers/:id/health", "/api/customers/:id/health", answering(200));
    r->add("PATCH", "/api/tasks/:id", "/api/tasks/:id", answering(200));
    r->add("POST", "/rest/v1/*", "/rest/v1/:table", answering(201));
    return r;
  }();
  return *router;
}

void exchange_with_server(const char* bytes, size_t size) {
  FuzzServer& s = fuzz_server();
  (void)exchange(s.port, bytes, size);
  static const char kHealth[] =
      "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  // A loaded machine (CI runs this beside the other tests) may miss one
  // 2-second read; a server that stopped answering misses all three.
  std::string reply;
  for (int attempt = 0; attempt < 3; ++attempt) {
    reply = exchange(s.port, kHealth, sizeof kHealth - 1);
    if (reply.rfind("HTTP/1.1 200", 0) == 0) return;
  }
  std::fprintf(stderr, "GET /health after the input got: %.300s\n", reply.c_str());
  std::abort();
}

}  // namespace cscx::fuzz
