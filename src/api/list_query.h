// What the list routes share: limit, opaque keyset cursors, strict query
// parameters, and an answer of one JSON array plus the next page's cursor.
//
// A list answers a JSON array (PostgreSQL builds it) and, when more rows
// follow, the header `X-Next-Cursor: <cursor>`; the client passes it back as
// `?cursor=`. The cursor is base64url of the sort's name, the last row's sort
// key and id: opaque to clients, checked here (a cursor made for another
// sort or malformed is a 400), and never more than a key for a bound
// parameter in SQL.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "api/route_support.h"

namespace cscx::api {

// The header that carries the next page's cursor.
inline constexpr const char* kNextCursorHeader = "X-Next-Cursor";

// The position after which the next page starts.
struct PageCursor {
  std::string key;  // the sort key's text, as PostgreSQL printed it
  std::string id;   // the last row's uuid
};

// kInvalidArgument "unknown query parameter 'x' (expected a, b)" for the first
// parameter of `query` whose name is not in `allowed`.
[[nodiscard]] Result<void> only_params(std::string_view query,
                                       std::initializer_list<std::string_view> allowed);

// `?limit=`: `fallback` when absent, else an integer from 1 to `max`.
[[nodiscard]] Result<int> limit_param(std::string_view query, int fallback = 20,
                                      int max = 100);

std::string encode_cursor(std::string_view scope, const PageCursor& cursor);

// `?cursor=` decoded; nullopt when absent. kInvalidArgument when it is not
// one of ours or was made for another `scope` (a list and its sort).
[[nodiscard]] Result<std::optional<PageCursor>> cursor_param(std::string_view query,
                                                             std::string_view scope);

// `?name=` as an instant for a date-range filter, in a form PostgreSQL
// casts to timestamptz: an RFC 3339 date-time (with Z or an offset) as
// given, or a date YYYY-MM-DD as midnight UTC of that day, or with
// `end_of_day` of the day after (so `to=2026-03-31` includes March 31 when
// `to` is exclusive). nullopt when absent; kInvalidArgument naming `name`.
[[nodiscard]] Result<std::optional<std::string>> instant_param(std::string_view query,
                                                               std::string_view name,
                                                               bool end_of_day = false);

// Runs `statements` as the caller. The last one returns one row: (JSON
// array, next key, next id); the two last are NULL on the last page. Answers
// 200 with the array and, when there is a next page, kNextCursorHeader.
// kNotFound with `not_found` when the array is NULL (the parent is hidden).
boost::asio::awaitable<Result<http::Response>> json_page_from_sql(
    const RouteContext& context, const Caller& caller,
    std::span<const db::Statement> statements, std::string_view scope,
    std::string_view not_found = "not found");

}  // namespace cscx::api
