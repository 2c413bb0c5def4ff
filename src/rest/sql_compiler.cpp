#include "rest/sql_compiler.h"

#include <algorithm>

#include "rest/sql_builder_internal.h"

namespace cscx::rest {

std::string quote_ident(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

namespace internal {

namespace {

constexpr size_t kMaxEmbedDepth = 8;

// PostgreSQL's own words for an unknown column, as PostgREST passes them on.
Error unknown_column(std::string_view table, std::string_view column) {
  Error e = make_error(Code::kInvalidArgument,
                       "column " + std::string(table) + "." + std::string(column) +
                           " does not exist");
  e.database = {"42703", e.message, "", ""};
  return e;
}

// Casts a client may ask for (`col::text`). A fixed list: a type name is
// SQL text, so it is never taken from the request.
bool allowed_cast(std::string_view type) {
  static constexpr std::string_view kTypes[] = {
      "text",    "varchar", "char",   "integer", "int",     "int2",   "int4",
      "int8",    "bigint",  "smallint", "numeric", "real",  "float4", "float8",
      "boolean", "bool",    "json",   "jsonb",   "uuid",    "date",   "time",
      "timestamp", "timestamptz", "interval", "inet", "text[]", "tsvector"};
  return std::find(std::begin(kTypes), std::end(kTypes), type) != std::end(kTypes);
}

// {"a","b \"c\""}: a PostgreSQL array literal of text items.
std::string array_literal(const std::vector<std::string>& items) {
  std::string out = "{";
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += ',';
    out += '"';
    for (char c : items[i]) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  return out;
}

std::string like_pattern(std::string value) {
  std::replace(value.begin(), value.end(), '*', '%');
  return value;
}

const char* binary_operator(std::string_view op) {
  static constexpr std::pair<std::string_view, const char*> kOps[] = {
      {"eq", "="},      {"neq", "<>"},   {"gt", ">"},    {"gte", ">="},   {"lt", "<"},
      {"lte", "<="},    {"like", "LIKE"}, {"ilike", "ILIKE"}, {"match", "~"},
      {"imatch", "~*"}, {"isdistinct", "IS DISTINCT FROM"},   {"cs", "@>"},
      {"cd", "<@"},     {"ov", "&&"},    {"sl", "<<"},   {"sr", ">>"},    {"nxr", "&<"},
      {"nxl", "&>"},    {"adj", "-|-"}};
  for (const auto& [name, sql] : kOps) {
    if (name == op) return sql;
  }
  return nullptr;
}

const char* fts_function(std::string_view op) {
  if (op == "fts") return "to_tsquery";
  if (op == "plfts") return "plainto_tsquery";
  if (op == "phfts") return "phraseto_tsquery";
  if (op == "wfts") return "websearch_to_tsquery";
  return nullptr;
}

std::string child_path(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

}  // namespace

std::string body_aggregate(BodyFormat format) {
  switch (format) {
    case BodyFormat::kJson:
      return "coalesce(json_agg(_r), '[]')::text";
    case BodyFormat::kJsonStripNulls:
      return "json_strip_nulls(coalesce(json_agg(_r), '[]'))::text";
    case BodyFormat::kCsv:
      // A header line from the first row's keys, then one line per row;
      // every field quoted ("" doubles a quote), NULL as an empty field.
      return "coalesce((SELECT string_agg('\"' || replace(k, '\"', '\"\"') || '\"', ',')"
             " FROM json_object_keys((array_agg(row_to_json(_r)))[1]) AS k) || E'\\n' ||"
             " string_agg((SELECT string_agg(CASE WHEN e.value IS NULL THEN '' ELSE '\"' ||"
             " replace(e.value, '\"', '\"\"') || '\"' END, ',') FROM"
             " json_each_text(row_to_json(_r)) AS e), E'\\n'), '')";
  }
  return {};
}

Source table_source(const Table& table) {
  return {"public." + quote_ident(table.name), &table.columns, table.name};
}

std::string Builder::bind(db::Param value) {
  params_.push_back(std::move(value));
  return "$" + std::to_string(params_.size());
}

std::string Builder::next_alias(char prefix) {
  return std::string(1, prefix) + std::to_string(++aliases_);
}

const SelectList& Builder::list_or_star(const SelectList& list) const {
  return list.empty() && !query_.select_given ? star_ : list;
}

Result<std::string> Builder::field(const Source& source, const std::string& alias,
                                   const Field& f, const Column** column_out) {
  const Column* column = nullptr;
  for (const auto& c : *source.columns) {
    if (c.name == f.column) column = &c;
  }
  if (column == nullptr) return unknown_column(source.name, f.column);
  if (column_out != nullptr) *column_out = column;
  std::string sql = alias + "." + quote_ident(column->name);
  for (const auto& step : f.path) {
    sql += step.as_text ? "->>" : "->";
    sql += bind(step.key) + (step.is_index ? "::int" : "::text");
  }
  return sql;
}

Result<Relationship> Builder::relationship(const Source& parent,
                                           const SelectItem& item) const {
  auto rels = cache_.relationships(parent.name, item.relation, item.hint);
  if (rels.empty()) {
    Error e = make_error_with_reason(Code::kInvalidArgument, "PGRST200",
                                     "Could not find a relationship between '" + parent.name +
                                         "' and '" + item.relation + "' in the schema cache");
    e.database.details = "Searched for a foreign key relationship between '" + parent.name + "' and '" +
               item.relation + "' in the schema 'public', but no matches were found.";
    return e;
  }
  if (rels.size() > 1) {
    Error e = make_error_with_reason(
        Code::kInvalidArgument, "PGRST201",
        "Could not embed because more than one relationship was found for '" + parent.name +
            "' and '" + item.relation + "'");
    std::string hint = "Try changing '" + item.relation + "' to one of the following: ";
    for (size_t i = 0; i < rels.size(); ++i) {
      if (i > 0) hint += ", ";
      hint += "'" + item.relation + "!" + rels[i].fk->name + "'";
    }
    e.database.hint = hint + ". Find the desired relationship in the 'details' key.";
    for (const auto& r : rels) {
      e.database.details += (e.database.details.empty() ? "" : "; ") + r.fk->name + " (" +
                            r.fk->table + " -> " + r.fk->ref_table + ")";
    }
    return e;
  }
  return rels[0];
}

std::string Builder::join_condition(const Relationship& rel, const std::string& parent_alias,
                                    const std::string& child_alias) const {
  std::string sql;
  const ForeignKey& fk = *rel.fk;
  for (size_t i = 0; i < fk.columns.size(); ++i) {
    if (i > 0) sql += " AND ";
    if (rel.fk_on_parent) {
      sql += child_alias + "." + quote_ident(fk.ref_columns[i]) + " = " + parent_alias + "." +
             quote_ident(fk.columns[i]);
    } else {
      sql += child_alias + "." + quote_ident(fk.columns[i]) + " = " + parent_alias + "." +
             quote_ident(fk.ref_columns[i]);
    }
  }
  return sql;
}

Result<std::string> Builder::select_list_at(const Source& source, const std::string& alias,
                                            const SelectList& list, const std::string& path,
                                            size_t depth) {
  std::vector<std::string> parts;
  for (const SelectItem& item : list_or_star(list)) {
    switch (item.kind) {
      case SelectItem::Kind::kStar:
        for (const auto& c : *source.columns) {
          parts.push_back(alias + "." + quote_ident(c.name));
        }
        break;
      case SelectItem::Kind::kField: {
        auto expr = field(source, alias, item.field);
        if (!expr) return expr.error();
        std::string sql = *expr;
        if (!item.cast.empty()) {
          if (!allowed_cast(item.cast)) {
            return make_error_with_reason(Code::kInvalidArgument, "PGRST100",
                                          "failed to parse select parameter (cast to '" +
                                              item.cast + "' is not supported)");
          }
          sql = "(" + sql + ")::" + item.cast;
        }
        parts.push_back(sql + " AS " + quote_ident(item.key()));
        break;
      }
      case SelectItem::Kind::kEmbed:
      case SelectItem::Kind::kSpread: {
        auto sql = embed(source, alias, item, path, depth, false);
        if (!sql) return sql.error();
        parts.push_back(*sql);
        break;
      }
    }
  }
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += ", ";
    out += parts[i];
  }
  return out;
}

Result<std::string> Builder::embed(const Source& parent, const std::string& parent_alias,
                                   const SelectItem& item, const std::string& path,
                                   size_t depth, bool for_exists) {
  if (depth >= kMaxEmbedDepth) {
    return make_error_with_reason(Code::kInvalidArgument, "PGRST100",
                                  "failed to parse select parameter (embedding too deep)");
  }
  auto rel = relationship(parent, item);
  if (!rel) return rel.error();
  const Table* target = cache_.table(rel->target);
  if (target == nullptr) return make_error(Code::kInternal, "relationship target vanished");
  const Source child = table_source(*target);
  const std::string my_path = child_path(path, item.key());
  used_paths_.insert(my_path);
  const std::string alias = next_alias('t');
  const SelectList& children = *item.children;

  auto where = where_at(child, alias, children, my_path, depth + 1);
  if (!where) return where.error();
  std::string from = " FROM " + child.from + " AS " + alias + " WHERE " +
                     join_condition(*rel, parent_alias, alias);
  if (!where->empty()) from += " AND " + *where;
  if (for_exists) return "EXISTS (SELECT 1" + from + ")";

  if (item.kind == SelectItem::Kind::kSpread) {
    if (!rel->to_one) {
      return make_error_with_reason(Code::kInvalidArgument, "PGRST119",
                                    "A spread operation on '" + item.relation +
                                        "' is not possible");
    }
    // Each column of the to-one child becomes a column of the parent.
    std::vector<std::string> parts;
    for (const SelectItem& c : list_or_star(children)) {
      if (c.kind == SelectItem::Kind::kStar) {
        for (const auto& col : *child.columns) {
          parts.push_back("(SELECT " + alias + "." + quote_ident(col.name) + from + ") AS " +
                          quote_ident(col.name));
        }
      } else if (c.kind == SelectItem::Kind::kField) {
        auto expr = field(child, alias, c.field);
        if (!expr) return expr.error();
        parts.push_back("(SELECT " + *expr + from + ") AS " + quote_ident(c.key()));
      } else {
        return make_error_with_reason(Code::kInvalidArgument, "PGRST100",
                                      "failed to parse select parameter (embedding inside a "
                                      "spread is not supported)");
      }
    }
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) out += (i > 0 ? ", " : "") + parts[i];
    return out;
  }

  auto list = select_list_at(child, alias, children, my_path, depth + 1);
  if (!list) return list.error();
  const std::string wrap = next_alias('e');
  if (rel->to_one) {
    return "(SELECT row_to_json(" + wrap + ") FROM (SELECT " + *list + from + " LIMIT 1) AS " +
           wrap + ") AS " + quote_ident(item.key());
  }
  auto order = order_at(child, alias, my_path);
  if (!order) return order.error();
  std::string paging;
  const auto node = query_.nodes.find(my_path);
  if (node != query_.nodes.end()) {
    if (node->second.limit) paging += " LIMIT " + bind(std::to_string(*node->second.limit));
    if (node->second.offset) paging += " OFFSET " + bind(std::to_string(*node->second.offset));
  }
  return "coalesce((SELECT json_agg(" + wrap + ") FROM (SELECT " + *list + from + *order +
         paging + ") AS " + wrap + "), '[]') AS " + quote_ident(item.key());
}

Result<std::string> Builder::where_at(const Source& source, const std::string& alias,
                                      const SelectList& list, const std::string& path,
                                      size_t depth) {
  std::vector<std::string> parts;
  const auto node = query_.nodes.find(path);
  if (node != query_.nodes.end()) {
    for (const Condition& cond : node->second.conditions) {
      // `stakeholders=not.is.null`: a test on a whole embedded resource.
      if (const Filter* f = std::get_if<Filter>(&cond);
          f && f->field.path.empty() && f->op == "is" &&
          (f->value == "null" || f->value == "not_null")) {
        const SelectItem* embedded = nullptr;
        for (const SelectItem& item : list) {
          if (item.kind == SelectItem::Kind::kEmbed && item.key() == f->field.column) {
            embedded = &item;
          }
        }
        const bool is_column =
            std::any_of(source.columns->begin(), source.columns->end(),
                        [&](const Column& c) { return c.name == f->field.column; });
        if (embedded != nullptr && !is_column) {
          auto exists = embed(source, alias, *embedded, path, depth, true);
          if (!exists) return exists.error();
          const bool want_null = (f->value == "null") != f->negate;
          parts.push_back(want_null ? "NOT " + *exists : *exists);
          continue;
        }
      }
      auto sql = condition(source, alias, cond);
      if (!sql) return sql.error();
      parts.push_back(*sql);
    }
  }
  for (const SelectItem& item : list) {
    if (item.kind == SelectItem::Kind::kEmbed && item.join == JoinType::kInner) {
      auto exists = embed(source, alias, item, path, depth, true);
      if (!exists) return exists.error();
      parts.push_back(*exists);
    }
  }
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i > 0 ? " AND " : "") + parts[i];
  return out;
}

Result<std::string> Builder::condition(const Source& source, const std::string& alias,
                                       const Condition& cond) {
  if (const Filter* f = std::get_if<Filter>(&cond)) return filter(source, alias, *f);
  const Logic& logic = std::get<Logic>(cond);
  std::string out;
  for (size_t i = 0; i < logic.items.size(); ++i) {
    auto sql = condition(source, alias, logic.items[i]);
    if (!sql) return sql.error();
    if (i > 0) out += logic.is_or ? " OR " : " AND ";
    out += *sql;
  }
  if (out.empty()) out = logic.is_or ? "false" : "true";
  out = "(" + out + ")";
  return logic.negate ? "NOT " + out : out;
}

Result<std::string> Builder::filter(const Source& source, const std::string& alias,
                                    const Filter& f) {
  const Column* column = nullptr;
  auto lhs = field(source, alias, f.field, &column);
  if (!lhs) return lhs.error();
  std::string sql;
  if (f.op == "is") {
    static constexpr std::pair<std::string_view, const char*> kIs[] = {
        {"null", "IS NULL"}, {"not_null", "IS NOT NULL"}, {"true", "IS TRUE"},
        {"false", "IS FALSE"}, {"unknown", "IS UNKNOWN"}};
    for (const auto& [value, text] : kIs) {
      if (value == f.value) sql = *lhs + " " + text;
    }
  } else if (f.op == "in") {
    sql = *lhs + " = ANY(" + bind(array_literal(f.list)) + ")";
  } else if (const char* fn = fts_function(f.op)) {
    const bool plain_column = f.field.path.empty() && column->is_tsvector();
    const std::string config = f.config.empty() ? "" : bind(f.config) + "::regconfig, ";
    const std::string document =
        plain_column ? *lhs : "to_tsvector(" + config + "(" + *lhs + ")::text)";
    sql = document + " @@ " + fn + "(" + config + bind(f.value) + ")";
  } else if (const char* op = binary_operator(f.op)) {
    const bool like = f.op == "like" || f.op == "ilike";
    if (!f.modifier.empty()) {
      std::vector<std::string> items = f.list;
      if (like) {
        for (auto& item : items) item = like_pattern(item);
      }
      sql = *lhs + " " + op + " " + (f.modifier == "any" ? "ANY(" : "ALL(") +
            bind(array_literal(items)) + ")";
    } else {
      sql = *lhs + " " + op + " " + bind(like ? like_pattern(f.value) : f.value);
    }
  }
  if (sql.empty()) {
    return make_error_with_reason(Code::kInvalidArgument, "PGRST100",
                                  "failed to parse filter (" + f.op + "." + f.value + ")");
  }
  return f.negate ? "NOT (" + sql + ")" : sql;
}

Result<std::string> Builder::order_at(const Source& source, const std::string& alias,
                                      const std::string& path) {
  const auto node = query_.nodes.find(path);
  if (node == query_.nodes.end() || node->second.order.empty()) return std::string();
  std::string out = " ORDER BY ";
  bool first = true;
  for (const OrderTerm& term : node->second.order) {
    std::string expr;
    if (!term.relation.empty()) {
      SelectItem item;
      item.relation = term.relation;
      auto rel = relationship(source, item);
      if (!rel) return rel.error();
      if (!rel->to_one) {
        return make_error_with_reason(Code::kInvalidArgument, "PGRST118",
                                      "A related order on '" + term.relation +
                                          "' is not possible");
      }
      const Table* target = cache_.table(rel->target);
      const Source child = table_source(*target);
      const std::string child_alias = next_alias('t');
      auto value = field(child, child_alias, term.field);
      if (!value) return value.error();
      expr = "(SELECT " + *value + " FROM " + child.from + " AS " + child_alias + " WHERE " +
             join_condition(*rel, alias, child_alias) + ")";
    } else {
      auto value = field(source, alias, term.field);
      if (!value) return value.error();
      expr = *value;
    }
    out += (first ? "" : ", ") + expr + (term.desc ? " DESC" : " ASC");
    if (term.nulls_first) out += *term.nulls_first ? " NULLS FIRST" : " NULLS LAST";
    first = false;
  }
  return out;
}

Result<std::string> Builder::select_list(const Source& source, const std::string& alias) {
  return select_list_at(source, alias, query_.select, "", 0);
}

Result<std::string> Builder::root_where(const Source& source) {
  auto where = where_at(source, "t0", query_.select, "", 0);
  if (!where) return where.error();
  return where->empty() ? std::string() : " WHERE " + *where;
}

Result<std::string> Builder::root_select(const Source& source, bool paged) {
  auto list = select_list(source, "t0");
  if (!list) return list.error();
  auto where = root_where(source);
  if (!where) return where.error();
  auto order = order_at(source, "t0", "");
  if (!order) return order.error();
  std::string sql = "SELECT " + *list + " FROM " + source.from + " AS t0" + *where + *order;
  const auto node = query_.nodes.find("");
  if (paged && node != query_.nodes.end()) {
    if (node->second.limit) sql += " LIMIT " + bind(std::to_string(*node->second.limit));
    if (node->second.offset) sql += " OFFSET " + bind(std::to_string(*node->second.offset));
  }
  return sql;
}

Result<std::string> Builder::root_count(const Source& source) {
  auto where = root_where(source);
  if (!where) return where.error();
  // Select-list embeds are not needed to count, but their paths are used.
  for (const SelectItem& item : query_.select) {
    if (item.kind == SelectItem::Kind::kEmbed || item.kind == SelectItem::Kind::kSpread) {
      used_paths_.insert(item.key());
    }
  }
  return "SELECT 1 FROM " + source.from + " AS t0" + *where;
}

Result<void> Builder::check_all_paths_used() const {
  for (const auto& [path, options] : query_.nodes) {
    if (!used_paths_.contains(path)) {
      return make_error_with_reason(
          Code::kInvalidArgument, "PGRST108",
          "'" + path + "' is not an embedded resource in this request");
    }
  }
  return ok();
}

}  // namespace internal

using internal::Builder;
using internal::table_source;

Result<CompiledStatement> SqlCompiler::read(const Table& table, const Query& query,
                                            BodyFormat format) const {
  Builder b(cache_, query);
  auto inner = b.root_select(table_source(table), true);
  if (!inner) return inner.error();
  if (auto used = b.check_all_paths_used(); !used) return used.error();
  return CompiledStatement{
      "SELECT " + internal::body_aggregate(format) + ", count(*) FROM (" + *inner + ") AS _r",
      b.take_params()};
}

Result<CompiledStatement> SqlCompiler::count(const Table& table, const Query& query) const {
  Builder b(cache_, query);
  auto inner = b.root_count(table_source(table));
  if (!inner) return inner.error();
  return CompiledStatement{"SELECT count(*) FROM (" + *inner + ") AS _c", b.take_params()};
}

}  // namespace cscx::rest
