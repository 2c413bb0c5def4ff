// PostgREST's URL grammar (spec/supabase-compat.md section 3) -> Query.
//
// Pure: no schema knowledge and no SQL. Names are kept as the client wrote
// them; the compiler checks each against the schema cache. Every failure is
// kInvalidArgument with reason "PGRST100" and a message in PostgREST's words
// ("failed to parse select parameter (...)").
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "core/error.h"
#include "rest/query.h"

namespace cscx::rest {

struct ParseOptions {
  // Keys that are function arguments (GET /rest/v1/rpc/fn?arg=v): they are
  // kept as plain values instead of being parsed as filters.
  std::set<std::string, std::less<>> argument_names;
};

// `raw_query` is the query string as sent, without '?' (percent-encoded;
// '+' is a space, as URLSearchParams writes it).
[[nodiscard]] Result<Query> parse_query(std::string_view raw_query,
                                        const ParseOptions& options = {});

// The pieces, for tests and for callers with one parameter in hand.
[[nodiscard]] Result<SelectList> parse_select(std::string_view text);
[[nodiscard]] Result<Condition> parse_filter(std::string_view key_field,
                                             std::string_view value);
[[nodiscard]] Result<Logic> parse_logic(std::string_view value, bool is_or, bool negate);
[[nodiscard]] Result<std::vector<OrderTerm>> parse_order(std::string_view text);

}  // namespace cscx::rest
