// libFuzzer target: the whole HTTP request path of a real server. Each input
// is written raw to a fresh loopback connection of an in-process Server
// (Beast parsing with the production limits, target decoding, routing,
// CORS, a handler, the error paths), then the connection is read to EOF.
// ASan/UBSan catch memory errors inside the server; after every input the
// server must still answer /health.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <spdlog/sinks/null_sink.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>

#include "http/server.h"

namespace {

using namespace cscx;

struct FuzzServer {
  std::unique_ptr<http::Server> server;
  uint16_t port = 0;
  std::thread runner;

  FuzzServer() {
    http::ServerOptions options;
    options.port = 0;
    options.threads = 2;
    options.body_limit = 64 * 1024;
    options.request_timeout = std::chrono::milliseconds(500);
    options.idle_timeout = std::chrono::milliseconds(500);
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
std::string exchange(uint16_t port, const char* bytes, size_t size) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) std::abort();
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) std::abort();
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

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzServer& s = fuzz_server();
  (void)exchange(s.port, reinterpret_cast<const char*>(data), size);
  static const char kHealth[] =
      "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  const std::string reply = exchange(s.port, kHealth, sizeof kHealth - 1);
  if (reply.rfind("HTTP/1.1 200", 0) != 0) std::abort();  // the server stopped answering
  return 0;
}
