#include "llm/provider_http.h"

#include <fmt/core.h>
#include <openssl/ssl.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>
#include <charconv>
#include <cstdlib>
#include <memory>
#include <utility>

namespace cscx::llm {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using asio::ip::tcp;

namespace {

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
constexpr long kMaxTimeoutMs = 600'000;

// Contexts built by client_tls_context(), for testing::tls_contexts_built().
std::atomic<std::size_t> tls_context_count{0};

// One TLS client context for every provider request: loading the system's
// CA store costs milliseconds and megabytes, so it happens once (a
// function-static, initialised thread-safely; if it throws, the request
// fails as kInternal and the next one tries again). OpenSSL allows one
// SSL_CTX to back SSL objects on many threads once it is set up; nothing
// changes it afterwards (SNI and the host check are per stream).
asio::ssl::context& client_tls_context() {
  static asio::ssl::context tls = [] {
    ++tls_context_count;
    asio::ssl::context context(asio::ssl::context::tls_client);
    context.set_default_verify_paths();
    context.set_verify_mode(asio::ssl::verify_peer);
    return context;
  }();
  return tls;
}

struct Endpoint {
  bool tls = false;
  std::string host;
  std::string port;
  std::string target;
};

Result<Endpoint> parse_endpoint(std::string_view url, std::string_view url_variable) {
  auto bad = [&] {
    return make_error(
        Code::kInvalidArgument,
        fmt::format("{} must be an http:// or https:// URL with a host", url_variable));
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
  unsigned port = 0;
  auto [end, ec] = std::from_chars(e.port.data(), e.port.data() + e.port.size(), port);
  if (ec != std::errc() || end != e.port.data() + e.port.size() || port == 0 ||
      port > 65535)
    return bad();
  e.target = std::string(uri->encoded_target());
  if (e.target.empty()) e.target = "/";
  return e;
}

// The body's first 500 bytes go to the log only (Error::detail), never to
// the message: a provider's error body may echo the request or the key.
std::string body_excerpt(std::string_view body) {
  return std::string(body.substr(0, std::min<std::size_t>(body.size(), 500)));
}

Error bad_answer(std::string message, std::string_view body = {}) {
  return make_error(Code::kDependencyFailed, std::move(message), body_excerpt(body));
}

// A status worth retrying: the provider is overloaded or down (429, 5xx) or
// gave up waiting for us (408). Every other refusal (400 a text too long,
// 401/403 a bad key, 404 an unknown model or path, 413, 422) is the same on
// the next try.
bool transient_status(unsigned status) {
  return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

Error status_error(const JsonPostLimits& limits, unsigned status, std::string_view body) {
  if (transient_status(status)) {
    return make_error(Code::kUnavailable,
                      fmt::format("{} answered {}", limits.who, status),
                      body_excerpt(body));
  }
  return bad_answer(fmt::format("{} answered {}; retrying will not help (check its URL, "
                                "key and model)",
                                limits.who, status),
                    body);
}

Result<json::value> read_answer(const JsonPostLimits& limits, unsigned status,
                                std::string_view body) {
  if (status != 200) return status_error(limits, status, body);
  boost::system::error_code ec;
  json::value answer = json::parse(body, ec);
  if (ec)
    return bad_answer(fmt::format("{} answered with a body that is not JSON", limits.who),
                      body);
  return answer;
}

Error io_error(const JsonPostLimits& limits, std::string_view step,
               const boost::system::error_code& ec) {
  if (ec == beast::error::timeout || ec == asio::error::operation_aborted) {
    return make_error(Code::kUnavailable,
                      fmt::format("{} timed out ({})", limits.who, step));
  }
  return make_error(Code::kUnavailable, fmt::format("{} failed ({})", limits.who, step),
                    ec.message());
}

// Writes `request` and reads one response on a connected stream (plain or
// TLS); the tcp_stream's expiry bounds both.
template <class Stream>
asio::awaitable<Result<json::value>> exchange(Stream& stream,
                                              bhttp::request<bhttp::string_body>& request,
                                              const JsonPostLimits& limits) {
  auto [write_ec, written] = co_await bhttp::async_write(stream, request, kAwait);
  if (write_ec) co_return io_error(limits, "write", write_ec);
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(limits.max_response_bytes);
  auto [read_ec, read] = co_await bhttp::async_read(stream, buffer, parser, kAwait);
  if (read_ec == bhttp::error::body_limit) {
    co_return bad_answer(fmt::format("{} answered more than {} bytes", limits.who,
                                     limits.max_response_bytes));
  }
  if (read_ec) co_return io_error(limits, "read", read_ec);
  const auto& response = parser.get();
  co_return read_answer(limits, response.result_int(), response.body());
}

// DNS has no timeout of its own: a timer cancels the resolver. The timer's
// handler owns the resolver too: it may already be queued (or running on
// another thread) when the resolve completes and this coroutine returns.
// (A getaddrinfo already under way is not interrupted by the cancel.)
asio::awaitable<Result<tcp::resolver::results_type>> resolve(
    const Endpoint& endpoint, std::chrono::milliseconds timeout,
    const JsonPostLimits& limits) {
  auto executor = co_await asio::this_coro::executor;
  auto resolver = std::make_shared<tcp::resolver>(executor);
  asio::steady_timer deadline(executor, timeout);
  deadline.async_wait([resolver](boost::system::error_code ec) {
    if (!ec) resolver->cancel();
  });
  auto [ec, results] =
      co_await resolver->async_resolve(endpoint.host, endpoint.port, kAwait);
  deadline.cancel();
  if (ec) co_return io_error(limits, "resolve", ec);
  co_return results;
}

asio::awaitable<Result<json::value>> post(const ProviderConfig& config,
                                          const JsonPostLimits& limits,
                                          const Endpoint& endpoint, std::string body) {
  const auto started = std::chrono::steady_clock::now();
  auto resolved = co_await resolve(endpoint, config.timeout, limits);
  if (!resolved) co_return resolved.error();
  const auto left =
      config.timeout - std::chrono::duration_cast<std::chrono::milliseconds>(
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
    if (ec) co_return io_error(limits, "connect", ec);
    co_return co_await exchange(stream, request, limits);
  }
  beast::ssl_stream<beast::tcp_stream> stream(executor, client_tls_context());
  // SNI, and the certificate must name the host.
  if (!SSL_set_tlsext_host_name(stream.native_handle(), endpoint.host.c_str())) {
    co_return make_error(Code::kUnavailable,
                         fmt::format("{} failed (TLS SNI)", limits.who));
  }
  stream.set_verify_callback(asio::ssl::host_name_verification(endpoint.host));
  beast::get_lowest_layer(stream).expires_after(left);
  auto [ec, connected] =
      co_await beast::get_lowest_layer(stream).async_connect(*resolved, kAwait);
  if (ec) co_return io_error(limits, "connect", ec);
  auto [hs_ec] = co_await stream.async_handshake(asio::ssl::stream_base::client, kAwait);
  if (hs_ec) co_return io_error(limits, "TLS handshake", hs_ec);
  co_return co_await exchange(stream, request, limits);
}

}  // namespace

Result<std::optional<ProviderConfig>> provider_config_from_env(
    std::string_view prefix, std::chrono::milliseconds default_timeout) {
  auto env = [prefix](std::string_view suffix) -> std::string {
    const std::string name = std::string(prefix) + std::string(suffix);
    const char* v = std::getenv(name.c_str());
    return v ? v : "";
  };
  ProviderConfig config{env("_URL"), env("_KEY"), env("_MODEL"), default_timeout};
  if (config.url.empty() || config.key.empty() || config.model.empty())
    return std::optional<ProviderConfig>();
  // A URL that can never work is the operator's typo: say so when the
  // configuration is read (at `cscx serve` start), not on every request.
  auto endpoint = parse_endpoint(config.url, std::string(prefix) + "_URL");
  if (!endpoint) return endpoint.error();
  const std::string timeout = env("_TIMEOUT_MS");
  long ms = 0;
  auto [end, ec] = std::from_chars(timeout.data(), timeout.data() + timeout.size(), ms);
  if (!timeout.empty() && ec == std::errc() && end == timeout.data() + timeout.size() &&
      ms > 0 && ms <= kMaxTimeoutMs) {
    config.timeout = std::chrono::milliseconds(ms);
  }
  return std::optional<ProviderConfig>(std::move(config));
}

asio::awaitable<Result<json::value>> post_json(const ProviderConfig& config,
                                               const JsonPostLimits& limits,
                                               std::string body) {
  auto endpoint = parse_endpoint(config.url, limits.url_variable);
  if (!endpoint) co_return endpoint.error();
  // Beast and OpenSSL may throw (bad_alloc, TLS context setup); the
  // contract of this function is a value, so turn them into one.
  try {
    co_return co_await post(config, limits, *endpoint, std::move(body));
  } catch (const std::exception& e) {
    co_return make_error(Code::kInternal, fmt::format("{} request failed", limits.who),
                         e.what());
  }
}

namespace testing {

std::size_t tls_contexts_built() { return tls_context_count.load(); }

}  // namespace testing
}  // namespace cscx::llm
