#include "knowledge/embedding_provider.h"

#include <fmt/core.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <utility>

namespace cscx::knowledge {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

constexpr std::string_view kWho = "the embedding endpoint";
constexpr std::string_view kUrlVariable = "CSCX_EMBEDDING_URL";

// One vector is 1536 numbers at ~20 bytes each, ~30 KiB; 64 KiB per text
// leaves room for pretty-printed answers, and the limit grows with the
// request, so a search's one-text request never accepts megabytes.
constexpr std::uint64_t kAnswerBytesPerText = 64 * 1024;
constexpr std::uint64_t kAnswerBytesBase = 64 * 1024;

// An answer of the wrong shape is the same on every try: a model or
// endpoint that does not do what we ask (llm/provider_http.h).
Error bad_answer(std::string message) {
  return make_error(Code::kDependencyFailed,
                    "the embedding endpoint's answer " + std::move(message));
}

// Exactly kEmbeddingDimensions finite numbers that fit a float, scaled to
// unit length: the index ranks by inner product, which is the cosine only
// between unit vectors, and providers differ in whether they normalise.
Result<Embedding> unit_vector(const json::value& v, std::size_t position) {
  if (!v.is_array()) {
    return bad_answer(fmt::format("has no embedding array at position {}", position));
  }
  const json::array& numbers = v.as_array();
  if (numbers.size() != kEmbeddingDimensions) {
    return bad_answer(fmt::format("has {} numbers at position {}, not the schema's {}",
                                  numbers.size(), position, kEmbeddingDimensions));
  }
  Embedding out(kEmbeddingDimensions);
  double norm = 0;
  for (std::size_t i = 0; i < numbers.size(); ++i) {
    const json::value& x = numbers[i];
    if (!x.is_number()) {
      return bad_answer(
          fmt::format("has a value that is not a number at position {}", position));
    }
    const double d = x.to_number<double>();
    if (!std::isfinite(d) || std::fabs(d) > FLT_MAX) {
      return bad_answer(
          fmt::format("has a number out of range at position {}", position));
    }
    out[i] = static_cast<float>(d);
    norm += d * d;
  }
  if (norm == 0)
    return bad_answer(fmt::format("has a zero vector at position {}", position));
  const double scale = 1.0 / std::sqrt(norm);
  for (float& x : out) x = static_cast<float>(x * scale);
  return out;
}

// One request: `texts` are already cut and few enough.
asio::awaitable<Result<std::vector<Embedding>>> ask_provider(
    const EmbeddingProviderConfig& provider, const std::vector<std::string>& texts) {
  const llm::JsonPostLimits limits{kWho, kUrlVariable,
                                   kAnswerBytesBase + kAnswerBytesPerText * texts.size()};
  std::string body = internal::embeddings_request(provider, texts);
  auto answer = co_await llm::post_json(provider, limits, std::move(body));
  if (!answer) co_return answer.error();
  co_return internal::read_embeddings(*answer, texts.size());
}

asio::awaitable<Result<std::vector<Embedding>>> ask_provider_in_batches(
    const EmbeddingProviderConfig& provider, std::vector<std::string> texts) {
  for (std::string& text : texts)
    text = internal::cut_text(std::move(text), kProviderTextBytes);
  std::vector<Embedding> out;
  out.reserve(texts.size());
  // Named, not a temporary in the range-for: it lives across co_await
  // (GCC 12 mishandles temporaries kept across a suspension).
  const auto ranges = internal::request_ranges(texts);
  for (const auto& range : ranges) {
    const std::vector<std::string> batch(
        texts.begin() + static_cast<std::ptrdiff_t>(range.first),
        texts.begin() + static_cast<std::ptrdiff_t>(range.second));
    auto vectors = co_await ask_provider(provider, batch);
    if (!vectors) co_return vectors.error();
    for (Embedding& v : *vectors) out.push_back(std::move(v));
  }
  co_return out;
}

// Logs a failed query embedding, at most once per 30 s per provider.
void warn_query_failure(internal::QueryState& state, const Error& error) {
  const auto allowed = state.warnings.allow(internal::QueryClock::now());
  if (!allowed) return;
  const std::string held_back =
      *allowed ? fmt::format(" ({} more in the last 30 s not logged)", *allowed) : "";
  spdlog::warn("knowledge search by full text only: embedding provider failed: {}{}",
               error.to_string(), held_back);
}

// An admitted request's place in the gate, given back exactly once: with
// its outcome, or abandoned if the coroutine holding it is destroyed while
// suspended (an io_context torn down), so that no slot of the in-flight cap
// or the breaker's probe is ever lost.
class GateTicket {
 public:
  GateTicket(internal::QueryGate& gate, bool probe) : gate_(gate), probe_(probe) {}
  GateTicket(const GateTicket&) = delete;
  GateTicket& operator=(const GateTicket&) = delete;
  ~GateTicket() {
    if (!done_) gate_.abandon(probe_);
  }
  void finish(bool transient) {
    done_ = true;
    gate_.finish(probe_, transient, internal::QueryClock::now());
  }

