// The one HTTP client for optional OpenAI-compatible providers: POST a JSON
// body to a configured URL with a bearer key, get the JSON answer back.
//
// Both providers use it: the chat-completions client (llm/llm_client.h,
// issue 6) and the knowledge base's embeddings client
// (knowledge/embedding_provider.h, issue 8). It knows HTTP, TLS, deadlines
// and size limits, and nothing of either protocol: each caller checks the
// shape of the answer it asked for. Configuration comes from the
// environment (provider_config_from_env); nothing here is required.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"

namespace cscx::llm {

// An OpenAI-compatible endpoint as an operator configures it.
struct ProviderConfig {
  std::string url;    // the full http:// or https:// URL of the endpoint
  std::string key;    // sent as "Authorization: Bearer <key>"
  std::string model;  // the "model" of each request
  // The whole request (resolve, connect, TLS, write, read) must finish
  // within this.
  std::chrono::milliseconds timeout{20'000};
};

// <prefix>_URL, <prefix>_KEY and <prefix>_MODEL, all set and non-empty, or
// nullopt when any is unset or empty (the provider is off);
// <prefix>_TIMEOUT_MS (1..600000) overrides `default_timeout`, an unusable
// value keeps it. Fails with kInvalidArgument naming <prefix>_URL when the
// URL is not http(s)://host[:port]/path, so a server refuses to start with
// it. Reads the environment on every call.
[[nodiscard]] Result<std::optional<ProviderConfig>> provider_config_from_env(
    std::string_view prefix, std::chrono::milliseconds default_timeout);

// How one kind of call names itself in errors, and what it accepts.
struct JsonPostLimits {
  std::string_view who;           // "the LLM endpoint": starts every error message
  std::string_view url_variable;  // "CSCX_LLM_URL": named when the URL is unusable
  std::uint64_t max_response_bytes = 4u << 20;
};

// POSTs `body` (JSON) to config.url and returns the parsed JSON answer.
// Fails (never throws) with
//  - kInvalidArgument: the URL is not http(s)://host[:port]/path;
//  - kUnavailable (transient, a retry may succeed): resolve/connect/TLS/IO
//    error, config.timeout, or status 408, 429 or 5xx;
//  - kDependencyFailed (permanent, retrying will not help; the message says
//    so): any other status than 200 (400 a text too long, 401/403 a bad
//    key, 404 an unknown model, 413, 422...), a body over
//    max_response_bytes, or a body that is not JSON;
//  - kInternal: an exception inside Beast or OpenSSL (a bug).
// The answer body's first 500 bytes are in Error::detail (for the log),
// never in the message. TLS uses one process-wide client context (the
// system's CA store, loaded on the first https request).
// Runs on the calling coroutine's executor with asynchronous Beast
// operations: it never blocks the thread. `config` and `limits` (with the
// strings it views) must outlive the awaitable. Thread-safe.
boost::asio::awaitable<Result<boost::json::value>> post_json(const ProviderConfig& config,
                                                             const JsonPostLimits& limits,
                                                             std::string body);

// Runs `call` on a private io_context, for callers without one (the CLI);
// blocks until it finishes. An exception escaping it becomes kInternal.
template <class T>
[[nodiscard]] Result<T> run_blocking(boost::asio::awaitable<Result<T>> call) {
  boost::asio::io_context io;
  std::optional<Result<T>> answer;
  boost::asio::co_spawn(
      io, std::move(call), [&answer](std::exception_ptr e, Result<T> r) {
        if (e) {
          answer = make_error(Code::kInternal, "the provider request failed");
        } else {
          answer = std::move(r);
        }
      });
  io.run();
  if (!answer) return make_error(Code::kInternal, "the provider request did not finish");
  return std::move(*answer);
}

namespace testing {

// How many TLS client contexts this process has built: 1 after any number
// of https requests (0 before the first).
std::size_t tls_contexts_built();

}  // namespace testing
}  // namespace cscx::llm
