#include "http/router.h"

#include <algorithm>
#include <optional>

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

// "/a/:id/b" -> {"a", ":id", "b"}; the empty segment before the first '/'
// is dropped, a trailing '/' gives an empty last segment.
std::vector<std::string_view> split_segments(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.starts_with('/')) path.remove_prefix(1);
  while (true) {
    const std::size_t slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

// 0: exact, 1: template, 2: prefix (the matching order).
int kind(bool prefix, bool is_template) { return prefix ? 2 : is_template ? 1 : 0; }

}  // namespace

std::vector<std::pair<std::string, std::string>> Router::routes() const {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(entries_.size());
  for (const Entry& e : entries_) {
    out.emplace_back(e.method, e.prefix ? e.pattern + "*" : e.pattern);
  }
  return out;
}

void Router::add(std::string method, std::string path, std::string route,
                 Handler handler) {
  Entry entry;
  entry.method = std::move(method);
  entry.pattern = std::move(path);
  entry.route = std::move(route);
  entry.handler = std::move(handler);
  if (entry.pattern.ends_with("/*")) {
    entry.pattern.pop_back();
    entry.prefix = true;
  } else if (entry.pattern.find("/:") != std::string::npos) {
    for (std::string_view segment : split_segments(entry.pattern)) {
      entry.segments.emplace_back(segment);
      if (!segment.starts_with(':')) ++entry.literal_segments;
    }
  }
  for (const Entry& existing : entries_) {
    if (existing.method == entry.method && existing.pattern == entry.pattern &&
        existing.prefix == entry.prefix) {
      return;
    }
  }
  // Exact patterns first, then templates with the most literal segments,
  // then prefixes from the longest; stable, so equal keys stay in
  // registration order.
  auto before = [](const Entry& a, const Entry& b) {
    const int ka = kind(a.prefix, !a.segments.empty());
    const int kb = kind(b.prefix, !b.segments.empty());
    if (ka != kb) return ka < kb;
    if (ka == 1) return a.literal_segments > b.literal_segments;
    return ka == 2 && a.pattern.size() > b.pattern.size();
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

bool Router::matches(const Entry& entry, std::string_view path,
                     std::optional<std::vector<std::string_view>>& segments,
                     std::vector<std::pair<std::string_view, std::string_view>>& params) {
  if (entry.prefix) return path.starts_with(entry.pattern);
  if (entry.segments.empty()) return path == entry.pattern;
  if (!path.starts_with('/')) return false;
  if (!segments) segments = split_segments(path);  // once per request, on demand
  if (segments->size() != entry.segments.size()) return false;
  params.clear();
  for (std::size_t i = 0; i < segments->size(); ++i) {
    const std::string& want = entry.segments[i];
    const std::string_view got = (*segments)[i];
    if (want.starts_with(':')) {
      if (got.empty()) return false;
      params.emplace_back(std::string_view(want).substr(1), got);
    } else if (want != got) {
      return false;
    }
  }
  return true;
}

RouteMatch Router::match(std::string_view method, std::string_view path) const {
  RouteMatch result;
  const Entry* first_path_match = nullptr;
  std::vector<std::string_view> methods;
  std::optional<std::vector<std::string_view>> segments;
  std::vector<std::pair<std::string_view, std::string_view>> params;
  for (const Entry& entry : entries_) {
    if (!matches(entry, path, segments, params)) continue;
    if (entry.method == method ||
        (method == "HEAD" && entry.method == "GET" && !has_head_twin(entry))) {
      result.handler = &entry.handler;
      result.route = entry.route;
      result.params = std::move(params);
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