 private:
  internal::QueryGate& gate_;
  const bool probe_;
  bool done_ = false;
};

// The provider's vector of one query, through the gate (query_gate.h).
asio::awaitable<Result<Embedding>> ask_for_query(const EmbeddingProviderConfig& provider,
                                                 std::string text) {
  // Held by the frame, and destroyed after the ticket: a frame destroyed
  // while suspended (the server's io_context going away at shutdown after
  // the config that owned the state) must not leave the ticket a freed
  // gate to give its slot back to.
  const std::shared_ptr<internal::QueryState> keep = provider.queries;
  internal::QueryState& state = *keep;
  if (auto cached = state.cache.find(text)) co_return std::move(*cached);
  auto admitted = state.gate.enter(internal::QueryClock::now());
  if (!admitted) co_return admitted.error();
  GateTicket ticket(state.gate, *admitted);
  EmbeddingProviderConfig quick = provider;
  quick.timeout = std::min(provider.timeout, kQueryTimeout);
  std::vector<std::string> texts{text};
  auto vectors = co_await ask_provider_in_batches(quick, std::move(texts));
  ticket.finish(!vectors && vectors.error().code == Code::kUnavailable);
  if (!vectors) co_return vectors.error();
  state.cache.insert(text, vectors->front());
  co_return std::move(vectors->front());
}

}  // namespace

