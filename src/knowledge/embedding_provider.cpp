#include "knowledge/embedding_provider.h"

#include <fmt/core.h>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cfloat>
#include <cmath>
#include <utility>

namespace cscx::knowledge {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// 64 texts x 1536 numbers at ~20 bytes each is ~2 MiB; the limit leaves
// room for pretty-printed answers and stops a runaway body.
constexpr llm::JsonPostLimits kEmbeddingLimits{"the embedding endpoint",
                                               "CSCX_EMBEDDING_URL", 32u << 20};

Error bad_answer(std::string message) {
  return make_error(Code::kInternal,
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

asio::awaitable<Result<std::vector<Embedding>>> ask_provider(
    const EmbeddingProviderConfig& provider, std::vector<std::string> texts) {
  if (texts.empty()) co_return std::vector<Embedding>{};
  std::string body = internal::embeddings_request(provider, texts);
  auto answer = co_await llm::post_json(provider, kEmbeddingLimits, std::move(body));
  if (!answer) co_return answer.error();
  co_return internal::read_embeddings(*answer, texts.size());
}

}  // namespace

std::optional<EmbeddingProviderConfig> embedding_provider_from_env() {
  return llm::provider_config_from_env("CSCX_EMBEDDING",
                                       std::chrono::milliseconds(10'000));
}

std::string embedder_name(const EmbeddingProviderConfig* provider) {
  if (!provider) return std::string(kEmbedderVersion);
  return "openai-compatible:" + provider->model;
}

asio::awaitable<Result<std::vector<Embedding>>> embed_texts(
    const EmbeddingProviderConfig* provider, std::vector<std::string> texts) {
  if (provider) co_return co_await ask_provider(*provider, std::move(texts));
  std::vector<Embedding> out;
  out.reserve(texts.size());
  for (const std::string& text : texts) out.push_back(embed_text(text));
  co_return out;
}

namespace internal {

std::string embeddings_request(const EmbeddingProviderConfig& provider,
                               const std::vector<std::string>& texts) {
  json::array input;
  input.reserve(texts.size());
  for (const std::string& text : texts) input.emplace_back(text);
  return json::serialize(json::object{{"model", provider.model},
                                      {"input", std::move(input)},
                                      {"dimensions", kEmbeddingDimensions}});
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
