#include "http/cors.h"

#include <gtest/gtest.h>

namespace cscx::http {
namespace {

std::optional<std::string> header_value(const Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return std::nullopt;
}

Request from_origin(std::string origin, std::string method = "GET") {
  Request request;
  request.method = std::move(method);
  request.path = "/rest/v1/customers";
  request.headers = {{"origin", std::move(origin)}};
  return request;
}

TEST(CorsPolicy, WildcardAllowsAnyOriginAndEchoesIt) {
  CorsPolicy cors({"*"});
  Response response;
  cors.add_headers(from_origin("https://app.example"), response);
  EXPECT_EQ(header_value(response, "Access-Control-Allow-Origin"), "https://app.example");
  EXPECT_EQ(header_value(response, "Vary"), "Origin");
  EXPECT_EQ(header_value(response, "Access-Control-Expose-Headers"),
            "Content-Range, X-Supabase-Api-Version, X-Request-Id, X-Next-Cursor");
}

TEST(CorsPolicy, ListAllowsOnlyExactOrigins) {
  CorsPolicy cors({"https://app.example", "http://localhost:3000"});
  EXPECT_TRUE(cors.allows("https://app.example"));
  EXPECT_TRUE(cors.allows("http://localhost:3000"));
  EXPECT_FALSE(cors.allows("https://app.example/"));
  EXPECT_FALSE(cors.allows("https://evil.example"));
  EXPECT_FALSE(cors.allows("http://app.example"));
  EXPECT_FALSE(cors.allows(""));
}

TEST(CorsPolicy, AddsNothingForADisallowedOrigin) {
  CorsPolicy cors({"https://app.example"});
  Response response;
  cors.add_headers(from_origin("https://evil.example"), response);
  EXPECT_TRUE(response.headers.empty());
}

TEST(CorsPolicy, AddsNothingWithoutAnOrigin) {
  CorsPolicy cors({"*"});
  Request request;
  request.method = "GET";
  Response response;
  cors.add_headers(request, response);
  EXPECT_TRUE(response.headers.empty());
}

TEST(CorsPolicy, RecognisesAPreflight) {
  Request preflight = from_origin("https://app.example", "OPTIONS");
  EXPECT_FALSE(CorsPolicy::is_preflight(preflight));
  preflight.headers.emplace_back("access-control-request-method", "POST");
  EXPECT_TRUE(CorsPolicy::is_preflight(preflight));
  Request get = from_origin("https://app.example");
  get.headers.emplace_back("access-control-request-method", "POST");
  EXPECT_FALSE(CorsPolicy::is_preflight(get));
}

TEST(CorsPolicy, AnswersAnAllowedPreflight) {
  CorsPolicy cors({"https://app.example"});
  Request request = from_origin("https://app.example", "OPTIONS");
  request.headers.emplace_back("access-control-request-method", "PATCH");
  Response response = cors.preflight(request);
  EXPECT_EQ(response.status, 204u);
  EXPECT_TRUE(response.body.empty());
  EXPECT_TRUE(response.content_type.empty());
  EXPECT_EQ(header_value(response, "Access-Control-Allow-Origin"), "https://app.example");
  EXPECT_EQ(header_value(response, "Vary"), "Origin");
  EXPECT_EQ(header_value(response, "Access-Control-Allow-Methods"),
            "GET, POST, PUT, PATCH, DELETE, OPTIONS");
  EXPECT_EQ(header_value(response, "Access-Control-Allow-Headers"),
            "authorization, apikey, content-type, prefer, range, accept-profile, "
            "content-profile, x-client-info, x-supabase-api-version, x-request-id");
  EXPECT_EQ(header_value(response, "Access-Control-Max-Age"), "86400");
}

TEST(CorsPolicy, AnswersADisallowedPreflightWithoutCorsHeaders) {
  CorsPolicy cors({"https://app.example"});
  Request request = from_origin("https://evil.example", "OPTIONS");
  request.headers.emplace_back("access-control-request-method", "GET");
  Response response = cors.preflight(request);
  EXPECT_EQ(response.status, 204u);
  EXPECT_TRUE(response.headers.empty());
}

}  // namespace
}  // namespace cscx::http
