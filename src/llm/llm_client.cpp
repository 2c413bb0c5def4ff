#include "llm/llm_client.h"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>
#include <charconv>
#include <cstdlib>
#include <exception>
#include <fmt/core.h>
#include <utility>

namespace cscx::llm {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using asio::ip::tcp;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
// A chat answer is a few KiB; anything near this is not what we asked for.
constexpr std::uint64_t kMaxResponseBytes = 4u << 20;
constexpr long kMaxTimeoutMs = 600'000;

struct Endpoint {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;
};

Result<Endpoint> parse_endpoint(std::string_view url) {
  auto bad = [&] {
    return make_error(Code::kInvalidArgument,
                      "CSCX_LLM_URL must be an http:// or https:// URL with a host");
  };
  auto uri = boost::urls::parse_absolute_uri(url);
  if (!uri) return bad();
  Endpoint e;
  const std::string scheme(uri->scheme());
  if (scheme != "http" && scheme != "https") return bad();
  e.tls = scheme == "https";
  e.host = std::string(uri->host_address());
  if (e.host.empty()) return bad();
  e.port = uri->has_port() ? std::string(uri->port()) : (e.tls ? "443" : "80");
  e.target = std::string(uri->encoded_target());
  if (e.target.empty()) e.target = "/";
  return e;
}

std::string request_body(const LlmConfig& config, std::string system, std::string user) {
  json::object body;
  body["model"] = config.model;
  body["temperature"] = 0;
  body["response_format"] = json::object{{"type", "json_object"}};
  body["messages"] = json::array{json::object{{"role", "system"}, {"content", std::move(system)}},
                                 json::object{{"role", "user"}, {"content", std::move(user)}}};
  return json::serialize(body);
}

Error bad_answer(std::string message, std::string_view body = {}) {
  return make_error(Code::kInternal, std::move(message),
                    std::string(body.substr(0, std::min<std::size_t>(body.size(), 500))));
}

// {"choices": [{"message": {"content": "<one JSON object>"}}]} -> the object.
Result<json::object> read_answer(unsigned status, std::string_view body) {
  if (status != 200) return bad_answer(fmt::format("the LLM endpoint answered {}", status), body);
  boost::system::error_code ec;
  json::value outer = json::parse(body, ec);
  if (ec || !outer.is_object()) return bad_answer("the LLM answer is not a JSON object", body);
  const json::value* choices = outer.as_object().if_contains("choices");
  if (!choices || !choices->is_array() || choices->as_array().empty() ||
      !choices->as_array()[0].is_object()) {
    return bad_answer("the LLM answer has no choices", body);
  }
  const json::value* message = choices->as_array()[0].as_object().if_contains("message");
  const json::value* content = message && message->is_object()
                                   ? message->as_object().if_contains("content")
                                   : nullptr;
  if (!content || !content->is_string()) return bad_answer("the LLM answer has no content", body);
  json::value inner = json::parse(content->as_string(), ec);
  if (ec || !inner.is_object()) {
    return bad_answer("the LLM content is not one JSON object", content->as_string());
  }
  return std::move(inner.as_object());
}

Error io_error(std::string_view step, const boost::system::error_code& ec) {
  if (ec == beast::error::timeout || ec == asio::error::operation_aborted) {
    return make_error(Code::kUnavailable, fmt::format("the LLM endpoint timed out ({})", step));
  }
  return make_error(Code::kUnavailable, fmt::format("the LLM endpoint failed ({})", step),
                    ec.message());
}

// Writes `request` and reads one response on a connected stream (plain or
// TLS); the tcp_stream's expiry bounds both.
template <class Stream>
asio::awaitable<Result<json::object>> exchange(Stream& stream,
                                               bhttp::request<bhttp::string_body>& request) {
  auto [write_ec, written] = co_await bhttp::async_write(stream, request, kAwait);
  if (write_ec) co_return io_error("write", write_ec);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(kMaxResponseBytes);
  auto [read_ec, read] = co_await bhttp::async_read(stream, buffer, parser, kAwait);
  if (read_ec == bhttp::error::body_limit) co_return bad_answer("the LLM answer is too large");
  if (read_ec) co_return io_error("read", read_ec);
  const auto& response = parser.get();
  co_return read_answer(response.result_int(), response.body());
}

// DNS has no timeout of its own: a timer cancels the resolver.
asio::awaitable<Result<tcp::resolver::results_type>> resolve(const Endpoint& endpoint,
                                                             std::chrono::milliseconds timeout) {
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  asio::steady_timer deadline(executor, timeout);
  deadline.async_wait([&resolver](boost::system::error_code ec) {
    if (!ec) resolver.cancel();
  });
  auto [ec, results] = co_await resolver.async_resolve(endpoint.host, endpoint.port, kAwait);
  deadline.cancel();
  if (ec) co_return io_error("resolve", ec);
  co_return results;
}

asio::awaitable<Result<json::object>> ask(const LlmConfig& config, const Endpoint& endpoint,
                                          std::string body) {
  const auto started = std::chrono::steady_clock::now();
  auto resolved = co_await resolve(endpoint, config.timeout);
  if (!resolved) co_return resolved.error();
  const auto left = config.timeout - std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::steady_clock::now() - started);

