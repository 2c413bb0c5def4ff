// The knowledge base's optional embedding provider (issue 8): an
// OpenAI-compatible `/v1/embeddings` endpoint that replaces the built-in
// embedder (embedder.h) for the whole server when an operator configures
// one. Which embedder fills the index is one choice per server, made at
// start (IndexState carries it): vectors of two embedders live in
// different spaces and are never mixed in one index. The HTTP transport is
// llm/provider_http.h's, shared with the chat-completions client.
// docs/knowledge.md ("The embedding provider") describes the protocol.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "knowledge/embedder.h"
#include "llm/provider_http.h"

namespace cscx::knowledge {

// The embeddings URL (the full .../v1/embeddings), key, model and timeout.
using EmbeddingProviderConfig = llm::ProviderConfig;

// Texts per provider request in `cscx kb reindex`.
inline constexpr std::size_t kProviderBatch = 64;

// The provider configured by the environment: nullopt unless
// CSCX_EMBEDDING_URL, CSCX_EMBEDDING_KEY and CSCX_EMBEDDING_MODEL are all
// set and non-empty. CSCX_EMBEDDING_TIMEOUT_MS (1..600000) overrides the
// timeout (default 10 s); an unusable value keeps the default. Reads the
// environment on every call.
std::optional<EmbeddingProviderConfig> embedding_provider_from_env();

// What /ready and the CLI call the embedder in use: kEmbedderVersion
// without a provider, else "openai-compatible:<model>".
std::string embedder_name(const EmbeddingProviderConfig* provider);

// One unit vector of kEmbeddingDimensions per text, in order. With
// `provider` (not null) one request to it; without, the built-in embedder
// (embed_text), which never fails. The provider's failures (never thrown):
//  - kInvalidArgument: the URL is not http(s)://host[:port]/path;
//  - kUnavailable: resolve/connect/TLS/IO error or the timeout;
//  - kInternal: a status other than 200, a body over 32 MiB or not JSON,
//    an answer that is not {"data": [{"index", "embedding"}...]} with one
//    vector per text, or a vector that is not exactly kEmbeddingDimensions
//    finite numbers, or is all zeros.
// Runs on the calling coroutine's executor and never blocks the thread;
// `provider` must outlive the awaitable. Thread-safe.
boost::asio::awaitable<Result<std::vector<Embedding>>> embed_texts(
    const EmbeddingProviderConfig* provider, std::vector<std::string> texts);

namespace internal {

// {"model": M, "input": [texts], "dimensions": kEmbeddingDimensions}.
std::string embeddings_request(const EmbeddingProviderConfig& provider,
                               const std::vector<std::string>& texts);

// The provider's answer -> `count` unit vectors ordered by "index" (the
// position in "data" when an item has none); the failures embed_texts
// lists as kInternal.
[[nodiscard]] Result<std::vector<Embedding>> read_embeddings(
    const boost::json::value& answer, std::size_t count);

}  // namespace internal
}  // namespace cscx::knowledge
