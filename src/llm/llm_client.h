// Optional LLM provider: a small client for an OpenAI-compatible
// chat-completions endpoint that asks for one JSON object (issue 6).
//
// The built-in contract parser and transcript analyser stay the source of
// truth; this area only asks a model for the same output object so that
// llm/llm_assist.h can merge well-typed answers field by field. Nothing here
// is required: without CSCX_LLM_URL, CSCX_LLM_KEY and CSCX_LLM_MODEL the
// provider is off and no request is ever made. docs/llm.md describes the
// protocol, the prompts and the merge rules.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <optional>
#include <string>

#include "core/error.h"
#include "llm/provider_http.h"

namespace cscx::llm {

// The endpoint, key, model and timeout (llm/provider_http.h); the URL is
// the chat-completions one.
using LlmConfig = ProviderConfig;

// The provider configured by the environment: nullopt unless CSCX_LLM_URL,
// CSCX_LLM_KEY and CSCX_LLM_MODEL are all set and non-empty.
// CSCX_LLM_TIMEOUT_MS (1..600000) overrides the timeout (default 20 s); an
// unusable value keeps the default. kInvalidArgument naming CSCX_LLM_URL
// when that is not an http(s) URL (`cscx serve` refuses to start).
// Reads the environment on every call.
[[nodiscard]] Result<std::optional<LlmConfig>> llm_config_from_env();

// One chat-completions round trip in JSON mode: sends `system` and `user` as
// messages with response_format {"type": "json_object"} and temperature 0,
// and returns the object the assistant message's content holds.
// Fails (never throws) with
//  - kInvalidArgument: the URL is not http(s)://host[:port]/path;
//  - kUnavailable (transient): resolve/connect/TLS/IO error, the timeout,
//    or status 408, 429 or 5xx;
//  - kDependencyFailed (permanent, retrying will not help): another non-200
//    status (a bad key, an unknown model), a body over 4 MiB, a body that
//    is not the chat-completions shape, or content that is not one JSON
//    object;
//  - kInternal: an exception inside Beast or OpenSSL (a bug).
// Runs on the calling coroutine's executor with asynchronous Beast
// operations: it never blocks the thread. `config` must outlive the
// returned awaitable. Thread-safe: calls share only the TLS client
// context (provider_http.cpp), which OpenSSL allows across threads.
boost::asio::awaitable<Result<boost::json::object>> ask_json(const LlmConfig& config,
                                                             std::string system,
                                                             std::string user);

// ask_json() on a private io_context, for callers without one (the CLI).
// Blocks the calling thread until the answer or the timeout.
[[nodiscard]] Result<boost::json::object> ask_json_blocking(const LlmConfig& config,
                                                            std::string system,
                                                            std::string user);

}  // namespace cscx::llm
