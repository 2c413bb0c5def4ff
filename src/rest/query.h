// The typed tree a /rest/v1 query string parses into (query_parser.h) and
// the SQL compiler reads (sql_compiler.h). Names here are still the
// client's: the compiler checks each against the schema cache.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace cscx::rest {

// One step of a JSON path: `->key`, `->>key`, `->0`.
struct JsonStep {
  std::string key;
  bool as_text = false;  // ->> rather than ->
  bool is_index = false;  // key is an integer array index
};

// A column, optionally followed by a JSON path: metadata->tier->>name.
struct Field {
  std::string column;
  std::vector<JsonStep> path;
  // The key PostgREST gives the value in the output: the last JSON key, else
  // the column name.
  std::string output_name() const;
};

enum class JoinType { kLeft, kInner };

struct SelectItem;
using SelectList = std::vector<SelectItem>;

struct SelectItem {
  enum class Kind { kStar, kField, kEmbed, kSpread };
  Kind kind = Kind::kField;
  std::string alias;  // "" when none
  Field field;        // kField
  std::string cast;   // kField: "::text" target, "" when none
  // kEmbed / kSpread
  std::string relation;
  std::string hint;
  JoinType join = JoinType::kLeft;
  std::shared_ptr<SelectList> children;
  // The name this item answers to in filters and in the output.
  std::string key() const;
};

// `col=op.value` or `col=not.op(modifier).value`.
struct Filter {
  Field field;
  bool negate = false;
  std::string op;        // eq, neq, gt, ..., in, is, fts, ...
  std::string modifier;  // "any" | "all" | "" (eq(any).{a,b})
  std::string config;    // fts(english): "english"
  std::string value;     // the raw text after the operator
  std::vector<std::string> list;  // in.(a,b,"c,d"): the items, unquoted
};

struct Logic;
using Condition = std::variant<Filter, Logic>;

// and(...) / or(...), possibly negated.
struct Logic {
  bool is_or = false;
  bool negate = false;
  std::vector<Condition> items;
};

struct OrderTerm {
  Field field;
  std::string relation;  // to-one related order: customers(name).desc
  bool desc = false;
  std::optional<bool> nulls_first;
};

// What applies at one level of the select tree: the root ("") or an
// embedded resource ("stakeholders", "meetings.insights").
struct NodeOptions {
  std::vector<Condition> conditions;  // ANDed
  std::vector<OrderTerm> order;
  std::optional<int64_t> limit;
  std::optional<int64_t> offset;
};

struct Query {
  SelectList select;  // empty means `*`
  bool select_given = false;
  std::map<std::string, NodeOptions> nodes;  // by dotted path, "" = root
  std::vector<std::string> on_conflict;
  std::vector<std::string> columns;  // columns=... for inserts
  // Keys that were not reserved and had no operator: RPC arguments on GET
  // (name -> raw value).
  std::vector<std::pair<std::string, std::string>> plain_params;
};

}  // namespace cscx::rest
