// Writes and function calls of /rest/v1 (see sql_compiler.h).
#include <algorithm>

#include "rest/sql_builder_internal.h"
#include "rest/sql_compiler.h"

namespace cscx::rest {

using internal::Builder;
using internal::Source;
using internal::table_source;

namespace {

std::string column_list(const std::vector<std::string>& columns, std::string_view prefix) {
  std::string out;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) out += ", ";
    out += std::string(prefix) + quote_ident(columns[i]);
  }
  return out;
}

// The row-count expression, checked when the shape asks for it: the
// function raises (rolling the write back) on a count it must refuse.
std::string checked_count(Builder& b, const WriteShape& shape, const std::string& count) {
  if (!shape.single && !shape.max_affected) return count;
  return "cscx_rest.check_rows(" + count + ", " + b.bind(shape.single ? "true" : "false") +
         "::boolean, " +
         b.bind(shape.max_affected ? db::Param(std::to_string(*shape.max_affected))
                                   : db::Param()) +
         "::bigint)";
}

// The final SELECT over a write's RETURNING rows (CTE _w).
Result<std::string> over_written_rows(Builder& b, const Table& table, const WriteShape& shape,
                                      bool upsert) {
  std::string body = "''::text";
  if (shape.representation) {
    auto list = b.select_list(table_source(table), "t0");
    if (!list) return list.error();
    body = "(SELECT coalesce(json_agg(_r), '[]')::text FROM (SELECT " + *list +
           " FROM _w AS t0) AS _r)";
  }
  const std::string inserted =
      upsert ? "(SELECT coalesce(bool_or(_w._inserted), false) FROM _w)" : "true";
  return " SELECT " + body + ", " + checked_count(b, shape, "(SELECT count(*) FROM _w)") +
         ", " + inserted;
}

std::string returning(const WriteShape& shape, bool upsert) {
  std::string out = shape.representation ? " RETURNING t0.*" : " RETURNING 1 AS _one";
  if (upsert) out += ", (t0.xmax = 0) AS _inserted";
  return out;
}

Result<void> check_columns(const Table& table, const std::vector<std::string>& columns) {
  for (const auto& c : columns) {
    if (table.column(c) == nullptr) {
      return make_error_with_reason(Code::kInvalidArgument, "PGRST204",
                                    "Could not find the '" + c + "' column of '" + table.name +
                                        "' in the schema cache");
    }
  }
  return ok();
}

}  // namespace

