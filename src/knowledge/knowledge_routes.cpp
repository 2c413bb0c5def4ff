#include "knowledge/knowledge_routes.h"

#include <boost/json/serialize.hpp>
#include <charconv>
#include <string>

#include "knowledge/knowledge_store.h"

namespace cscx::knowledge {
namespace asio = boost::asio;
namespace json = boost::json;
using api::invalid;
using http::Request;
using http::RequestLog;
using http::Response;

namespace {

constexpr std::size_t kMaxTitleBytes = 1000;
constexpr std::size_t kMaxContentBytes = 1 << 20;
constexpr int kMaxK = 100;

bool blank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n\f\v") == std::string_view::npos;
}

Result<std::string> text_field(const json::value& v, std::string_view name,
                               std::size_t max_bytes) {
  if (!v.is_string()) return invalid(std::string(name) + " must be a string");
  const std::string text(v.as_string());
  if (blank(text)) return invalid(std::string(name) + " must not be empty");
  if (text.size() > max_bytes) {
    return invalid(std::string(name) + " is longer than " + std::to_string(max_bytes) +
                   " bytes");
  }
  return text;
}

Result<std::vector<std::string>> tags_field(const json::value& v) {
  if (!v.is_array()) return invalid("tags must be an array of strings");
  std::vector<std::string> tags;
  for (const json::value& tag : v.as_array()) {
    if (!tag.is_string()) return invalid("tags must be an array of strings");
    tags.emplace_back(tag.as_string());
  }
  return tags;
}

// metadata must be an object; a customer_id in it scopes the article to
// that customer (007's policy), so it must name one.
Result<std::string> metadata_field(const json::value& v) {
  if (!v.is_object()) return invalid("metadata must be an object");
  if (const json::value* customer = v.as_object().if_contains("customer_id")) {
    if (!customer->is_string() || !api::is_uuid(customer->as_string())) {
      return invalid("metadata.customer_id must be a uuid");
    }
  }
  return json::serialize(v);
}

// Reads the body into fields; the first problem is the error, naming its
// field. `require_text`: POST needs title and content, PATCH needs any field.
Result<ArticleFields> parse_article(const Request& request, bool require_text) {
  auto body = api::json_object_body(request);
  if (!body) return body.error();
  ArticleFields f;
  for (const auto& [key, value] : *body) {
    if (key == "title") {
      auto t = text_field(value, "title", kMaxTitleBytes);
      if (!t) return t.error();
      f.title = std::move(*t);
    } else if (key == "content") {
      auto c = text_field(value, "content", kMaxContentBytes);
      if (!c) return c.error();
      f.content = std::move(*c);
    } else if (key == "category") {
      if (value.is_null()) {
        f.clear_category = true;
      } else if (value.is_string()) {
        f.category = std::string(value.as_string());
      } else {
        return invalid("category must be a string or null");
      }
    } else if (key == "tags") {
      if (value.is_null()) continue;
      auto t = tags_field(value);
      if (!t) return t.error();
      f.tags = std::move(*t);
    } else if (key == "is_public") {
      if (!value.is_bool()) return invalid("is_public must be true or false");
      f.is_public = value.as_bool();
    } else if (key == "metadata") {
      auto m = metadata_field(value);
      if (!m) return m.error();
      f.metadata_json = std::move(*m);
    } else {
      return invalid("unknown field '" + std::string(key.substr(0, 64)) +
                     "' (expected title, content, category, tags, is_public, metadata)");
    }
  }
  if (require_text) {
    if (!f.title) return invalid("title is required");
    if (!f.content) return invalid("content is required");
  } else if (body->empty()) {
    return invalid("the body names no field to update");
  }
  return f;
}

Result<SearchRequest> parse_search(const Request& request) {
  SearchRequest search;
  auto q = api::query_value(request.query, "q");
  if (!q || blank(*q)) return invalid("q is required");
  if (q->size() > kMaxSearchQueryBytes) {
    return invalid("q is longer than " + std::to_string(kMaxSearchQueryBytes) + " bytes");
  }
  search.query = std::move(*q);
  if (auto k = api::query_value(request.query, "k")) {
    int n = 0;
    const auto r = std::from_chars(k->data(), k->data() + k->size(), n);
    if (r.ec != std::errc() || r.ptr != k->data() + k->size() || n < 1 || n > kMaxK) {
      return invalid("k must be a whole number from 1 to " + std::to_string(kMaxK));
    }
    search.k = n;
  }
  return search;
}

// The stored vector goes into the index at once; IndexSync's NOTIFY will
// re-read the same row and find it there already. With pgvector there is no
// index in memory to keep: PostgreSQL searches the stored vector.
void index_written(AnnIndex& index, const IndexState& state, const WrittenArticle& article) {
  if (state.pgvector() || !article.embedding) return;
  (void)index.upsert(article.id, *article.embedding);
}

Result<api::Caller> writer(const api::RouteContext& context, const Request& request,
                           RequestLog& log, std::string_view action) {
  auto caller = api::authenticate_user(context, request, log, action);
  if (!caller) return caller.error();
  if (auto allowed = api::require_service_role(*caller, action); !allowed) {
    return allowed.error();
  }
  return caller;
}

}  // namespace

