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
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"
#include "knowledge/embedder.h"
#include "knowledge/query_gate.h"
#include "llm/provider_http.h"

namespace cscx::knowledge {

// The embeddings URL (the full .../v1/embeddings), key, model and timeout
// (llm/provider_http.h), and what is particular to embeddings.
struct EmbeddingProviderConfig : llm::ProviderConfig {
  // Send "dimensions": 1536 in each request (CSCX_EMBEDDING_DIMENSIONS=1536).
  // Off by default: text-embedding-ada-002 and many OpenAI-compatible
  // servers refuse the field; text-embedding-3-* need it only to shorten
  // their vectors, and 3-small's are 1536 already.
  bool send_dimensions = false;
  // The search path's state for this provider: query cache, circuit
  // breaker, in-flight cap (embed_search_query). Created with the config and
  // shared by its copies, which are the same provider; never null.
  std::shared_ptr<internal::QueryState> queries =
      std::make_shared<internal::QueryState>();
};

// Texts per provider request (embed_texts splits longer lists).
inline constexpr std::size_t kProviderBatch = 64;
// Each text sent to the provider is cut (on a UTF-8 character boundary) to
// an estimate of 7,500 tokens: OpenAI's embedding models take at most
// 8,191. An ASCII byte counts a third of a token (English runs 4 bytes a
// token), any other byte a whole one (a tokenizer never makes more tokens
// than bytes; Chinese, Japanese or Thai text can come close): so at most
// 22,500 bytes of ASCII, 7,500 bytes of other scripts. A text the provider
// still refuses is skipped alone (reindex.h). The built-in embedder has no
// limit.
inline constexpr std::size_t kProviderTextBytes = 22'500;
// The texts of one request together stay under this (a request of 64 long
// texts would be 1.5 MB, past what many servers accept in one body).
inline constexpr std::size_t kProviderBatchBytes = 512 * 1024;
// A search's query vector waits at most this long for the provider (or the
// configured timeout, if shorter): the search answers by full text instead.
inline constexpr std::chrono::milliseconds kQueryTimeout{2'000};

// The provider configured by the environment: nullopt unless
// CSCX_EMBEDDING_URL, CSCX_EMBEDDING_KEY and CSCX_EMBEDDING_MODEL are all
// set and non-empty. CSCX_EMBEDDING_TIMEOUT_MS (1..600000) overrides the
// timeout (default 10 s); an unusable value keeps the default.
// CSCX_EMBEDDING_DIMENSIONS: unset or empty sends no "dimensions", 1536
// sends it (send_dimensions). Fails with kInvalidArgument naming the
// variable when CSCX_EMBEDDING_URL is not an http(s) URL or
// CSCX_EMBEDDING_DIMENSIONS is anything else (`cscx serve` and
// `cscx kb reindex` refuse to start). Reads the environment on every call.
[[nodiscard]] Result<std::optional<EmbeddingProviderConfig>>
embedding_provider_from_env();

// What /ready and the CLI call the embedder in use: kEmbedderVersion
// without a provider, else "openai-compatible:<model>".
std::string embedder_name(const EmbeddingProviderConfig* provider);

// One unit vector of kEmbeddingDimensions per text, in order, for any
// number of texts. With `provider` (not null) each text is cut to
// kProviderTextBytes and the list is sent in requests of at most
// kProviderBatch texts and kProviderBatchBytes, one after another; the
// first failure fails the call (no partial answer). Without a provider, the
// built-in embedder (embed_text), which never fails. The provider's
// failures (never thrown):
//  - kInvalidArgument: the URL is not http(s)://host[:port]/path;
//  - kUnavailable (transient, a retry may succeed): resolve/connect/TLS/IO
//    error, the timeout, or status 408, 429 or 5xx;
//  - kDependencyFailed (permanent, retrying will not help; the message
//    says so): another non-200 status (400, 401, 403, 404, 413, 422: a bad
//    key, an unknown model), a body over 64 KiB per text + 64 KiB or not
//    JSON, an answer that is not {"data": [{"index", "embedding"}...]} with
//    one vector per text, or a vector that is not exactly
//    kEmbeddingDimensions finite numbers, or is all zeros;
//  - kInternal: an exception inside Beast or OpenSSL (a bug).
// The provider's body excerpt is in Error::detail only. Runs on the calling
// coroutine's executor and never blocks the thread; `provider` must outlive
// the awaitable. Thread-safe.
boost::asio::awaitable<Result<std::vector<Embedding>>> embed_texts(
    const EmbeddingProviderConfig* provider, std::vector<std::string> texts);

// The vector of a search query. Without `provider`, embed_text(text): never
// fails. With one, embed_texts' request, but guarded for the search path
// (provider->queries): a cache of the last 1,024 query texts answers
// repeated queries without a request; at most 8 query requests are in
// flight at once; after 5 transient failures in a row the provider is not
// asked for 30 s, then one request tries it; each waits at most
// min(provider->timeout, kQueryTimeout). A refused or failed request is an
// error at once, never a wait in a queue: kUnavailable (refused, or
// embed_texts' transient failures) or embed_texts' other codes. Failures
// are logged here, at most one warning per 30 s with the count of those
// not logged, so the caller need not log them again. Runs on the calling
// coroutine's executor; `provider` must outlive the awaitable. Thread-safe.
boost::asio::awaitable<Result<Embedding>> embed_search_query(
    const EmbeddingProviderConfig* provider, std::string text);

namespace internal {

// {"model": M, "input": [texts]}, with "dimensions": kEmbeddingDimensions
// when provider.send_dimensions.
std::string embeddings_request(const EmbeddingProviderConfig& provider,
                               const std::vector<std::string>& texts);

// The provider's answer -> `count` unit vectors ordered by "index" (the
// position in "data" when an item has none); the failures embed_texts
// lists as kDependencyFailed.
[[nodiscard]] Result<std::vector<Embedding>> read_embeddings(
    const boost::json::value& answer, std::size_t count);

// `text` cut to at most `max_bytes` units (an ASCII byte one, any other
// byte three: kProviderTextBytes' token estimate) without splitting a
// UTF-8 character.
std::string cut_text(std::string text, std::size_t max_bytes);

// `texts` as the provider's requests: [begin, end) index ranges of at most
// kProviderBatch texts whose sizes add up to at most kProviderBatchBytes
// (a text is never split; each is already under kProviderTextBytes).
std::vector<std::pair<std::size_t, std::size_t>> request_ranges(
    const std::vector<std::string>& texts);

}  // namespace internal
}  // namespace cscx::knowledge
