// The server over real sockets: routing, handlers, errors, request ids,
// CORS, HEAD, logging and metrics.
#include "http/server.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "http/server_fixture.h"
#include "http/test_client.h"

namespace cscx::http::testing {
namespace {

std::string header(const BeastResponse& response, std::string_view name) {
  return std::string(response[name]);
}

boost::json::object json_body(const BeastResponse& response) {
  return boost::json::parse(response.body()).as_object();
}

using HttpServer = ServerTest;

TEST_F(HttpServer, ServesTwoRequestsOnOneKeepAliveConnection) {
  start();
  TestClient client(port());
  ASSERT_TRUE(client.connected());
  auto first = client.request("POST", "/echo", {}, "one");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->result_int(), 200);
  EXPECT_EQ(first->body(), "one");
  EXPECT_TRUE(first->keep_alive());
  auto second = client.request("POST", "/echo", {}, "two");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body(), "two");
}

TEST_F(HttpServer, ClosesAnHttp10ConnectionWithoutKeepAlive) {
  start();
  TestClient client(port());
  ASSERT_TRUE(client.send(raw_request("GET", "/echo", {}, {}, "HTTP/1.0")));
  auto response = client.read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200);
  EXPECT_EQ(response->version(), 10u);
  EXPECT_TRUE(client.wait_closed());
}

TEST_F(HttpServer, GivesTheHandlerTheDecodedPathTheRawQueryAndThePeer) {
  start();
  TestClient client(port());
  auto response = client.request("GET", "/echo?select=*&name=eq.a%20b");
  ASSERT_TRUE(response);
  EXPECT_EQ(header(*response, "X-Echo-Path"), "/echo");
  EXPECT_EQ(header(*response, "X-Echo-Query"), "select=*&name=eq.a%20b");
  EXPECT_EQ(header(*response, "X-Echo-Remote"), "127.0.0.1");
  auto file = client.request("GET", "/files/a%20b/c");
  ASSERT_TRUE(file);
  EXPECT_EQ(file->result_int(), 200);
  EXPECT_EQ(file->body(), "/files/a b/c");
}

TEST_F(HttpServer, AnswersNotFoundAsJson) {
  start();
  TestClient client(port());
  auto response = client.request("GET", "/nowhere");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 404);
  EXPECT_EQ(header(*response, "Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(json_body(*response).at("code").as_string(), "not_found");
}

TEST_F(HttpServer, AnswersMethodNotAllowedWithAllow) {
  start();
  TestClient client(port());
  auto response = client.request("DELETE", "/echo");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 405);
  EXPECT_EQ(header(*response, "Allow"), "GET, HEAD, POST");
  EXPECT_EQ(json_body(*response).at("code").as_string(), "method_not_allowed");
}

TEST_F(HttpServer, EchoesASaneRequestId) {
  start();
  TestClient client(port());
  auto response = client.request("GET", "/nowhere", {{"X-Request-Id", "trace-42.a_b"}});
  ASSERT_TRUE(response);
  EXPECT_EQ(header(*response, "X-Request-Id"), "trace-42.a_b");
  EXPECT_EQ(json_body(*response).at("request_id").as_string(), "trace-42.a_b");
}

TEST_F(HttpServer, GeneratesARequestIdWhenNoneOrAnInsaneOneIsSent) {
  start();
  TestClient client(port());
  auto none = client.request("GET", "/echo");
  ASSERT_TRUE(none);
  EXPECT_EQ(header(*none, "X-Request-Id").size(), 36u);
  auto insane = client.request("GET", "/echo", {{"X-Request-Id", "a b;c"}});
  ASSERT_TRUE(insane);
  EXPECT_EQ(header(*insane, "X-Request-Id").size(), 36u);
  EXPECT_NE(header(*insane, "X-Request-Id"), header(*none, "X-Request-Id"));
}

