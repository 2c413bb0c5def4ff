#include "agents/agent_articles.h"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include "knowledge/knowledge_store.h"

namespace cscx::agents::internal {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// The chat asks for kArticleSearchK results and cites the best
// kArticlesCited that are about the message: a full-text match always is
// (websearch_to_tsquery wants every word); a hit of the semantic half alone
// only when its cosine similarity reaches kMinArticleSimilarity, because
// the index returns the nearest articles even to a message that is about
// none of them, and citing those would be noise. The floor suits the
// built-in embedder (cscx-hash-v1): unrelated short texts mostly land
// within 0.1 of 0 (signed hash collisions), a message whose only link is a
// misspelt word (shared trigrams) at 0.1 to 0.15, one sharing a word at 0.2
// and above. A different embedder needs a new floor.
constexpr int kArticleSearchK = 10;
constexpr std::size_t kArticlesCited = 3;
constexpr double kMinArticleSimilarity = 0.1;

bool about_the_message(const json::object& result) {
  const json::value* text = result.if_contains("text");
  if (text != nullptr && !text->is_null()) return true;
  const json::value* vector = result.if_contains("vector");
  if (vector == nullptr || !vector->is_object()) return false;
  const json::value* similarity = vector->as_object().if_contains("similarity");
  if (similarity == nullptr) return false;
  boost::system::error_code ec;
  const double cosine = similarity->to_number<double>(ec);
  return !ec && cosine >= kMinArticleSimilarity;
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
  for (const json::value& result : results->as_array()) {
    if (out.size() == kArticlesCited) break;
    if (!result.is_object() || !about_the_message(result.as_object())) continue;
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
  search.query = message;
  search.k = kArticleSearchK;
  auto found = co_await knowledge::search_articles(pool, who, search, index, state);
  if (!found) co_return found.error();
  co_return articles_to_cite(*found);
}

}  // namespace cscx::agents::internal
