#include "meetings/transcript_routes.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cctype>
#include <string_view>

#include "auth/principal.h"
#include "meetings/transcript_analyzer.h"
#include "meetings/transcript_store.h"

namespace cscx::meetings {
namespace asio = boost::asio;
namespace json = boost::json;
using http::Request;
using http::RequestLog;
using http::Response;

namespace {

constexpr std::string_view kPrefix = "/api/meetings/";
constexpr std::string_view kSuffix = "/transcript";

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return true;
}

Error invalid(std::string message) {
  return make_error(Code::kInvalidArgument, std::move(message));
}

// The media type of the Content-Type header, lower-cased, without
// parameters ("" when absent).
std::string media_type(const Request& request) {
  std::string_view v = request.header("content-type").value_or("");
  v = v.substr(0, v.find(';'));
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  std::string out(v);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The raw value of `name` in the query string, if present (dates need no
// percent-decoding; anything else fails the date check).
std::optional<std::string_view> query_value(std::string_view query,
                                            std::string_view name) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name) {
      return eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    }
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
  }
  return std::nullopt;
}

Result<std::chrono::year_month_day> meeting_date(std::string_view text) {
  auto date = parse_iso_date(text);
  if (!date) return invalid("meeting_date must be a date as YYYY-MM-DD");
  return *date;
}

// The JSON form: {"content": string, "meeting_date"?: string | null}.
Result<void> read_json_body(std::string_view body, TranscriptPost& post) {
  boost::system::error_code ec;
  json::value v = json::parse(body, ec);
  if (ec) return invalid("body is not valid JSON");
  if (!v.is_object()) return invalid("body must be a JSON object");
  bool has_content = false;
  for (const auto& [key, value] : v.as_object()) {
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
  std::string_view path = request.path;
  path.remove_prefix(kPrefix.size());  // the router matched the prefix
  const std::size_t slash = path.find('/');
  if (slash == std::string_view::npos || path.substr(slash) != kSuffix) {
    return make_error(Code::kNotFound, "no such route");
  }
  const std::string_view id = path.substr(0, slash);
  if (!is_uuid(id)) return invalid("id must be a uuid");
  post.meeting_id = std::string(id);

  if (auto date = query_value(request.query, "meeting_date")) {
    auto parsed = meeting_date(*date);
    if (!parsed) return parsed.error();
    post.meeting_date = *parsed;
  }

  const std::string type = media_type(request);
  if (type == "application/json") {
    auto read = read_json_body(request.body, post);
    if (!read) return read.error();
  } else if (type.empty() || type == "text/plain" || type == "text/vtt" ||
             type == "application/x-subrip") {
    post.content = request.body;
  } else {
    return invalid(
        "Content-Type must be application/json, text/plain, text/vtt or "
        "application/x-subrip");
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

void add_transcript_routes(http::Router& router, db::Pool& pool,
                           const std::string& secret, http::Metrics& metrics) {
  router.add(
      "POST", std::string(kPrefix) + "*", "/api/meetings/:id/transcript",
      [&pool, &secret, &metrics](const Request& request,
                                 RequestLog& log) -> asio::awaitable<Result<Response>> {
        auto principal = auth::authenticate(request, secret, auth::unix_now());
        if (!principal) {
          metrics.count_auth_failure();
          co_return principal.error();
        }
        log.user_id = principal->token.subject;
        // anon holds no write privilege on these tables; answer as PostgREST
        // does for an anonymous write, before any SQL.
        if (principal->token.role == "anon") {
          co_return make_error(Code::kUnauthenticated, "sign in to post a transcript");
        }
        auto post = parse_transcript_request(request);
        if (!post) co_return post.error();
        const db::RequestIdentity who = auth::request_identity(*principal, request);
        auto body = co_await post_transcript(pool, who, *post);
        if (!body) co_return body.error();
        co_return Response::json(200, std::move(*body));
      });
}

}  // namespace cscx::meetings
