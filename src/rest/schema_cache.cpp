#include "rest/schema_cache.h"

#include <algorithm>
#include <boost/json.hpp>

namespace cscx::rest {
namespace json = boost::json;

namespace {

// Everything the cache needs, as one JSON document built by PostgreSQL.
// Composite foreign keys named *_tenant_fkey (migrations/001) guard tenant
// integrity beside the single-column keys; they are not relationships to
// embed, and counting them would make every child ambiguous (PGRST201).
constexpr const char* kLoadSchema = R"sql(
SELECT json_build_object(
 'tables', (SELECT coalesce(json_agg(json_build_object(
    'name', c.relname,
    'is_view', c.relkind IN ('v', 'm'),
    'columns', (SELECT coalesce(json_agg(json_build_object(
        'name', a.attname,
        'type', format_type(a.atttypid, a.atttypmod),
        'type_name', t.typname,
        'category', t.typcategory,
        'nullable', NOT a.attnotnull,
        'default', coalesce(pg_get_expr(d.adbin, d.adrelid), '')) ORDER BY a.attnum), '[]')
      FROM pg_attribute a
      JOIN pg_type t ON t.oid = a.atttypid
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
    'primary_key', (SELECT coalesce(json_agg(a.attname ORDER BY k.ord), '[]')
      FROM pg_constraint con
      CROSS JOIN LATERAL unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
      WHERE con.conrelid = c.oid AND con.contype = 'p'),
    'unique', (SELECT coalesce(json_agg(cols), '[]') FROM (
      SELECT (SELECT json_agg(a.attname ORDER BY k.ord)
              FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
              JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum) AS cols
      FROM pg_index i
      WHERE i.indrelid = c.oid AND i.indisunique AND i.indpred IS NULL
        AND NOT (0 = ANY (i.indkey::int2[]))) u)
  ) ORDER BY c.relname), '[]')
  FROM pg_class c
  WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm', 'f')),
 'foreign_keys', (SELECT coalesce(json_agg(json_build_object(
    'name', con.conname,
    'table', src.relname,
    'columns', (SELECT json_agg(a.attname ORDER BY k.ord)
      FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum),
    'ref_table', dst.relname,
    'ref_columns', (SELECT json_agg(a.attname ORDER BY k.ord)
      FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord)
      JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum)
  ) ORDER BY con.conname), '[]')
  FROM pg_constraint con
  JOIN pg_class src ON src.oid = con.conrelid
  JOIN pg_class dst ON dst.oid = con.confrelid
  WHERE con.contype = 'f' AND con.conname NOT LIKE '%\_tenant\_fkey'
    AND src.relnamespace = 'public'::regnamespace
    AND dst.relnamespace = 'public'::regnamespace),
 'functions', (SELECT coalesce(json_agg(json_build_object(
    'name', p.proname,
    'args', (SELECT coalesce(json_agg(json_build_object(
        'name', coalesce(p.proargnames[k.ord], ''),
        'type', format_type(k.typ, NULL),
        'has_default', k.ord > p.pronargs - p.pronargdefaults) ORDER BY k.ord), '[]')
      FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY AS k(typ, ord)
      WHERE p.proargmodes IS NULL),
    'in_args', (SELECT coalesce(json_agg(json_build_object(
        'name', coalesce(p.proargnames[k.ord], ''),
        'type', format_type(k.typ, NULL),
        'mode', p.proargmodes[k.ord]) ORDER BY k.ord), '[]')
      FROM unnest(p.proallargtypes) WITH ORDINALITY AS k(typ, ord)
      WHERE p.proargmodes IS NOT NULL),
    'nargdefaults', p.pronargdefaults,
    'return_type', format_type(p.prorettype, NULL),
    'returns_set', p.proretset,
    'return_relation', coalesce((SELECT r.relname FROM pg_class r
      WHERE r.reltype = p.prorettype AND r.relnamespace = 'public'::regnamespace), ''),
    'volatility', p.provolatile
  ) ORDER BY p.proname), '[]')
  FROM pg_proc p
  WHERE p.pronamespace = 'public'::regnamespace AND p.prokind = 'f'
    AND p.prorettype <> 'trigger'::regtype)
)::text
)sql";

std::vector<std::string> strings(const json::value& v) {
  std::vector<std::string> out;
  if (!v.is_array()) return out;
  for (const auto& s : v.as_array()) out.emplace_back(s.as_string());
  return out;
}

std::string str(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

Column column_from(const json::object& o) {
  Column c;
  c.name = str(o, "name");
  c.type = str(o, "type");
  c.type_name = str(o, "type_name");
  const std::string category = str(o, "category");
  c.category = category.empty() ? 'U' : category[0];
  c.nullable = o.at("nullable").as_bool();
  c.default_sql = str(o, "default");
  return c;
}

Function function_from(const json::object& o) {
  Function f;
  f.name = str(o, "name");
  f.return_type = str(o, "return_type");
  f.returns_set = o.at("returns_set").as_bool();
  f.return_relation = str(o, "return_relation");
  f.volatility = str(o, "volatility").empty() ? 'v' : str(o, "volatility")[0];
  for (const auto& a : o.at("args").as_array()) {
    const auto& ao = a.as_object();
    f.args.push_back({str(ao, "name"), str(ao, "type"), ao.at("has_default").as_bool()});
  }
  // With argument modes: 'i' in, 'b' inout, 'v' variadic, 'o' out, 't' table.
  const auto& in_args = o.at("in_args").as_array();
  const int64_t ndefaults = o.at("nargdefaults").to_number<int64_t>();
  std::vector<FunctionArg> inputs;
  for (const auto& a : in_args) {
    const auto& ao = a.as_object();
    const std::string mode = str(ao, "mode");
    if (mode == "i" || mode == "b" || mode == "v") {
      inputs.push_back({str(ao, "name"), str(ao, "type"), false});
    }
    if (mode == "t") {
      Column c;
      c.name = str(ao, "name");
      c.type = str(ao, "type");
      f.table_columns.push_back(std::move(c));
    }
  }
  if (!in_args.empty()) {
    for (int64_t i = 0; i < ndefaults && i < static_cast<int64_t>(inputs.size()); ++i) {
      inputs[inputs.size() - 1 - i].has_default = true;
    }
    f.args = std::move(inputs);
  }
  return f;
}

}  // namespace

const Column* Table::column(std::string_view name) const {
  for (const auto& c : columns) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

bool Function::returns_scalar() const {
  return return_relation.empty() && table_columns.empty() && return_type != "record" &&
         !returns_void();
}

Result<std::shared_ptr<const SchemaCache>> SchemaCache::load(db::Connection& conn) {
  auto rows = conn.exec("load_schema_cache", kLoadSchema);
  if (!rows) return rows.error();
  return from_json(rows->value(0, 0));
}

Result<std::shared_ptr<const SchemaCache>> SchemaCache::from_json(std::string_view text) {
  boost::system::error_code ec;
  json::value doc = json::parse(text, ec);
  if (ec || !doc.is_object()) {
    return make_error(Code::kInternal, "the schema cache query returned no JSON object");
  }
  auto cache = std::make_shared<SchemaCache>();
  try {
    const auto& root = doc.as_object();
    for (const auto& t : root.at("tables").as_array()) {
      const auto& to = t.as_object();
      Table table;
      table.name = str(to, "name");
      table.is_view = to.at("is_view").as_bool();
      for (const auto& c : to.at("columns").as_array()) {
        table.columns.push_back(column_from(c.as_object()));
      }
      table.primary_key = strings(to.at("primary_key"));
      for (const auto& u : to.at("unique").as_array()) table.unique.push_back(strings(u));
      cache->tables_.emplace(table.name, std::move(table));
    }
    for (const auto& f : root.at("foreign_keys").as_array()) {
      const auto& fo = f.as_object();
      cache->foreign_keys_.push_back({str(fo, "name"), str(fo, "table"),
                                      strings(fo.at("columns")), str(fo, "ref_table"),
                                      strings(fo.at("ref_columns"))});
    }
    for (auto& fk : cache->foreign_keys_) {
      const Table* child = cache->table(fk.table);
      if (child == nullptr) continue;
      std::vector<std::string> cols = fk.columns;
      std::sort(cols.begin(), cols.end());
      for (auto key : child->unique) {
        std::sort(key.begin(), key.end());
        fk.unique_in_table = fk.unique_in_table || key == cols;
      }
    }
    for (const auto& f : root.at("functions").as_array()) {
      Function fn = function_from(f.as_object());
      std::string name = fn.name;
      cache->functions_.emplace(std::move(name), std::move(fn));
    }
  } catch (const std::exception& e) {
    return make_error(Code::kInternal, "the schema cache document is malformed", e.what());
  }
  return std::shared_ptr<const SchemaCache>(std::move(cache));
}

const Table* SchemaCache::table(std::string_view name) const {
  auto it = tables_.find(name);
  return it == tables_.end() ? nullptr : &it->second;
}

std::vector<const Function*> SchemaCache::functions(std::string_view name) const {
  std::vector<const Function*> out;
  auto [lo, hi] = functions_.equal_range(name);
  for (auto it = lo; it != hi; ++it) out.push_back(&it->second);
  return out;
}

std::vector<Relationship> SchemaCache::relationships(std::string_view parent,
                                                     std::string_view name,
                                                     std::string_view hint) const {
  std::vector<Relationship> out;
  auto single_column = [](const ForeignKey& fk, std::string_view col) {
    return fk.columns.size() == 1 && fk.columns[0] == col;
  };
  auto matches_hint = [&](const ForeignKey& fk) {
    return hint.empty() || fk.name == hint || single_column(fk, hint);
  };
  for (const auto& fk : foreign_keys_) {
    // Many-to-one: the FK is on the parent and points at `name` (or is
    // named by its constraint or its column).
    if (fk.table == parent &&
        (fk.ref_table == name || fk.name == name || single_column(fk, name)) &&
        matches_hint(fk)) {
      out.push_back({&fk, true, true, fk.ref_table});
    }
    // One-to-many: the FK is on `name` and points at the parent.
    if (fk.ref_table == parent && fk.table == name && matches_hint(fk)) {
      out.push_back({&fk, false, fk.unique_in_table, fk.table});
    }
  }
  return out;
}

}  // namespace cscx::rest
