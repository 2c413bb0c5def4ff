#include "http/router.h"

#include <gtest/gtest.h>

namespace cscx::http {
namespace {

Handler answering(unsigned status) {
  return
      [status](const Request&, RequestLog&) -> boost::asio::awaitable<Result<Response>> {
        co_return Response::json(status, "{}");
      };
}

class RouterTest : public ::testing::Test {
 protected:
  RouterTest() {
    router_.add("GET", "/health", "/health", answering(200));
    router_.add("GET", "/rest/v1/*", "/rest/v1/:table", answering(201));
    router_.add("POST", "/rest/v1/*", "/rest/v1/:table", answering(202));
    router_.add("POST", "/rest/v1/rpc/*", "/rest/v1/rpc/:fn", answering(203));
    router_.add("GET", "/rest/v1/rpc/ping", "/rest/v1/rpc/ping", answering(204));
  }

  Router router_;
};

TEST_F(RouterTest, MatchesAnExactPath) {
  RouteMatch match = router_.match("GET", "/health");
  ASSERT_NE(match.handler, nullptr);
  EXPECT_EQ(match.route, "/health");
  EXPECT_EQ(match.status, 200u);
}

TEST_F(RouterTest, ExactMatchIsNotAPrefixMatch) {
  EXPECT_EQ(router_.match("GET", "/health/x").status, 404u);
  EXPECT_EQ(router_.match("GET", "/healthz").status, 404u);
}

TEST_F(RouterTest, MatchesAPrefixAndEverythingBelowIt) {
  EXPECT_EQ(router_.match("GET", "/rest/v1/customers").route, "/rest/v1/:table");
  EXPECT_EQ(router_.match("GET", "/rest/v1/").route, "/rest/v1/:table");
  EXPECT_EQ(router_.match("GET", "/rest/v1/a/b").route, "/rest/v1/:table");
  EXPECT_EQ(router_.match("GET", "/rest/v1").status, 404u);
  EXPECT_EQ(router_.match("GET", "/rest/v10/x").status, 404u);
}

TEST_F(RouterTest, PrefersExactThenTheLongestPrefix) {
  EXPECT_EQ(router_.match("POST", "/rest/v1/rpc/score").route, "/rest/v1/rpc/:fn");
  EXPECT_EQ(router_.match("GET", "/rest/v1/rpc/ping").route, "/rest/v1/rpc/ping");
  // No GET under the rpc prefix: the shorter prefix has one.
  EXPECT_EQ(router_.match("GET", "/rest/v1/rpc/score").route, "/rest/v1/:table");
}

TEST_F(RouterTest, AnswersNotFoundForAnUnknownPath) {
  RouteMatch match = router_.match("GET", "/nope");
  EXPECT_EQ(match.handler, nullptr);
  EXPECT_EQ(match.status, 404u);
  EXPECT_TRUE(match.route.empty());
}

TEST_F(RouterTest, AnswersMethodNotAllowedWithAllow) {
  RouteMatch match = router_.match("DELETE", "/health");
  EXPECT_EQ(match.handler, nullptr);
  EXPECT_EQ(match.status, 405u);
  EXPECT_EQ(match.allow, "GET, HEAD");
  EXPECT_EQ(match.route, "/health");
}

TEST_F(RouterTest, AllowListsTheMethodsOfEveryMatchingPattern) {
  RouteMatch match = router_.match("PATCH", "/rest/v1/rpc/score");
  EXPECT_EQ(match.status, 405u);
  EXPECT_EQ(match.allow, "GET, HEAD, POST");
}

TEST_F(RouterTest, HeadUsesTheGetHandler) {
  RouteMatch match = router_.match("HEAD", "/health");
  ASSERT_NE(match.handler, nullptr);
  EXPECT_EQ(match.route, "/health");
}

TEST_F(RouterTest, HeadPrefersItsOwnHandler) {
  router_.add("HEAD", "/health", "/health:head", answering(200));
  EXPECT_EQ(router_.match("HEAD", "/health").route, "/health:head");
  EXPECT_EQ(router_.match("GET", "/health").route, "/health");
}

TEST_F(RouterTest, KeepsTheFirstOfTwoIdenticalRoutes) {
  router_.add("GET", "/health", "/other", answering(500));
  EXPECT_EQ(router_.match("GET", "/health").route, "/health");
}

TEST_F(RouterTest, TemplatesBindTheirParameters) {
  router_.add("GET", "/api/customers/:id/health", "/api/customers/:id/health",
              answering(200));
  RouteMatch match = router_.match("GET", "/api/customers/abc/health");
  ASSERT_NE(match.handler, nullptr);
  EXPECT_EQ(match.route, "/api/customers/:id/health");
  ASSERT_EQ(match.params.size(), 1u);
  EXPECT_EQ(match.params[0].first, "id");
  EXPECT_EQ(match.params[0].second, "abc");
  // A parameter is one non-empty segment; the segment counts must agree.
  EXPECT_EQ(router_.match("GET", "/api/customers//health").status, 404u);
  EXPECT_EQ(router_.match("GET", "/api/customers/a/b/health").status, 404u);
  EXPECT_EQ(router_.match("GET", "/api/customers/abc/health/").status, 404u);
  EXPECT_EQ(router_.match("GET", "/api/customers/abc").status, 404u);
}

TEST_F(RouterTest, ExactBeatsTemplatesAndMoreLiteralTemplatesWin) {
  router_.add("GET", "/api/tasks/:id", "/api/tasks/:id", answering(200));
  router_.add("GET", "/api/:kind/mine", "/api/:kind/mine", answering(200));
  router_.add("GET", "/api/tasks/mine", "/api/tasks/mine", answering(200));
  router_.add("PATCH", "/api/tasks/:id", "/api/tasks/:id", answering(200));
  EXPECT_EQ(router_.match("GET", "/api/tasks/mine").route, "/api/tasks/mine");
  EXPECT_EQ(router_.match("GET", "/api/tasks/42").route, "/api/tasks/:id");
  EXPECT_EQ(router_.match("GET", "/api/notes/mine").route, "/api/:kind/mine");
  // Templates come before prefixes.
  router_.add("GET", "/api/*", "/api/*", answering(200));
  EXPECT_EQ(router_.match("GET", "/api/tasks/42").route, "/api/tasks/:id");
  EXPECT_EQ(router_.match("GET", "/api/tasks/42/x").route, "/api/*");
  RouteMatch match = router_.match("DELETE", "/api/tasks/42");
  EXPECT_EQ(match.status, 405u);
  EXPECT_EQ(match.allow, "GET, HEAD, PATCH");
}

TEST_F(RouterTest, MethodsAreCaseSensitive) {
  EXPECT_EQ(router_.match("get", "/health").status, 405u);
}

TEST_F(RouterTest, ListsEveryRouteAsAddedInMatchingOrder) {
  router_.add("GET", "/api/tasks/:id", "/api/tasks/:id", answering(200));
  router_.add("GET", "/health", "/health", answering(500));  // a duplicate is kept once
  using Route = std::pair<std::string, std::string>;
  const std::vector<Route> expected = {
      {"GET", "/health"},          {"GET", "/rest/v1/rpc/ping"}, {"GET", "/api/tasks/:id"},
      {"POST", "/rest/v1/rpc/*"}, {"GET", "/rest/v1/*"},       {"POST", "/rest/v1/*"}};
  EXPECT_EQ(router_.routes(), expected);
}

}  // namespace
}  // namespace cscx::http
