// The schema cache of /rest/v1: what exists in the exposed schema `public`
// (tables, views, their columns, keys and foreign keys, and functions), read
// from pg_catalog in one query. Every identifier the SQL compiler writes
// comes from here, so a name a client sends is either found here or refused
// before any SQL runs.
//
// A SchemaCache is immutable once loaded and safe to share between threads;
// SchemaCacheHolder (schema_listener.h) swaps in a new one on reload.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "db/connection.h"

namespace cscx::rest {

struct Column {
  std::string name;
  std::string type;       // format_type(): "uuid", "text[]", "numeric(12,2)"
  std::string type_name;  // pg_type.typname of the element: "uuid", "_text"
  char category = 'U';    // pg_type.typcategory: 'A' array, 'S' string, 'N' ...
  bool nullable = true;
  std::string default_sql;  // pg_get_expr() of the default, "" when none
  bool is_tsvector() const { return type_name == "tsvector"; }
};

struct Table {
  std::string name;
  bool is_view = false;
  std::vector<Column> columns;                   // in attnum order
  std::vector<std::string> primary_key;          // empty for views
  std::vector<std::vector<std::string>> unique;  // primary key and unique keys
  const Column* column(std::string_view name) const;
};

struct ForeignKey {
  std::string name;  // constraint name
  std::string table;
  std::vector<std::string> columns;
  std::string ref_table;
  std::vector<std::string> ref_columns;
  // The FK columns are a primary or unique key of `table`: seen from the
  // referenced table, the relationship is one-to-one. Set at load.
  bool unique_in_table = false;
};

struct FunctionArg {
  std::string name;
  std::string type;  // format_type()
  bool has_default = false;
};

struct Function {
  std::string name;
  std::vector<FunctionArg> args;  // input arguments, in order
  std::string return_type;        // format_type(); "void", "integer", "record"
  bool returns_set = false;
  // The table or view whose row type the function returns (SETOF customers),
  // "" when none.
  std::string return_relation;
  // Output columns of RETURNS TABLE (...), in order.
  std::vector<Column> table_columns;
  char volatility = 'v';  // 'i' immutable, 's' stable, 'v' volatile
  bool returns_void() const { return return_type == "void"; }
  bool returns_scalar() const;
};

// How an embedded resource hangs off its parent.
struct Relationship {
  const ForeignKey* fk = nullptr;
  // True when the FK is on the parent (child.id = parent.child_id): the
  // child embeds as one object (or null). False when the FK is on the child
  // pointing at the parent: an array, unless the FK columns are unique in
  // the child (one-to-one, an object).
  bool fk_on_parent = false;
  bool to_one = false;
  std::string target;  // the child table or view
};

class SchemaCache {
 public:
  // Reads the cache over `conn` (any role that can read pg_catalog).
  static Result<std::shared_ptr<const SchemaCache>> load(db::Connection& conn);
  // From the JSON document kLoadSchema returns (for tests without a server).
  static Result<std::shared_ptr<const SchemaCache>> from_json(std::string_view json);

  const Table* table(std::string_view name) const;
  std::vector<const Function*> functions(std::string_view name) const;

  // The relationships from `parent` to an embedded resource called `name`
  // (a table or view name, or an FK column or constraint name), narrowed by
  // `hint` (an FK constraint or column name) when not empty. More than one
  // result is an ambiguity the caller reports (PGRST201).
  std::vector<Relationship> relationships(std::string_view parent, std::string_view name,
                                          std::string_view hint) const;

 private:
  std::map<std::string, Table, std::less<>> tables_;
  std::multimap<std::string, Function, std::less<>> functions_;
  std::vector<ForeignKey> foreign_keys_;
};

}  // namespace cscx::rest
