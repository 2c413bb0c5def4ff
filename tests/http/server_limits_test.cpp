// The server's limits and lifecycle over real sockets: sizes, timeouts,
// malformed input, graceful stop, many idle connections.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <boost/json/parse.hpp>
#include <memory>
#include <thread>
#include <vector>

#include "http/server.h"
#include "http/server_fixture.h"
#include "http/test_client.h"

namespace cscx::http::testing {
namespace {

using std::chrono::milliseconds;

std::string json_code(const BeastResponse& response) {
  return std::string(
      boost::json::parse(response.body()).as_object().at("code").as_string());
}

using HttpServerLimits = ServerTest;

TEST_F(HttpServerLimits, RefusesABodyOverTheLimitWith413AndCloses) {
  start();
  TestClient client(port());
  auto response = client.request("POST", "/echo", {{"X-Request-Id", "big-1"}},
                                 std::string(2048, 'x'));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 413);
  EXPECT_EQ(json_code(*response), "payload_too_large");
  EXPECT_EQ((*response)["X-Request-Id"], "big-1");
  EXPECT_FALSE(response->keep_alive());
  EXPECT_TRUE(client.wait_closed());
}

TEST_F(HttpServerLimits, RefusesAChunkedBodyOverTheLimitWith413) {
  start();
  TestClient client(port());
  std::string chunk(800, 'y');
  ASSERT_TRUE(client.send(
      "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n320\r\n" +
      chunk + "\r\n320\r\n" + chunk + "\r\n0\r\n\r\n"));
  auto response = client.read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 413);
}

TEST_F(HttpServerLimits, AcceptsABodyAtTheLimit) {
  start();
  TestClient client(port());
  auto response = client.request("POST", "/echo", {}, std::string(1024, 'x'));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200);
  EXPECT_EQ(response->body().size(), 1024u);
}

TEST_F(HttpServerLimits, AnswersAMalformedRequestLineWith400AndCloses) {
  start();
  TestClient client(port());
  ASSERT_TRUE(client.send("THIS IS NOT HTTP\r\n\r\n"));
  auto response = client.read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 400);
  EXPECT_EQ(json_code(*response), "invalid_argument");
  EXPECT_TRUE(client.wait_closed());
}

TEST_F(HttpServerLimits, AnswersABadTargetWith400) {
  start();
  TestClient client(port());
  auto response = client.request("GET", "/echo%zz");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 400);
  EXPECT_EQ(json_code(*response), "invalid_argument");
}

TEST_F(HttpServerLimits, RefusesHeadersOverTheLimitWith431) {
  start();
  TestClient client(port());
  auto response = client.request("GET", "/echo", {{"X-Large", std::string(2000, 'h')}});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 431);
  EXPECT_EQ(json_code(*response), "request_header_fields_too_large");
  EXPECT_TRUE(client.wait_closed());
}

TEST_F(HttpServerLimits, AnswersAnIncompleteRequestWith408AfterTheRequestTimeout) {
  ServerOptions options = test_options();
  options.request_timeout = milliseconds(300);
  start(options);
  TestClient client(port());
  ASSERT_TRUE(client.send("GET /echo HTTP/1.1\r\nHost: x\r\n"));
  const auto sent = std::chrono::steady_clock::now();
  auto response = client.read();
  ASSERT_TRUE(response);
  EXPECT_GE(std::chrono::steady_clock::now() - sent, milliseconds(250));
  EXPECT_EQ(response->result_int(), 408);
  EXPECT_EQ(json_code(*response), "request_timeout");
  EXPECT_TRUE(client.wait_closed());
}

// Deadlines only move while a connection works; a shorter one that follows
// a longer one (the request after a keep-alive wait) must still fire on time,
// and a connection that keeps working must never be cut by an older deadline.
TEST_F(HttpServerLimits, TheRequestTimeoutHoldsAfterAKeepAliveWait) {
  ServerOptions options = test_options();
  options.request_timeout = milliseconds(300);
  options.idle_timeout = milliseconds(5000);
  start(options);
  TestClient client(port());
  for (int i = 0; i < 5; ++i) {  // 5 x 100 ms of work: past the first request deadline
    ASSERT_TRUE(client.request("GET", "/echo"));
    std::this_thread::sleep_for(milliseconds(100));
  }
  ASSERT_TRUE(client.send("GET /echo HTTP/1.1\r\nHost: x\r\n"));
  const auto sent = std::chrono::steady_clock::now();
  auto response = client.read();
  ASSERT_TRUE(response);
  const auto waited = std::chrono::steady_clock::now() - sent;
  EXPECT_GE(waited, milliseconds(250));
  EXPECT_LT(waited, milliseconds(3000));  // the request timeout, not the idle one
  EXPECT_EQ(response->result_int(), 408);
}

