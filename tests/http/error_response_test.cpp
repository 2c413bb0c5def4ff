#include "http/error_response.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace cscx::http {
namespace {

std::string header_value(const Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return value;
  }
  return {};
}

TEST(HttpStatus, MapsEveryCode) {
  const std::pair<Code, unsigned> table[] = {
      {Code::kInvalidArgument, 400},  {Code::kUnauthenticated, 401},
      {Code::kPermissionDenied, 403}, {Code::kNotFound, 404},
      {Code::kConflict, 409},         {Code::kFailedPrecondition, 400},
      {Code::kPayloadTooLarge, 413},  {Code::kUnavailable, 503},
      {Code::kDependencyFailed, 502}, {Code::kInternal, 500},
  };
  // A new Code must be added here (and to http_status): the enum is dense
  // from kInvalidArgument to kInternal.
  ASSERT_EQ(std::size(table), static_cast<size_t>(Code::kInternal) + 1);
  for (const auto& [code, status] : table) {
    EXPECT_EQ(http_status(code), status) << code_name(code);
  }
}

TEST(ErrorResponse, WritesCodeMessageAndRequestId) {
  Response response =
      error_response(make_error(Code::kNotFound, "customer not found"), "req-1");
  EXPECT_EQ(response.status, 404u);
  EXPECT_EQ(response.content_type, "application/json; charset=utf-8");
  auto body = boost::json::parse(response.body).as_object();
  EXPECT_EQ(body.at("code").as_string(), "not_found");
  EXPECT_EQ(body.at("message").as_string(), "customer not found");
  EXPECT_EQ(body.at("request_id").as_string(), "req-1");
  EXPECT_EQ(body.size(), 3u);
}

TEST(ErrorResponse, NeverShowsTheDetail) {
  Response response = error_response(make_error(Code::kInternal, "internal error",
                                                "SQLSTATE 42P01 select * from secret"),
                                     "req-2");
  EXPECT_EQ(response.status, 500u);
  EXPECT_EQ(response.body.find("SQLSTATE"), std::string::npos) << response.body;
  EXPECT_EQ(response.body.find("secret"), std::string::npos) << response.body;
}

TEST(ErrorResponse, EscapesTheMessageAsJson) {
  Response response =
      error_response(make_error(Code::kInvalidArgument, "bad \"name\"\n"), "req-3");
  auto body = boost::json::parse(response.body).as_object();
  EXPECT_EQ(body.at("message").as_string(), "bad \"name\"\n");
}

TEST(ErrorResponse, AsksForARetryAfterUnavailable) {
  Response response =
      error_response(make_error(Code::kUnavailable, "database down"), "r");
  EXPECT_EQ(response.status, 503u);
  EXPECT_EQ(header_value(response, "Retry-After"), "1");
  EXPECT_EQ(
      header_value(error_response(make_error(Code::kInternal, "x"), "r"), "Retry-After"),
      "");
}

TEST(ErrorResponse, APermanentProviderFailureIsABadGatewayWithoutRetry) {
  Response response = error_response(
      make_error(Code::kDependencyFailed, "the embedding endpoint answered 401"), "r");
  EXPECT_EQ(response.status, 502u);
  EXPECT_EQ(header_value(response, "Retry-After"), "");
  auto body = boost::json::parse(response.body).as_object();
  EXPECT_EQ(body.at("code").as_string(), "dependency_failed");
}

TEST(StatusResponse, UsesTheSameShapeForHttpLayerRefusals) {
  Response response =
      status_response(431, "request_header_fields_too_large", "too big", "r");
  EXPECT_EQ(response.status, 431u);
  auto body = boost::json::parse(response.body).as_object();
  EXPECT_EQ(body.at("code").as_string(), "request_header_fields_too_large");
  EXPECT_EQ(body.at("message").as_string(), "too big");
  EXPECT_EQ(body.at("request_id").as_string(), "r");
}

}  // namespace
}  // namespace cscx::http
