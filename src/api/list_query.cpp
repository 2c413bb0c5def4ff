#include "api/list_query.h"

#include <charconv>
#include <chrono>
#include <cstdio>
#include <regex>

#include "auth/jwt.h"

namespace cscx::api {
namespace {

// Separates the cursor's parts: scope, key, id. The key is whatever lies
// between the first and the last separator, so a key that holds one (a
// customer name with a newline) still decodes.
constexpr char kSeparator = '\n';

bool is_date_time(const std::string& text) {
  static const std::regex kInstant(
      R"(\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}:\d{2}))?)");
  return std::regex_match(text, kInstant);
}

}  // namespace

Result<void> only_params(std::string_view query,
                         std::initializer_list<std::string_view> allowed) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    const std::string name = percent_decode(pair.substr(0, pair.find('=')));
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (name.empty()) continue;
    bool known = false;
    std::string expected;
    for (std::string_view a : allowed) {
      known = known || a == name;
      if (!expected.empty()) expected += ", ";
      expected += a;
    }
    if (!known) {
      return invalid("unknown query parameter '" + name.substr(0, 64) + "' (expected " +
                     expected + ")");
    }
  }
  return ok();
}

Result<int> limit_param(std::string_view query, int fallback, int max) {
  auto text = query_value(query, "limit");
  if (!text) return fallback;
  int n = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, n);
  if (ec != std::errc() || ptr != end || n < 1 || n > max) {
    return invalid("limit must be an integer from 1 to " + std::to_string(max));
  }
  return n;
}

std::string encode_cursor(std::string_view scope, const PageCursor& cursor) {
  std::string raw(scope);
  raw += kSeparator;
  raw += cursor.key;
  raw += kSeparator;
  raw += cursor.id;
  return auth::base64url_encode(raw);
}

Result<std::optional<PageCursor>> cursor_param(std::string_view query,
                                               std::string_view scope) {
  auto text = query_value(query, "cursor");
  if (!text) return std::optional<PageCursor>();
  const Error bad = invalid("cursor is not a cursor of this list (pass X-Next-Cursor as is)");
  auto raw = auth::base64url_decode(*text);
  if (!raw) return bad;
  const std::size_t first = raw->find(kSeparator);
  const std::size_t last = raw->rfind(kSeparator);
  if (first == std::string::npos || first == last) return bad;
  if (std::string_view(*raw).substr(0, first) != scope) return bad;
  PageCursor cursor{raw->substr(first + 1, last - first - 1), raw->substr(last + 1)};
  if (!is_uuid(cursor.id)) return bad;
  return std::optional<PageCursor>(std::move(cursor));
}

Result<std::optional<std::string>> instant_param(std::string_view query,
                                                 std::string_view name, bool end_of_day) {
  auto text = query_value(query, name);
  if (!text) return std::optional<std::string>();
  const Error bad = invalid(std::string(name) +
                            " must be a date (YYYY-MM-DD) or a date-time (RFC 3339, with Z "
                            "or an offset)");
  if (!is_date_time(*text)) return bad;
  if (text->size() > 10) return std::optional<std::string>(std::move(*text));
  using namespace std::chrono;
  const int y = std::stoi(text->substr(0, 4));
  const unsigned m = static_cast<unsigned>(std::stoi(text->substr(5, 2)));
  const unsigned d = static_cast<unsigned>(std::stoi(text->substr(8, 2)));
  const year_month_day date{year{y}, month{m}, day{d}};
  if (!date.ok()) return bad;
  const year_month_day day_start{sys_days(date) + days(end_of_day ? 1 : 0)};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT00:00:00Z", int(day_start.year()),
                unsigned(day_start.month()), unsigned(day_start.day()));
  return std::optional<std::string>(buf);
}

boost::asio::awaitable<Result<http::Response>> json_page_from_sql(
    const RouteContext& context, const Caller& caller,
    std::span<const db::Statement> statements, std::string_view scope,
    std::string_view not_found) {
  auto results = co_await context.pool.run_in_transaction(caller.who, statements);
  if (!results) co_return results.error();
  const db::QueryResult& last = results->back();
  if (last.rows() == 0 || last.columns() < 3 || last.is_null(0, 0)) {
    co_return make_error(Code::kNotFound, std::string(not_found));
  }
  http::Response response = http::Response::json(200, std::string(last.value(0, 0)));
  if (!last.is_null(0, 1) && !last.is_null(0, 2)) {
    response.headers.emplace_back(
        kNextCursorHeader,
        encode_cursor(scope, PageCursor{std::string(last.value(0, 1)),
                                        std::string(last.value(0, 2))}));
  }
  co_return response;
}

}  // namespace cscx::api