TEST_F(HttpServerLimits, ClosesAnIdleKeepAliveConnectionSilently) {
  ServerOptions options = test_options();
  options.idle_timeout = milliseconds(300);
  start(options);
  TestClient client(port());
  ASSERT_TRUE(client.request("GET", "/echo"));
  EXPECT_TRUE(client.wait_closed(milliseconds(2000)));
  auto lines = log_lines();
  EXPECT_EQ(lines.size(), 1u);  // the request, nothing for the idle close
}

TEST_F(HttpServerLimits, StopLetsAnInFlightRequestFinish) {
  start();
  TestClient slow(port());
  TestClient idle(port());
  ASSERT_TRUE(idle.request("GET", "/echo"));
  ASSERT_TRUE(slow.send(raw_request("GET", "/slow")));
  for (int i = 0; i < 200 && !slow_started(); ++i)
    std::this_thread::sleep_for(milliseconds(5));
  ASSERT_TRUE(slow_started());
  server().stop();
  // The idle connection goes at once; the slow request still gets its answer.
  EXPECT_TRUE(idle.wait_closed(milliseconds(1000)));
  auto response = slow.read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200);
  EXPECT_EQ(response->body(), R"({"slow":true})");
  EXPECT_FALSE(response->keep_alive());
  EXPECT_TRUE(slow.wait_closed());
  EXPECT_TRUE(stopped(milliseconds(2000)));
  TestClient late(port());
  EXPECT_FALSE(late.connected());
}

TEST_F(HttpServerLimits, StopGivesUpOnARequestAfterTheGracePeriod) {
  ServerOptions options = test_options();
  options.shutdown_grace = milliseconds(300);
  start(options);
  TestClient client(port());
  ASSERT_TRUE(client.send(raw_request("GET", "/hang")));
  std::this_thread::sleep_for(milliseconds(50));
  const auto stopping = std::chrono::steady_clock::now();
  ASSERT_TRUE(stop(milliseconds(3000)));
  EXPECT_GE(std::chrono::steady_clock::now() - stopping, milliseconds(250));
}

TEST_F(HttpServerLimits, StopsAtOnceWithoutConnections) {
  start();
  const auto stopping = std::chrono::steady_clock::now();
  ASSERT_TRUE(stop(milliseconds(2000)));
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, milliseconds(500));
}

// Each connection costs two descriptors here (client and server side).
void raise_open_file_limit(rlim_t wanted) {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return;
  if (limit.rlim_cur >= wanted) return;
  limit.rlim_cur = std::min(wanted, limit.rlim_max);
  setrlimit(RLIMIT_NOFILE, &limit);
}

std::string open_connections(Server& server) {
  std::string text = server.metrics().render();
  const std::string name = "cscx_http_connections_open ";
  auto at = text.find("\n" + name);
  if (at == std::string::npos) return {};
  at += 1 + name.size();
  return text.substr(at, text.find('\n', at) - at);
}

TEST_F(HttpServerLimits, HoldsAThousandIdleKeepAliveConnections) {
  constexpr int kConnections = 1000;
  raise_open_file_limit(2 * kConnections + 256);
  start();
  boost::asio::io_context io;
  std::vector<std::unique_ptr<TestClient>> clients;
  clients.reserve(kConnections);
  for (int i = 0; i < kConnections; ++i) {
    clients.push_back(std::make_unique<TestClient>(io, port()));
    ASSERT_TRUE(clients.back()->connected()) << "connection " << i;
  }
  for (int i = 0; i < 200 && open_connections(server()) != "1000"; ++i) {
    std::this_thread::sleep_for(milliseconds(10));
  }
  EXPECT_EQ(open_connections(server()), "1000");
  int answered = 0;
  for (auto& client : clients) {
    auto response = client->request("GET", "/echo");
    if (response && response->result_int() == 200 && response->keep_alive()) ++answered;
  }
  EXPECT_EQ(answered, kConnections);
  EXPECT_EQ(open_connections(server()), "1000");
}

}  // namespace
}  // namespace cscx::http::testing
