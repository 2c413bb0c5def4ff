// Maps (method, path) to a Handler and a route name.
//
// A path is exact ("/health"), a template whose segments may be parameters
// ("/api/customers/:id/health": ":id" matches one non-empty segment, and
// the handler reads it with Request::path_param("id")), or a prefix when it
// ends with "/*" ("/rest/v1/*" matches "/rest/v1/" and everything below it,
// not "/rest/v1"). Matching uses the percent-decoded path. Among the
// patterns that match a path, an exact one comes first, then templates
// (more literal segments first, "/api/tasks/mine" before "/api/tasks/:id"),
// then prefixes from the longest; the first of them that has a handler for
// the method wins. HEAD
// uses a pattern's GET handler unless that pattern has a HEAD handler of its
// own. When some pattern matches the path but none has the method, the
// answer is 405 with the allowed methods; when none matches, 404. Method
// names are case-sensitive, as in HTTP.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/request.h"

namespace cscx::http {

struct RouteMatch {
  const Handler* handler = nullptr;  // null when status is 404 or 405
  std::string_view route;            // the route name; on 405 the first match's
  unsigned status = 200;             // 200, 404 or 405
  std::string allow;                 // on 405, the Allow header: "GET, HEAD, POST"
  // The template's parameters, {name, value} in path order; views into the
  // router and the matched path.
  std::vector<std::pair<std::string_view, std::string_view>> params;
};

// Not thread-safe to add() to; match() is const and may run on many threads
// once the router is no longer changed. The returned pointers and views are
// valid until the router is changed or destroyed.
class Router {
 public:
  // `route` is the low-cardinality name used in metrics and logs
  // ("/rest/v1/:table"). Adding the same method and path twice keeps the first.
  void add(std::string method, std::string path, std::string route, Handler handler);

  RouteMatch match(std::string_view method, std::string_view path) const;

  // Every (method, path) as given to add(), in matching order; lets tests
  // check that documentation (docs/openapi.md) lists exactly these.
  std::vector<std::pair<std::string, std::string>> routes() const;

 private:
  struct Entry {
    std::string method;
    std::string pattern;  // without the trailing "*" for a prefix
    bool prefix = false;
    // For a template: its segments (a parameter keeps its ':'); the number
    // of literal ones orders templates among themselves.
    std::vector<std::string> segments;
    std::size_t literal_segments = 0;
    std::string route;
    Handler handler;
  };

  // Whether `path` matches `entry`; a template's parameters go to `params`.
  // `segments` caches the path's split across the entries of one match().
  static bool matches(const Entry& entry, std::string_view path,
                      std::optional<std::vector<std::string_view>>& segments,
                      std::vector<std::pair<std::string_view, std::string_view>>& params);

  // Whether a HEAD handler is registered for the same pattern as `get_entry`.
  bool has_head_twin(const Entry& get_entry) const;

  std::vector<Entry> entries_;  // kept in matching order: exact, then longest prefix
};

}  // namespace cscx::http