TEST_F(HttpServer, AnswersAThrowingHandlerWith500AndKeepsServing) {
  start();
  TestClient client(port());
  auto response = client.request("GET", "/throw");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 500);
  auto body = json_body(*response);
  EXPECT_EQ(body.at("code").as_string(), "internal");
  EXPECT_EQ(response->body().find("boom"), std::string::npos);
  auto next = client.request("POST", "/echo", {}, "still here");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->body(), "still here");
  ASSERT_TRUE(stop());  // the line is written after the response
  bool logged = false;
  for (const auto& line : log_lines()) {
    if (line.find("\"route\":\"/throw\"") != std::string::npos &&
        line.find("boom") != std::string::npos) {
      logged = true;
    }
  }
  EXPECT_TRUE(logged);
}

TEST_F(HttpServer, TurnsAnErrorResultIntoTheErrorBodyAndLogsTheDetail) {
  start();
  TestClient client(port());
  auto response = client.request("GET", "/error");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 404);
  auto body = json_body(*response);
  EXPECT_EQ(body.at("code").as_string(), "not_found");
  EXPECT_EQ(body.at("message").as_string(), "no such thing");
  EXPECT_EQ(body.at("request_id").as_string(), header(*response, "X-Request-Id"));
  EXPECT_EQ(response->body().find("secret"), std::string::npos);
  ASSERT_TRUE(stop());  // the line is written after the response
  bool logged = false;
  for (const auto& line : log_lines()) {
    if (line.find("secret detail") != std::string::npos) logged = true;
  }
  EXPECT_TRUE(logged);
}

TEST_F(HttpServer, DropsUnsafeAndServerOwnedHeadersOfAHandler) {
  start();
  TestClient client(port());
  auto response = client.request("GET", "/bad-headers", {{"X-Request-Id", "mine"}});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200);
  EXPECT_EQ(header(*response, "X-Ok"), "1");
  EXPECT_EQ(response->count("X-Evil"), 0u);
  EXPECT_EQ(response->count("Set-Cookie"), 0u);
  EXPECT_EQ(response->count("Bad Name"), 0u);
  EXPECT_EQ(header(*response, "X-Request-Id"), "mine");
  EXPECT_EQ(response->body(), R"({"ok":true})");
  auto next = client.request("GET", "/echo");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->result_int(), 200);
}

TEST_F(HttpServer, AnswersAnInvalidHandlerStatusWith500) {
  start();
  TestClient client(port());
  auto response = client.request("GET", "/bad-status");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 500);
}

TEST_F(HttpServer, AnswersAPreflightWithoutRouting) {
  start();
  TestClient client(port());
  auto response =
      client.request("OPTIONS", "/rest/v1/customers",
                     {{"Origin", std::string(kAllowedOrigin)},
                      {"Access-Control-Request-Method", "POST"},
                      {"Access-Control-Request-Headers", "authorization, apikey"}});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 204);
  EXPECT_EQ(header(*response, "Access-Control-Allow-Origin"), kAllowedOrigin);
  EXPECT_EQ(header(*response, "Access-Control-Allow-Methods"),
            "GET, POST, PUT, PATCH, DELETE, OPTIONS");
  EXPECT_NE(header(*response, "Access-Control-Allow-Headers").find("apikey"),
            std::string::npos);
  EXPECT_EQ(header(*response, "Access-Control-Max-Age"), "86400");
  EXPECT_EQ(header(*response, "Vary"), "Origin");
  EXPECT_FALSE(header(*response, "X-Request-Id").empty());
  EXPECT_TRUE(response->body().empty());
  // The connection stays usable after a body-less 204.
  auto next = client.request("GET", "/echo");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->result_int(), 200);
}

TEST_F(HttpServer, AddsCorsHeadersForAnAllowedOrigin) {
  start();
  TestClient client(port());
  auto response =
      client.request("GET", "/error", {{"Origin", std::string(kAllowedOrigin)}});
  ASSERT_TRUE(response);
  EXPECT_EQ(header(*response, "Access-Control-Allow-Origin"), kAllowedOrigin);
  EXPECT_EQ(header(*response, "Vary"), "Origin");
  EXPECT_EQ(header(*response, "Access-Control-Expose-Headers"),
            "Content-Range, X-Supabase-Api-Version, X-Request-Id, X-Next-Cursor");
}