Result<CompiledStatement> SqlCompiler::insert(const Table& table, const Query& query,
                                              const InsertInput& input,
                                              const WriteShape& shape) const {
  if (auto checked = check_columns(table, input.columns); !checked) return checked.error();
  Builder b(cache_, query);
  const std::string target = "public." + quote_ident(table.name);
  std::string sql = "INSERT INTO " + target + " AS t0 (" + column_list(input.columns, "") + ")";
  if (input.columns.empty()) {
    // `{}`: every column takes its default, once per object sent (a column
    // without one is NULL).
    sql = "INSERT INTO " + target + " AS t0 (" + quote_ident(table.columns.front().name) +
          ") SELECT " + (table.columns.front().default_sql.empty()
                             ? std::string("NULL")
                             : table.columns.front().default_sql) +
          " FROM json_array_elements(" + b.bind(input.rows_json) + "::json)";
  } else if (input.missing_default) {
    // A key an object leaves out takes the column's DEFAULT, not NULL.
    std::string values;
    for (size_t i = 0; i < input.columns.size(); ++i) {
      const Column* c = table.column(input.columns[i]);
      if (i > 0) values += ", ";
      values += "CASE WHEN _j.v ? " + b.bind(c->name) + " THEN _p." + quote_ident(c->name) +
                " ELSE " + (c->default_sql.empty() ? std::string("NULL") : c->default_sql) +
                " END";
    }
    sql += " SELECT " + values + " FROM jsonb_array_elements(" + b.bind(input.rows_json) +
           "::jsonb) AS _j(v), jsonb_populate_record(NULL::" + target + ", _j.v) AS _p";
  } else {
    sql += " SELECT " + column_list(input.columns, "_p.") + " FROM json_populate_recordset(NULL::" +
           target + ", " + b.bind(input.rows_json) + "::json) AS _p";
  }
  const bool upsert = input.resolution != Resolution::kNone;
  if (upsert) {
    std::vector<std::string> conflict = query.on_conflict.empty() ? table.primary_key
                                                                  : query.on_conflict;
    if (auto checked = check_columns(table, conflict); !checked) return checked.error();
    if (conflict.empty()) {
      return make_error_with_reason(Code::kInvalidArgument, "PGRST100",
                                    "an upsert on '" + table.name +
                                        "' needs on_conflict (it has no primary key)");
    }
    sql += " ON CONFLICT (" + column_list(conflict, "") + ")";
    if (input.resolution == Resolution::kIgnoreDuplicates || input.columns.empty()) {
      sql += " DO NOTHING";
    } else {
      sql += " DO UPDATE SET ";
      for (size_t i = 0; i < input.columns.size(); ++i) {
        if (i > 0) sql += ", ";
        sql += quote_ident(input.columns[i]) + " = EXCLUDED." + quote_ident(input.columns[i]);
      }
    }
  }
  if (!shape.representation && !shape.single && !shape.max_affected && !upsert) {
    return CompiledStatement{sql, b.take_params(), true};
  }
  auto tail = over_written_rows(b, table, shape, upsert);
  if (!tail) return tail.error();
  if (auto used = b.check_all_paths_used(); !used) return used.error();
  return CompiledStatement{"WITH _w AS (" + sql + returning(shape, upsert) + ")" + *tail,
                           b.take_params()};
}

Result<CompiledStatement> SqlCompiler::update(const Table& table, const Query& query,
                                              const UpdateInput& input,
                                              const WriteShape& shape) const {
  if (auto checked = check_columns(table, input.columns); !checked) return checked.error();
  Builder b(cache_, query);
  const std::string target = "public." + quote_ident(table.name);
  auto where = b.root_where(table_source(table));
  if (!where) return where.error();
  std::string sql;
  if (input.columns.empty()) {
    // Nothing to change: the matching rows, untouched.
    sql = "SELECT t0.* FROM " + target + " AS t0 WHERE false";
  } else {
    sql = "UPDATE " + target + " AS t0 SET ";
    for (size_t i = 0; i < input.columns.size(); ++i) {
      if (i > 0) sql += ", ";
      sql += quote_ident(input.columns[i]) + " = _p." + quote_ident(input.columns[i]);
    }
    const std::string row = b.bind(input.row_json);
    sql += " FROM json_populate_record(NULL::" + target + ", " + row + "::json) AS _p" + *where;
  }
  if (!shape.representation && !shape.single && !shape.max_affected && !input.columns.empty()) {
    return CompiledStatement{sql, b.take_params(), true};
  }
  auto tail = over_written_rows(b, table, shape, false);
  if (!tail) return tail.error();
  if (auto used = b.check_all_paths_used(); !used) return used.error();
  const std::string ret = input.columns.empty() ? "" : returning(shape, false);
  return CompiledStatement{"WITH _w AS (" + sql + ret + ")" + *tail, b.take_params()};
}

Result<CompiledStatement> SqlCompiler::remove(const Table& table, const Query& query,
                                              const WriteShape& shape) const {
  Builder b(cache_, query);
  auto where = b.root_where(table_source(table));
  if (!where) return where.error();
  std::string sql = "DELETE FROM public." + quote_ident(table.name) + " AS t0" + *where;
  if (!shape.representation && !shape.single && !shape.max_affected) {
    return CompiledStatement{sql, b.take_params(), true};
  }
  auto tail = over_written_rows(b, table, shape, false);
  if (!tail) return tail.error();
  if (auto used = b.check_all_paths_used(); !used) return used.error();
  return CompiledStatement{"WITH _w AS (" + sql + returning(shape, false) + ")" + *tail,
                           b.take_params()};
}

