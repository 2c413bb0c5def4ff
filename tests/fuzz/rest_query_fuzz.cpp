// libFuzzer target for /rest/v1's query string: the parser must never crash
// or hang, and whatever compiles must be one statement whose only text from
// the input is inside quoted identifiers (values are bound parameters).
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "rest/query_parser.h"
#include "rest/sql_compiler.h"

namespace {

constexpr const char* kSchema = R"json({
 "tables": [
  {"name": "customers", "is_view": false, "primary_key": ["id"], "unique": [["id"]],
   "columns": [
    {"name": "id", "type": "uuid", "type_name": "uuid", "category": "U", "nullable": false, "default": "gen_random_uuid()"},
    {"name": "name", "type": "text", "type_name": "text", "category": "S", "nullable": false, "default": ""},
    {"name": "metadata", "type": "jsonb", "type_name": "jsonb", "category": "U", "nullable": true, "default": ""}]},
  {"name": "stakeholders", "is_view": false, "primary_key": ["id"], "unique": [["id"]],
   "columns": [
    {"name": "id", "type": "uuid", "type_name": "uuid", "category": "U", "nullable": false, "default": ""},
    {"name": "customer_id", "type": "uuid", "type_name": "uuid", "category": "U", "nullable": true, "default": ""},
    {"name": "name", "type": "text", "type_name": "text", "category": "S", "nullable": false, "default": ""}]}],
 "foreign_keys": [{"name": "stakeholders_customer_id_fkey", "table": "stakeholders",
   "columns": ["customer_id"], "ref_table": "customers", "ref_columns": ["id"]}],
 "functions": []})json";

// Outside "identifiers" and our own 'literals', the SQL must hold no
// statement separator or comment.
void check_sql(std::string_view sql) {
  char quote = 0;
  for (size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote != 0) {
      if (c == quote) {
        if (i + 1 < sql.size() && sql[i + 1] == quote) {
          ++i;
        } else {
          quote = 0;
        }
      }
      continue;
    }
    if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == ';' || (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') ||
               (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*')) {
      std::abort();
    }
  }
  if (quote != 0) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const auto cache = cscx::rest::SchemaCache::from_json(kSchema).value();
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto query = cscx::rest::parse_query(input);
  if (!query) return 0;
  cscx::rest::SqlCompiler compiler(*cache);
  for (const char* table : {"customers", "stakeholders"}) {
    if (auto read = compiler.read(*cache->table(table), *query)) check_sql(read->sql);
    if (auto count = compiler.count(*cache->table(table), *query)) check_sql(count->sql);
    cscx::rest::WriteShape shape;
    shape.representation = true;
    if (auto del = compiler.remove(*cache->table(table), *query, shape)) check_sql(del->sql);
  }
  return 0;
}