Result<std::optional<EmbeddingProviderConfig>> embedding_provider_from_env() {
  auto base =
      llm::provider_config_from_env("CSCX_EMBEDDING", std::chrono::milliseconds(10'000));
  if (!base) return base.error();
  if (!*base) return std::optional<EmbeddingProviderConfig>();
  EmbeddingProviderConfig config;
  static_cast<llm::ProviderConfig&>(config) = std::move(**base);
  const char* dimensions = std::getenv("CSCX_EMBEDDING_DIMENSIONS");
  const std::string_view value = dimensions ? dimensions : "";
  if (value == std::to_string(kEmbeddingDimensions)) {
    config.send_dimensions = true;
  } else if (!value.empty()) {
    // The schema's column holds 1536 numbers; any other width could never
    // be stored, so it is a mistake to report now, not on every write.
    return make_error(Code::kInvalidArgument,
                      fmt::format("CSCX_EMBEDDING_DIMENSIONS must be {} or unset",
                                  kEmbeddingDimensions));
  }
  return std::optional<EmbeddingProviderConfig>(std::move(config));
}

std::string embedder_name(const EmbeddingProviderConfig* provider) {
  if (!provider) return std::string(kEmbedderVersion);
  return "openai-compatible:" + provider->model;
}

asio::awaitable<Result<std::vector<Embedding>>> embed_texts(
    const EmbeddingProviderConfig* provider, std::vector<std::string> texts) {
  if (provider) co_return co_await ask_provider_in_batches(*provider, std::move(texts));
  std::vector<Embedding> out;
  out.reserve(texts.size());
  for (const std::string& text : texts) out.push_back(embed_text(text));
  co_return out;
}

asio::awaitable<Result<Embedding>> embed_search_query(
    const EmbeddingProviderConfig* provider, std::string text) {
  if (!provider) co_return embed_text(text);
  auto vector = co_await ask_for_query(*provider, std::move(text));
  if (!vector) warn_query_failure(*provider->queries, vector.error());
  co_return vector;
}

namespace internal {

std::string embeddings_request(const EmbeddingProviderConfig& provider,
                               const std::vector<std::string>& texts) {
  json::array input;
  input.reserve(texts.size());
  for (const std::string& text : texts) input.emplace_back(text);
  json::object request{{"model", provider.model}, {"input", std::move(input)}};
  if (provider.send_dimensions) request["dimensions"] = kEmbeddingDimensions;
  return json::serialize(request);
}

std::string cut_text(std::string text, std::size_t max_bytes) {
  // The token budget: an ASCII byte counts one unit, any other byte three
  // (kProviderTextBytes is the all-ASCII size).
  std::size_t units = 0;
  std::size_t fits = 0;
  for (; fits < text.size(); ++fits) {
    units += static_cast<unsigned char>(text[fits]) < 0x80 ? 1 : 3;
    if (units > max_bytes) break;
  }
  if (fits == text.size()) return text;
  std::size_t end = fits;
  // Back up over continuation bytes (10xxxxxx) to the start of the
  // character that would be split.
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  text.resize(end);
  return text;
}

std::vector<std::pair<std::size_t, std::size_t>> request_ranges(
    const std::vector<std::string>& texts) {
  std::vector<std::pair<std::size_t, std::size_t>> ranges;
  std::size_t begin = 0;
  std::size_t bytes = 0;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const bool full =
        i - begin == kProviderBatch || bytes + texts[i].size() > kProviderBatchBytes;
    if (full && i > begin) {
      ranges.emplace_back(begin, i);
      begin = i;
      bytes = 0;
    }
    bytes += texts[i].size();
  }
  if (begin < texts.size()) ranges.emplace_back(begin, texts.size());
  return ranges;
}

Result<std::vector<Embedding>> read_embeddings(const json::value& answer,
                                               std::size_t count) {
  const json::value* data =
      answer.is_object() ? answer.as_object().if_contains("data") : nullptr;
  if (!data || !data->is_array()) return bad_answer("has no \"data\" array");
  const json::array& items = data->as_array();
  if (items.size() != count) {
    return bad_answer(fmt::format("has {} embeddings for {} texts", items.size(), count));
  }
  std::vector<Embedding> out(count);
  for (std::size_t position = 0; position < items.size(); ++position) {
    if (!items[position].is_object()) {
      return bad_answer(
          fmt::format("has a data item that is not an object at position {}", position));
    }
    const json::object& item = items[position].as_object();
    std::size_t index = position;
    if (const json::value* i = item.if_contains("index")) {
      if (!i->is_int64() || i->as_int64() < 0 ||
          static_cast<std::size_t>(i->as_int64()) >= count) {
        return bad_answer(
            fmt::format("has an index out of range at position {}", position));
      }
      index = static_cast<std::size_t>(i->as_int64());
    }
    if (!out[index].empty()) {
      return bad_answer(fmt::format("has index {} twice", index));
    }
    const json::value* embedding = item.if_contains("embedding");
    auto vector = unit_vector(embedding ? *embedding : json::value(), position);
    if (!vector) return vector.error();
    out[index] = std::move(*vector);
  }
  return out;
}

}  // namespace internal
}  // namespace cscx::knowledge
