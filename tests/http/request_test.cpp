#include "http/request.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>

namespace cscx::http {
namespace {

TEST(RequestId, AcceptsLettersDigitsDotUnderscoreAndDash) {
  EXPECT_TRUE(is_sane_request_id("abc-123_X.y"));
  EXPECT_TRUE(is_sane_request_id("0"));
  EXPECT_TRUE(is_sane_request_id(std::string(128, 'a')));
}

TEST(RequestId, RefusesEmptyLongAndOtherCharacters) {
  EXPECT_FALSE(is_sane_request_id(""));
  EXPECT_FALSE(is_sane_request_id(std::string(129, 'a')));
  for (std::string_view bad :
       {"a b", "a\nb", "a\r\nX-Evil: 1", "a/b", "a\"b", "é", "a;b", "a%20b", "{x}"}) {
    EXPECT_FALSE(is_sane_request_id(bad)) << bad;
  }
}

TEST(RequestId, GeneratesUuidV4FormatIds) {
  const std::regex uuid(
      "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = generate_request_id();
    ASSERT_TRUE(std::regex_match(id, uuid)) << id;
    ASSERT_TRUE(is_sane_request_id(id));
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(RequestId, KeepsASaneHeaderValue) {
  EXPECT_EQ(choose_request_id("trace-42"), "trace-42");
}

TEST(RequestId, ReplacesAMissingOrInsaneHeaderValue) {
  EXPECT_EQ(choose_request_id(std::nullopt).size(), 36u);
  std::string replaced = choose_request_id("bad id\r\n");
  EXPECT_EQ(replaced.size(), 36u);
  EXPECT_NE(replaced, "bad id\r\n");
  EXPECT_EQ(choose_request_id(std::string(200, 'x')).size(), 36u);
}

TEST(Request, FindsTheFirstHeaderByLowerCaseName) {
  Request request;
  request.headers = {{"prefer", "return=minimal"}, {"prefer", "count=exact"}};
  EXPECT_EQ(request.header("prefer"), "return=minimal");
  EXPECT_FALSE(request.header("range"));
}

TEST(Response, JsonSetsStatusBodyAndJsonContentType) {
  Response response = Response::json(201, "[]");
  EXPECT_EQ(response.status, 201u);
  EXPECT_EQ(response.body, "[]");
  EXPECT_EQ(response.content_type, "application/json; charset=utf-8");
}

}  // namespace
}  // namespace cscx::http
