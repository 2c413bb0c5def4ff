#include "agents/agent_articles.h"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include <algorithm>
#include <optional>

#include "knowledge/knowledge_store.h"

namespace cscx::agents::internal {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// The longest prefix of `text` of at most `bytes` bytes that does not cut a
// UTF-8 sequence.
std::string utf8_prefix(const std::string& text, std::size_t bytes) {
  if (text.size() <= bytes) return text;
  std::size_t end = bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

// The chat asks for kArticleSearchK results and cites the best
// kArticlesCited that are about the message: a full-text match always is
// (websearch_to_tsquery wants every word); a hit of the semantic half alone
// only when it stands out, because the index returns the nearest articles
// even to a message that is about none of them, and citing those would be
// noise. With the built-in embedder (cscx-hash-v1) unrelated short texts
// mostly land within 0.1 of 0 (signed hash collisions), a message whose
// only link is a misspelt word (shared trigrams) at 0.1 to 0.15, one
// sharing a word at 0.2 and above. But the best of many unrelated articles
// is the tail of that noise: 0.14 at 1,000 generated articles, 0.17 at
// 10,000, 0.19 at 100,000 (English chat lines against pseudo-word
// articles). So a semantic-only hit needs kMinArticleSimilarity and, when
// the search brought at least kNoiseSample semantic hits, 1.5 times the
// weakest of them (the noise level of this message against this corpus).
// A different embedder needs new constants.
constexpr int kArticleSearchK = 10;
constexpr std::size_t kArticlesCited = 3;
constexpr double kMinArticleSimilarity = 0.1;
constexpr std::size_t kNoiseSample = 5;
constexpr double kAboveNoise = 1.5;

// The semantic half's cosine similarity of `result`, if it found it.
std::optional<double> similarity_of(const json::value& result) {
  if (!result.is_object()) return std::nullopt;
  const json::value* vector = result.as_object().if_contains("vector");
  if (vector == nullptr || !vector->is_object()) return std::nullopt;
  const json::value* similarity = vector->as_object().if_contains("similarity");
  if (similarity == nullptr) return std::nullopt;
  boost::system::error_code ec;
  const double cosine = similarity->to_number<double>(ec);
  if (ec) return std::nullopt;
  return cosine;
}

// The similarity a semantic-only hit must reach among `results`.
double semantic_bar(const json::array& results) {
  std::size_t semantic = 0;
  double weakest = 1.0;
  for (const json::value& result : results) {
    if (const auto s = similarity_of(result)) {
      ++semantic;
      weakest = std::min(weakest, *s);
    }
  }
  if (semantic < kNoiseSample) return kMinArticleSimilarity;
  return std::max(kMinArticleSimilarity, kAboveNoise * weakest);
}

bool about_the_message(const json::value& result, double bar) {
  if (!result.is_object()) return false;
  const json::value* text = result.as_object().if_contains("text");
  if (text != nullptr && !text->is_null()) return true;
  const auto similarity = similarity_of(result);
  return similarity && *similarity >= bar;
}

}  // namespace

Result<json::array> articles_to_cite(std::string_view search_json) {
  boost::system::error_code ec;
  const json::value found = json::parse(search_json, ec);
  const json::value* results =
      !ec && found.is_object() ? found.as_object().if_contains("results") : nullptr;
  if (results == nullptr || !results->is_array()) {
    return make_error(Code::kInternal, "knowledge search answered no results array");
  }
  json::array out;
  const double bar = semantic_bar(results->as_array());
  for (const json::value& result : results->as_array()) {
    if (out.size() == kArticlesCited) break;
    if (!about_the_message(result, bar)) continue;
    json::object article;
    for (const char* key : {"id", "title", "snippet"}) {
      if (const json::value* v = result.as_object().if_contains(key)) article[key] = *v;
    }
    out.push_back(std::move(article));
  }
  return out;
}

asio::awaitable<Result<json::array>> find_articles(db::Pool& pool, const db::RequestIdentity& who,
                                                   const std::string& message,
                                                   const knowledge::AnnIndex& index,
                                                   const knowledge::IndexState& state) {
  knowledge::SearchRequest search;
  // The search route takes at most kMaxSearchQueryBytes; a chat message may
  // be longer, and its start says what it is about.
  search.query = utf8_prefix(message, knowledge::kMaxSearchQueryBytes);
  search.k = kArticleSearchK;
  auto found = co_await knowledge::search_articles(pool, who, search, index, state);
  if (!found) co_return found.error();
  co_return articles_to_cite(*found);
}

}  // namespace cscx::agents::internal