TEST_F(HttpServer, AddsNoCorsHeadersForADisallowedOrigin) {
  start();
  TestClient client(port());
  auto response = client.request("GET", "/echo", {{"Origin", "https://evil.example"}});
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200);
  EXPECT_EQ(response->count("Access-Control-Allow-Origin"), 0u);
  EXPECT_EQ(response->count("Access-Control-Expose-Headers"), 0u);
}

TEST_F(HttpServer, AnswersHeadWithTheHeadersOfGetAndNoBody) {
  start();
  TestClient client(port());
  auto get = client.request("GET", "/files/abc");
  ASSERT_TRUE(get);
  auto head = client.request("HEAD", "/files/abc");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->result_int(), 200);
  EXPECT_EQ(header(*head, "Content-Length"), std::to_string(get->body().size()));
  EXPECT_TRUE(head->body().empty());
  // Had the server sent a body, this response would not parse.
  auto after = client.request("GET", "/files/xyz");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->body(), "/files/xyz");
}

TEST_F(HttpServer, AnswersExpectContinueBeforeReadingTheBody) {
  start();
  TestClient client(port());
  ASSERT_TRUE(
      client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: "
                  "100-continue\r\n\r\n"));
  auto interim = client.read();
  ASSERT_TRUE(interim);
  EXPECT_EQ(interim->result_int(), 100);
  ASSERT_TRUE(client.send("hello"));
  auto response = client.read();
  ASSERT_TRUE(response);
  EXPECT_EQ(response->body(), "hello");
}

TEST_F(HttpServer, LogsOneJsonLinePerRequestWithoutTheQueryString) {
  start();
  TestClient client(port());
  auto response =
      client.request("GET", "/echo?token=secret-token", {{"X-Request-Id", "log-test-1"}});
  ASSERT_TRUE(response);
  ASSERT_TRUE(stop());
  auto lines = log_lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].find("secret-token"), std::string::npos) << lines[0];
  auto line = boost::json::parse(lines[0]).as_object();
  EXPECT_EQ(line.at("event").as_string(), "request");
  EXPECT_EQ(line.at("method").as_string(), "GET");
  EXPECT_EQ(line.at("path").as_string(), "/echo");
  EXPECT_EQ(line.at("query_length").to_number<int>(), 18);
  EXPECT_EQ(line.at("route").as_string(), "/echo");
  EXPECT_EQ(line.at("status").to_number<int>(), 200);
  EXPECT_GE(line.at("duration_ms").to_number<double>(), 0.0);
  EXPECT_EQ(line.at("user_id").as_string(), "user-1");
  EXPECT_EQ(line.at("request_id").as_string(), "log-test-1");
  EXPECT_EQ(line.at("remote").as_string(), "127.0.0.1");
  EXPECT_FALSE(line.at("time").as_string().empty());
}

TEST_F(HttpServer, CountsRequestsAndServesMetrics) {
  start();
  TestClient client(port());
  ASSERT_TRUE(client.request("GET", "/echo"));
  ASSERT_TRUE(client.request("GET", "/nowhere"));
  auto response = client.request("GET", "/metrics");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200);
  EXPECT_EQ(header(*response, "Content-Type"),
            "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = response->body();
  EXPECT_NE(text.find("cscx_http_requests_total{route=\"/echo\",status=\"200\"} 1\n"),
            std::string::npos)
      << text;
  EXPECT_NE(
      text.find("cscx_http_requests_total{route=\"(unrouted)\",status=\"404\"} 1\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("cscx_http_connections_open 1\n"), std::string::npos) << text;
}

TEST_F(HttpServer, RefusesToListenOnATakenAddress) {
  start();
  ServerOptions options = test_options();
  options.port = port();
  Server second(options, Router{});
  auto result = second.listen();
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, Code::kFailedPrecondition);
  EXPECT_TRUE(result.error().message.starts_with(
      "cannot listen on 127.0.0.1:" + std::to_string(port()) + ": "))
      << result.error().message;
}

}  // namespace
}  // namespace cscx::http::testing