void add_knowledge_routes(http::Router& router, const api::RouteContext& context,
                          AnnIndex& index, const IndexState& state) {
  router.add("POST", "/api/knowledge", "/api/knowledge",
             [context, &index, &state](const Request& request,
                                       RequestLog& log) -> asio::awaitable<Result<Response>> {
               auto caller = writer(context, request, log, "write knowledge articles");
               if (!caller) co_return caller.error();
               auto fields = parse_article(request, true);
               if (!fields) co_return fields.error();
               auto article = co_await create_article(context.pool, caller->who, *fields,
                                                      state.embedding_provider());
               if (!article) co_return article.error();
               index_written(index, state, *article);
               co_return Response::json(201, std::move(article->json));
             });

  router.add("PATCH", "/api/knowledge/:id", "/api/knowledge/:id",
             [context, &index, &state](const Request& request,
                                       RequestLog& log) -> asio::awaitable<Result<Response>> {
               auto caller = writer(context, request, log, "write knowledge articles");
               if (!caller) co_return caller.error();
               auto id = api::uuid_param(request, "id");
               if (!id) co_return id.error();
               auto fields = parse_article(request, false);
               if (!fields) co_return fields.error();
               auto article = co_await update_article(context.pool, caller->who, *id, *fields,
                                                      state.embedding_provider());
               if (!article) co_return article.error();
               index_written(index, state, *article);
               co_return Response::json(200, std::move(article->json));
             });

  router.add("DELETE", "/api/knowledge/:id", "/api/knowledge/:id",
             [context, &index](const Request& request,
                               RequestLog& log) -> asio::awaitable<Result<Response>> {
               auto caller = writer(context, request, log, "write knowledge articles");
               if (!caller) co_return caller.error();
               auto id = api::uuid_param(request, "id");
               if (!id) co_return id.error();
               auto body = co_await delete_article(context.pool, caller->who, *id);
               if (!body) co_return body.error();
               index.remove(*id);
               co_return Response::json(200, std::move(*body));
             });

  router.add("GET", "/api/knowledge/search", "/api/knowledge/search",
             [context, &index, &state](const Request& request,
                                       RequestLog& log) -> asio::awaitable<Result<Response>> {
               auto caller = api::authenticate(context, request, log);
               if (!caller) co_return caller.error();
               auto search = parse_search(request);
               if (!search) co_return search.error();
               auto body =
                   co_await search_articles(context.pool, caller->who, *search, index, state);
               if (!body) co_return body.error();
               co_return Response::json(200, std::move(*body));
             });
}

}  // namespace cscx::knowledge
