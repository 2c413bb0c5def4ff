// Small text helpers shared by the HTTP layer, the REST parser and the routes.
#pragma once

#include <string_view>

namespace cscx::core {

// `s` without leading and trailing spaces and horizontal tabs: the "optional
// whitespace" of HTTP (RFC 9110 §5.6.3), which is also what PostgREST trims
// around the items of a logic tree. Other whitespace is kept.
constexpr std::string_view trim_blanks(std::string_view s) {
  const auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace cscx::core
