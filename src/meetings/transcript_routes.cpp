#include "meetings/transcript_routes.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cctype>
#include <string_view>

#include "api/route_support.h"
#include "meetings/transcript_analyzer.h"
#include "meetings/transcript_document.h"
#include "meetings/transcript_store.h"

namespace cscx::meetings {
namespace asio = boost::asio;
namespace json = boost::json;
using http::Request;
using http::RequestLog;
using http::Response;

namespace {

constexpr std::string_view kDocxType =
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

using api::invalid;

Result<std::chrono::year_month_day> meeting_date(std::string_view text) {
  auto date = parse_iso_date(text);
  if (!date) return invalid("meeting_date must be a date as YYYY-MM-DD");
  return *date;
}

// The JSON form: {"content": string, "meeting_date"?: string | null}.
Result<void> read_json_body(const Request& request, TranscriptPost& post) {
  auto body = api::json_object_body(request);
  if (!body) return body.error();
  bool has_content = false;
  for (const auto& [key, value] : *body) {
    if (key == "content") {
      if (!value.is_string()) return invalid("content must be a string");
      post.content = std::string(value.as_string());
      has_content = true;
    } else if (key == "meeting_date") {
      if (value.is_null()) continue;
      if (!value.is_string()) return invalid("meeting_date must be a date as YYYY-MM-DD");
      auto date = meeting_date(value.as_string());
      if (!date) return date.error();
      post.meeting_date = *date;
    } else {
      return invalid("unknown field '" + std::string(key.substr(0, 64)) +
                     "' (expected content, meeting_date)");
    }
  }
  if (!has_content) return invalid("content is required");
  return ok();
}

// Validates the request into a TranscriptPost; the first problem found is
// the error, naming its field. No SQL has run yet.
Result<TranscriptPost> parse_transcript_request(const Request& request) {
  TranscriptPost post;
  auto id = api::uuid_param(request, "id");
  if (!id) return id.error();
  post.meeting_id = std::move(*id);

  if (auto date = api::query_value(request.query, "meeting_date")) {
    auto parsed = meeting_date(*date);
    if (!parsed) return parsed.error();
    post.meeting_date = *parsed;
  }

  const std::string type = api::media_type(request.header("content-type").value_or(""));
  if (type == "application/json") {
    auto read = read_json_body(request, post);
    if (!read) return read.error();
  } else if (type.empty() || type == "text/plain" || type == "text/vtt" ||
             type == "application/x-subrip" || type == "application/pdf" ||
             type == kDocxType || type == "application/octet-stream") {
    if ((type == "application/pdf" || type == kDocxType) && !is_document_file(request.body)) {
      return invalid("the body is not the " +
                     std::string(type == kDocxType ? "DOCX" : "PDF") +
                     " document its Content-Type says");
    }
    // The bytes decide: a PDF or DOCX export is read to text, text stays as sent.
    auto text = transcript_text(request.body);
    if (!text) return text.error();
    post.content = std::move(*text);
  } else {
    return invalid(
        "Content-Type must be application/json, text/plain, text/vtt, "
        "application/x-subrip, application/pdf or a DOCX document");
  }

  // Checked here too so an oversized post costs no database round trip.
  if (post.content.size() > AnalyzeLimits{}.max_bytes) {
    return make_error(
        Code::kPayloadTooLarge,
        "content is larger than " + std::to_string(AnalyzeLimits{}.max_bytes) + " bytes");
  }
  if (post.content.find_first_not_of(" \t\r\n\f\v") == std::string::npos) {
    return invalid("content is empty");
  }
  return post;
}

}  // namespace

void add_transcript_routes(http::Router& router, const api::RouteContext& context) {
  // Read once: the provider is configured for the life of the server. A
  // bad CSCX_LLM_URL already stopped `cscx serve` at start (server_app).
  auto configured = llm::llm_config_from_env();
  std::optional<llm::LlmConfig> llm_config = configured ? *configured : std::nullopt;
  router.add(
      "POST", "/api/meetings/:id/transcript", "/api/meetings/:id/transcript",
      [context, llm_config](const Request& request,
                RequestLog& log) -> asio::awaitable<Result<Response>> {
        // anon holds no write privilege on these tables; answer as PostgREST
        // does for an anonymous write, before any SQL.
        auto caller = api::authenticate_user(context, request, log, "post a transcript");
        if (!caller) co_return caller.error();
        auto post = parse_transcript_request(request);
        if (!post) co_return post.error();
        post->llm = llm_config;
        auto body = co_await post_transcript(context.pool, caller->who, *post);
        if (!body) co_return body.error();
        co_return Response::json(200, std::move(*body));
      });
}

}  // namespace cscx::meetings
