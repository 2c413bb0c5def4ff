#include "http/router.h"

#include <algorithm>

namespace cscx::http {
namespace {

// Allow lists in a stable, conventional order; other methods follow in the
// order they were registered.
constexpr std::string_view kMethodOrder[] = {"GET",   "HEAD",   "POST",   "PUT",
                                             "PATCH", "DELETE", "OPTIONS"};

std::string format_allow(std::vector<std::string_view> methods) {
  auto rank = [](std::string_view method) {
    auto it = std::find(std::begin(kMethodOrder), std::end(kMethodOrder), method);
    return static_cast<size_t>(it - std::begin(kMethodOrder));
  };
  std::stable_sort(
      methods.begin(), methods.end(),
      [&](std::string_view a, std::string_view b) { return rank(a) < rank(b); });
  std::string allow;
  for (std::string_view method : methods) {
    if (!allow.empty()) allow += ", ";
    allow += method;
  }
  return allow;
}

}  // namespace

void Router::add(std::string method, std::string path, std::string route,
                 Handler handler) {
  Entry entry{std::move(method), std::move(path), false, std::move(route),
              std::move(handler)};
  if (entry.pattern.ends_with("/*")) {
    entry.pattern.pop_back();
    entry.prefix = true;
  }
  for (const Entry& existing : entries_) {
    if (existing.method == entry.method && existing.pattern == entry.pattern &&
        existing.prefix == entry.prefix) {
      return;
    }
  }
  // Exact patterns first, then prefixes from the longest; stable, so equal
  // keys stay in registration order.
  auto before = [](const Entry& a, const Entry& b) {
    if (a.prefix != b.prefix) return !a.prefix;
    return a.prefix && a.pattern.size() > b.pattern.size();
  };
  auto at = std::upper_bound(entries_.begin(), entries_.end(), entry, before);
  entries_.insert(at, std::move(entry));
}

bool Router::has_head_twin(const Entry& get_entry) const {
  return std::any_of(entries_.begin(), entries_.end(), [&](const Entry& entry) {
    return entry.method == "HEAD" && entry.pattern == get_entry.pattern &&
           entry.prefix == get_entry.prefix;
  });
}

RouteMatch Router::match(std::string_view method, std::string_view path) const {
  RouteMatch result;
  const Entry* first_path_match = nullptr;
  std::vector<std::string_view> methods;
  for (const Entry& entry : entries_) {
    bool matches = entry.prefix ? path.starts_with(entry.pattern) : path == entry.pattern;
    if (!matches) continue;
    if (entry.method == method ||
        (method == "HEAD" && entry.method == "GET" && !has_head_twin(entry))) {
      result.handler = &entry.handler;
      result.route = entry.route;
      return result;
    }
    if (first_path_match == nullptr) first_path_match = &entry;
    if (std::find(methods.begin(), methods.end(), entry.method) == methods.end()) {
      methods.push_back(entry.method);
    }
  }
  if (first_path_match == nullptr) {
    result.status = 404;
    return result;
  }
  bool has_get = std::find(methods.begin(), methods.end(), "GET") != methods.end();
  bool has_head = std::find(methods.begin(), methods.end(), "HEAD") != methods.end();
  if (has_get && !has_head) methods.push_back("HEAD");
  result.status = 405;
  result.route = first_path_match->route;
  result.allow = format_allow(std::move(methods));
  return result;
}

}  // namespace cscx::http