Result<CompiledStatement> SqlCompiler::call(const CallInput& input, const Query& query,
                                            const WriteShape& shape, BodyFormat format) const {
  const Function& fn = *input.function;
  Builder b(cache_, query);
  std::string call = "public." + quote_ident(fn.name) + "(";
  bool first = true;
  for (const auto& given : input.args) {
    // (Not a structured binding: clang 14, which builds the fuzzers, cannot
    // capture one in a lambda.)
    const std::string& name = given.first;
    const db::Param& value = given.second;
    auto arg = std::find_if(fn.args.begin(), fn.args.end(),
                            [&](const FunctionArg& a) { return a.name == name; });
    if (arg == fn.args.end()) return make_error(Code::kInternal, "argument vanished: " + name);
    call += (first ? "" : ", ") + quote_ident(arg->name) + " := " + b.bind(value) +
            "::" + arg->type;
    first = false;
  }
  call += ")";

  std::string sql;
  const bool has_rows = !fn.return_relation.empty() || !fn.table_columns.empty();
  if (fn.returns_void()) {
    sql = "SELECT ''::text, " + checked_count(b, shape, "0::bigint") + " FROM (SELECT " + call +
          ") AS _v";
  } else if (!has_rows) {
    if (fn.returns_set) {
      sql = "SELECT coalesce(json_agg(_f.v), '[]')::text, " +
            checked_count(b, shape, "count(*)") + " FROM " + call + " AS _f(v)";
    } else {
      sql = "SELECT to_json(" + call + ")::text, " + checked_count(b, shape, "1::bigint");
    }
  } else {
    Source source;
    const Table* relation =
        fn.return_relation.empty() ? nullptr : cache_.table(fn.return_relation);
    source.columns = relation ? &relation->columns : &fn.table_columns;
    source.name = relation ? relation->name : fn.name;
    // The call runs once, materialized, so the page and the count of all
    // matching rows (third column) read the same result.
    source.from = "_src";
    auto inner = b.root_select(source, true);
    if (!inner) return inner.error();
    auto counted = b.root_count(source);
    if (!counted) return counted.error();
    if (auto used = b.check_all_paths_used(); !used) return used.error();
    const std::string body = fn.returns_set ? internal::body_aggregate(format)
                                            : "coalesce((json_agg(_r)->0)::text, 'null')";
    sql = "WITH _src AS MATERIALIZED (SELECT * FROM " + call + " AS _f) SELECT " + body +
          ", " + checked_count(b, shape, "count(*)") + ", (SELECT count(*) FROM (" + *counted +
          ") AS _c) FROM (" + *inner + ") AS _r";
  }
  return CompiledStatement{sql, b.take_params()};
}

Result<const Function*> match_function(const SchemaCache& cache, std::string_view name,
                                       const std::vector<std::string>& given) {
  for (const Function* fn : cache.functions(name)) {
    bool fits = true;
    for (const auto& g : given) {
      fits = fits && std::any_of(fn->args.begin(), fn->args.end(),
                                 [&](const FunctionArg& a) { return a.name == g; });
    }
    for (const auto& a : fn->args) {
      const bool present = std::find(given.begin(), given.end(), a.name) != given.end();
      fits = fits && (present || a.has_default);
    }
    if (fits) return fn;
  }
  std::string args;
  for (size_t i = 0; i < given.size(); ++i) args += (i > 0 ? ", " : "") + given[i];
  Error e = make_error_with_reason(Code::kNotFound, "PGRST202",
                                   "Could not find the function public." + std::string(name) +
                                       "(" + args + ") in the schema cache");
  e.database.details = "Searched for the function public." + std::string(name) +
             (given.empty() ? " without parameters"
                            : " with parameters " + args) +
             ", but no matches were found in the schema cache.";
  return e;
}

}  // namespace cscx::rest
