#include "http/server_fixture.h"

#include <spdlog/logger.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdlib>
#include <stdexcept>

namespace cscx::http::testing {
namespace {

namespace asio = boost::asio;
using asio::awaitable;

awaitable<void> sleep_for(std::chrono::milliseconds duration) {
  asio::steady_timer timer(co_await asio::this_coro::executor, duration);
  co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
}

Router test_router(std::shared_ptr<std::atomic<bool>> slow_started) {
  Router router;
  Handler echo = [](const Request& request,
                    RequestLog& log) -> awaitable<Result<Response>> {
    log.user_id = "user-1";
    Response response;
    response.content_type = "text/plain";
    response.body = request.body;
    response.headers.emplace_back("X-Echo-Path", request.path);
    response.headers.emplace_back("X-Echo-Query", request.query);
    response.headers.emplace_back("X-Echo-Remote", request.remote_address);
    co_return response;
  };
  router.add("GET", "/echo", "/echo", echo);
  router.add("POST", "/echo", "/echo", echo);
  router.add("GET", "/files/*", "/files/:name",
             [](const Request& request, RequestLog&) -> awaitable<Result<Response>> {
               Response response;
               response.content_type = "text/plain";
               response.body = request.path;
               co_return response;
             });
  router.add("GET", "/slow", "/slow",
             [slow_started](const Request&, RequestLog&) -> awaitable<Result<Response>> {
               slow_started->store(true);
               co_await sleep_for(std::chrono::milliseconds(300));
               co_return Response::json(200, R"({"slow":true})");
             });
  router.add("GET", "/hang", "/hang",
             [](const Request&, RequestLog&) -> awaitable<Result<Response>> {
               co_await sleep_for(std::chrono::hours(1));
               co_return Response::json(200, "{}");
             });
  router.add("GET", "/throw", "/throw",
             [](const Request&, RequestLog&) -> awaitable<Result<Response>> {
               throw std::runtime_error("boom");
               co_return Response::json(200, "{}");
             });
  router.add("GET", "/bad-headers", "/bad-headers",
             [](const Request&, RequestLog&) -> awaitable<Result<Response>> {
               Response response = Response::json(200, R"({"ok":true})");
               response.headers = {{"X-Ok", "1"},
                                   {"X-Evil", "a\r\nSet-Cookie: stolen=1"},
                                   {"Bad Name", "v"},
                                   {"Content-Length", "999"},
                                   {"X-Request-Id", "forged"}};
               co_return response;
             });
  router.add("GET", "/bad-status", "/bad-status",
             [](const Request&, RequestLog&) -> awaitable<Result<Response>> {
               co_return Response::json(1000, "{}");
             });
  router.add("GET", "/error", "/error",
             [](const Request&, RequestLog&) -> awaitable<Result<Response>> {
               co_return make_error(Code::kNotFound, "no such thing", "secret detail");
             });
  return router;
}

}  // namespace

ServerOptions test_options() {
  ServerOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.threads = 2;
  options.body_limit = 1024;
  options.header_limit = 1024;
  options.request_timeout = std::chrono::milliseconds(2000);
  options.idle_timeout = std::chrono::milliseconds(3000);
  options.shutdown_grace = std::chrono::milliseconds(2000);
  options.allowed_origins = {std::string(kAllowedOrigin)};
  return options;
}

void ServerTest::start(ServerOptions options) {
  sink_ = std::make_shared<CapturingSink>();
  auto logger = std::make_shared<spdlog::logger>("test", sink_);
  logger->set_pattern("%v");
  options.logger = logger;
  server_ = std::make_unique<Server>(std::move(options), test_router(slow_started_));
  add_metrics_route(server_->router(), server_->metrics());
  auto port = server_->listen();
  ASSERT_TRUE(port) << port.error().to_string();
  port_ = *port;
  std::promise<void> finished;
  finished_ = finished.get_future();
  thread_ = std::thread([this, finished = std::move(finished)]() mutable {
    server_->run();
    finished.set_value();
  });
}

bool ServerTest::stop(std::chrono::milliseconds timeout) {
  if (!server_) return true;
  server_->stop();
  return stopped(timeout);
}

bool ServerTest::stopped(std::chrono::milliseconds wait) {
  return finished_.valid() && finished_.wait_for(wait) == std::future_status::ready;
}

void ServerTest::TearDown() {
  if (!server_) return;
  if (!stop()) {
    // run() did not return: destroying the server under a running
    // io_context would crash later and less clearly.
    ADD_FAILURE() << "the server did not stop";
    std::abort();
  }
  thread_.join();
  server_.reset();
}

}  // namespace cscx::http::testing