  bhttp::request<bhttp::string_body> request(bhttp::verb::post, endpoint.target, 11);
  request.set(bhttp::field::host, endpoint.host);
  request.set(bhttp::field::user_agent, "cscx");
  request.set(bhttp::field::content_type, "application/json");
  request.set(bhttp::field::accept, "application/json");
  request.set(bhttp::field::authorization, "Bearer " + config.key);
  request.body() = std::move(body);
  request.prepare_payload();

  auto executor = co_await asio::this_coro::executor;
  if (!endpoint.tls) {
    beast::tcp_stream stream(executor);
    stream.expires_after(left);
    auto [ec, connected] = co_await stream.async_connect(*resolved, kAwait);
    if (ec) co_return io_error("connect", ec);
    co_return co_await exchange(stream, request);
  }
  asio::ssl::context tls(asio::ssl::context::tls_client);
  tls.set_default_verify_paths();
  tls.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(executor, tls);
  // SNI, and the certificate must name the host.
  if (!SSL_set_tlsext_host_name(stream.native_handle(), endpoint.host.c_str())) {
    co_return make_error(Code::kUnavailable, "the LLM endpoint failed (TLS SNI)");
  }
  stream.set_verify_callback(asio::ssl::host_name_verification(endpoint.host));
  beast::get_lowest_layer(stream).expires_after(left);
  auto [ec, connected] = co_await beast::get_lowest_layer(stream).async_connect(*resolved, kAwait);
  if (ec) co_return io_error("connect", ec);
  auto [hs_ec] = co_await stream.async_handshake(asio::ssl::stream_base::client, kAwait);
  if (hs_ec) co_return io_error("TLS handshake", hs_ec);
  co_return co_await exchange(stream, request);
}

}  // namespace

std::optional<LlmConfig> llm_config_from_env() {
  auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v ? v : "";
  };
  LlmConfig config{env("CSCX_LLM_URL"), env("CSCX_LLM_KEY"), env("CSCX_LLM_MODEL")};
  if (config.url.empty() || config.key.empty() || config.model.empty()) return std::nullopt;
  const std::string timeout = env("CSCX_LLM_TIMEOUT_MS");
  long ms = 0;
  auto [end, ec] = std::from_chars(timeout.data(), timeout.data() + timeout.size(), ms);
  if (!timeout.empty() && ec == std::errc() && end == timeout.data() + timeout.size() && ms > 0 &&
      ms <= kMaxTimeoutMs) {
    config.timeout = std::chrono::milliseconds(ms);
  }
  return config;
}

asio::awaitable<Result<json::object>> ask_json(const LlmConfig& config, std::string system,
                                               std::string user) {
  auto endpoint = parse_endpoint(config.url);
  if (!endpoint) co_return endpoint.error();
  std::string body = request_body(config, std::move(system), std::move(user));
  // Beast and OpenSSL may throw (bad_alloc, TLS context setup); the
  // contract of this function is a value, so turn them into one.
  try {
    co_return co_await ask(config, *endpoint, std::move(body));
  } catch (const std::exception& e) {
    co_return make_error(Code::kInternal, "the LLM request failed", e.what());
  }
}

Result<json::object> ask_json_blocking(const LlmConfig& config, std::string system,
                                       std::string user) {
  asio::io_context io;
  std::optional<Result<json::object>> answer;
  asio::co_spawn(io, ask_json(config, std::move(system), std::move(user)),
                 [&answer](std::exception_ptr e, Result<json::object> r) {
                   if (e) {
                     answer = make_error(Code::kInternal, "the LLM request failed");
                   } else {
                     answer = std::move(r);
                   }
                 });
  io.run();
  if (!answer) return make_error(Code::kInternal, "the LLM request did not finish");
  return std::move(*answer);
}

}  // namespace cscx::llm
