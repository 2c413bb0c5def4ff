#include "rest/query_parser.h"

#include <charconv>

#include "core/text.h"

namespace cscx::rest {

namespace {

constexpr size_t kMaxDepth = 16;  // nesting of embeds and logic trees

Error parse_error(std::string_view what, std::string_view text) {
  return make_error_with_reason(
      Code::kInvalidArgument, "PGRST100",
      "failed to parse " + std::string(what) + " (" + std::string(text) + ")");
}

// Splits at commas outside double quotes and parentheses. Quotes and
// backslash escapes are kept; unquote() removes them.
Result<std::vector<std::string_view>> split_top(std::string_view s, std::string_view what) {
  std::vector<std::string_view> out;
  int depth = 0;
  bool quoted = false;
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (quoted) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        quoted = false;
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      if (--depth < 0) return parse_error(what, s);
    } else if (c == ',' && depth == 0) {
      out.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  if (quoted || depth != 0) return parse_error(what, s);
  out.push_back(s.substr(start));
  return out;
}

// "a\"b" -> a"b; anything not starting with a quote is returned as is.
std::string unquote(std::string_view s) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return std::string(s);
  std::string out;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '\\' && i + 2 < s.size()) ++i;
    out += s[i];
  }
  return out;
}

bool is_integer(std::string_view s) {
  if (s.empty()) return false;
  size_t i = (s[0] == '-') ? 1 : 0;
  if (i == s.size()) return false;
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

Result<Field> parse_field(std::string_view text, std::string_view what) {
  Field f;
  size_t arrow = text.find("->");
  f.column = unquote(text.substr(0, arrow));
  if (f.column.empty()) return parse_error(what, text);
  while (arrow != std::string_view::npos) {
    JsonStep step;
    size_t begin = arrow + 2;
    if (begin < text.size() && text[begin] == '>') {
      step.as_text = true;
      ++begin;
    }
    arrow = text.find("->", begin);
    std::string_view key = text.substr(begin, arrow == std::string_view::npos
                                                  ? std::string_view::npos
                                                  : arrow - begin);
    if (key.empty()) return parse_error(what, text);
    step.is_index = is_integer(key);
    step.key = unquote(key);
    f.path.push_back(std::move(step));
  }
  return f;
}

Result<SelectList> parse_select_at(std::string_view text, size_t depth);

Result<SelectItem> parse_select_item(std::string_view item, size_t depth) {
  constexpr std::string_view what = "select parameter";
  SelectItem out;
  if (item == "*") {
    out.kind = SelectItem::Kind::kStar;
    return out;
  }
  if (item.empty()) return parse_error(what, item);
  if (item.starts_with("...")) {
    out.kind = SelectItem::Kind::kSpread;
    item.remove_prefix(3);
  }
  const size_t paren = item.find('(');
  const size_t arrow = item.find("->");
  // alias:rest, where ':' is not part of a '::' cast.
  for (size_t i = 0; i < item.size() && i < paren && i < arrow; ++i) {
    if (item[i] == ':') {
      if (i + 1 < item.size() && item[i + 1] == ':') break;
      out.alias = std::string(item.substr(0, i));
      item.remove_prefix(i + 1);
      break;
    }
  }
  const size_t open = item.find('(');
  if (open != std::string_view::npos) {
    if (item.back() != ')' || depth >= kMaxDepth) return parse_error(what, item);
    if (out.kind != SelectItem::Kind::kSpread) out.kind = SelectItem::Kind::kEmbed;
    std::string_view name = item.substr(0, open);
    size_t bang = name.find('!');
    out.relation = std::string(name.substr(0, bang));
    while (bang != std::string_view::npos) {
      const size_t next = name.find('!', bang + 1);
      std::string_view mod = name.substr(bang + 1, next == std::string_view::npos
                                                      ? std::string_view::npos
                                                      : next - bang - 1);
      if (mod == "inner") {
        out.join = JoinType::kInner;
      } else if (mod == "left") {
        out.join = JoinType::kLeft;
      } else if (!mod.empty() && out.hint.empty()) {
        out.hint = std::string(mod);
      } else {
        return parse_error(what, item);
      }
      bang = next;
    }
    if (out.relation.empty()) return parse_error(what, item);
    auto children = parse_select_at(item.substr(open + 1, item.size() - open - 2), depth + 1);
    if (!children) return children.error();
    out.children = std::make_shared<SelectList>(std::move(*children));
    return out;
  }
  if (out.kind == SelectItem::Kind::kSpread) return parse_error(what, item);
  const size_t cast = item.rfind("::");
  if (cast != std::string_view::npos) {
    out.cast = std::string(item.substr(cast + 2));
    if (out.cast.empty()) return parse_error(what, item);
    item = item.substr(0, cast);
  }
  auto field = parse_field(item, what);
  if (!field) return field.error();
  out.field = std::move(*field);
  return out;
}

Result<SelectList> parse_select_at(std::string_view text, size_t depth) {
  SelectList list;
  if (text.empty()) return list;
  auto items = split_top(text, "select parameter");
  if (!items) return items.error();
  for (std::string_view item : *items) {
    auto parsed = parse_select_item(item, depth);
    if (!parsed) return parsed.error();
    list.push_back(std::move(*parsed));
  }
  return list;
}

bool known_operator(std::string_view op) {
  static constexpr std::string_view kOps[] = {
      "eq",  "neq", "gt",  "gte",  "lt",  "lte", "like",       "ilike", "match", "imatch",
      "in",  "is",  "isdistinct",  "cs",  "cd",  "ov",         "sl",    "sr",    "nxr",
      "nxl", "adj", "fts", "plfts", "phfts", "wfts"};
  for (auto k : kOps) {
    if (k == op) return true;
  }
  return false;
}

// "not.eq.5", "in.(1,2)", "fts(english).cat", "eq(any).{a,b}" -> Filter.
Result<Filter> parse_operation(Field field, std::string_view value) {
  const std::string what = "filter";
  Filter f;
  f.field = std::move(field);
  std::string_view v = value;
  if (v.starts_with("not.")) {
    f.negate = true;
    v.remove_prefix(4);
  }
  const size_t dot = v.find('.');
  if (dot == std::string_view::npos) return parse_error(what, value);
  std::string_view op = v.substr(0, dot);
  if (const size_t open = op.find('('); open != std::string_view::npos) {
    if (op.back() != ')') return parse_error(what, value);
    std::string_view arg = op.substr(open + 1, op.size() - open - 2);
    op = op.substr(0, open);
    if (op == "fts" || op == "plfts" || op == "phfts" || op == "wfts") {
      f.config = std::string(arg);
    } else if (arg == "any" || arg == "all") {
      f.modifier = std::string(arg);
    } else {
      return parse_error(what, value);
    }
  }
  if (!known_operator(op)) return parse_error(what, value);
  f.op = std::string(op);
  f.value = std::string(v.substr(dot + 1));
  if (f.op == "in" || !f.modifier.empty()) {
    std::string_view list = f.value;
    const char open = f.op == "in" ? '(' : '{';
    const char close = f.op == "in" ? ')' : '}';
    if (list.size() < 2 || list.front() != open || list.back() != close) {
      return parse_error(what, value);
    }
    list = list.substr(1, list.size() - 2);
    if (!list.empty()) {
      auto items = split_top(list, what);
      if (!items) return items.error();
      for (auto item : *items) f.list.push_back(unquote(item));
    }
  }
  if (f.op == "is") {
    static constexpr std::string_view kIs[] = {"null", "not_null", "true", "false", "unknown"};
    bool ok = false;
    for (auto k : kIs) ok = ok || f.value == k;
    if (!ok) return parse_error(what, value);
  }
  return f;
}

Result<Logic> parse_logic_at(std::string_view value, bool is_or, bool negate, size_t depth);

Result<Condition> parse_logic_item(std::string_view item, size_t depth) {
  bool negate = false;
  std::string_view rest = item;
  if (rest.starts_with("not.")) {
    negate = true;
    rest.remove_prefix(4);
  }
  if (rest.starts_with("and(") || rest.starts_with("or(")) {
    const bool is_or = rest.starts_with("or(");
    auto nested = parse_logic_at(rest.substr(is_or ? 2 : 3), is_or, negate, depth + 1);
    if (!nested) return nested.error();
    return Condition(std::move(*nested));
  }
  // field.op.value: the field ends at the first '.' (fields use -> for paths).
  const size_t dot = item.find('.');
  if (dot == std::string_view::npos) return parse_error("logic tree", item);
  auto field = parse_field(item.substr(0, dot), "logic tree");
  if (!field) return field.error();
  auto filter = parse_operation(std::move(*field), item.substr(dot + 1));
  if (!filter) return filter.error();
  filter->value = unquote(filter->value);
  return Condition(std::move(*filter));
}

Result<Logic> parse_logic_at(std::string_view value, bool is_or, bool negate, size_t depth) {
  if (depth >= kMaxDepth || value.size() < 2 || value.front() != '(' || value.back() != ')') {
    return parse_error("logic tree", value);
  }
  Logic logic;
  logic.is_or = is_or;
  logic.negate = negate;
  auto items = split_top(value.substr(1, value.size() - 2), "logic tree");
  if (!items) return items.error();
  for (auto item : *items) {
    auto cond = parse_logic_item(core::trim_blanks(item), depth);
    if (!cond) return cond.error();
    logic.items.push_back(std::move(*cond));
  }
  return logic;
}

Result<int64_t> parse_count(std::string_view key, std::string_view text) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (ec != std::errc() || end != text.data() + text.size() || n < 0) {
    return parse_error(std::string(key) + " parameter", text);
  }
  return n;
}

std::string without_spaces(std::string_view s) {
  // supabase-js strips whitespace outside quotes; do the same for hand-made
  // URLs so "select=id, name" works.
  std::string out;
  bool quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '"' && (i == 0 || s[i - 1] != '\\')) quoted = !quoted;
    if (!quoted && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) continue;
    out += c;
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decoding with '+' as a space, as URLSearchParams encodes. Lenient
// like PostgREST: a '%' not followed by two hex digits stays as it is, and
// characters RFC 3986 wants escaped ({ } " < > from curl users) are taken
// as sent. (Boost.URL's params_view refuses those queries outright.)
std::string decode_component(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 &&
               hex_value(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// "a.b.order" -> ("a.b", "order"); "order" -> ("", "order").
std::pair<std::string, std::string> split_path(std::string_view key) {
  const size_t dot = key.rfind('.');
  if (dot == std::string_view::npos) return {"", std::string(key)};
  return {std::string(key.substr(0, dot)), std::string(key.substr(dot + 1))};
}

}  // namespace

std::string Field::output_name() const {
  for (auto it = path.rbegin(); it != path.rend(); ++it) {
    if (!it->is_index) return it->key;
  }
  return column;
}

std::string SelectItem::key() const {
  if (!alias.empty()) return alias;
  if (kind == Kind::kField) return field.output_name();
  return relation;
}

Result<SelectList> parse_select(std::string_view text) {
  return parse_select_at(without_spaces(text), 0);
}

Result<Condition> parse_filter(std::string_view key_field, std::string_view value) {
  auto field = parse_field(key_field, "filter");
  if (!field) return field.error();
  auto filter = parse_operation(std::move(*field), value);
  if (!filter) return filter.error();
  return Condition(std::move(*filter));
}

Result<Logic> parse_logic(std::string_view value, bool is_or, bool negate) {
  // Not without_spaces(): supabase-js sends .or() text unchanged, and a
  // value may hold spaces (`name.eq.Acme Corp`); PostgREST reads a value up
  // to the next ',' or ')'. Items are trimmed at their ends only.
  return parse_logic_at(core::trim_blanks(value), is_or, negate, 0);
}

Result<std::vector<OrderTerm>> parse_order(std::string_view text) {
  std::vector<OrderTerm> out;
  const std::string clean = without_spaces(text);
  auto items = split_top(clean, "order parameter");
  if (!items) return items.error();
  for (std::string_view item : *items) {
    OrderTerm term;
    // Peel up to two modifiers off the end.
    for (int i = 0; i < 2; ++i) {
      const size_t dot = item.rfind('.');
      if (dot == std::string_view::npos) break;
      std::string_view mod = item.substr(dot + 1);
      if (mod == "asc" || mod == "desc") {
        term.desc = mod == "desc";
      } else if (mod == "nullsfirst" || mod == "nullslast") {
        term.nulls_first = mod == "nullsfirst";
      } else {
        break;
      }
      item = item.substr(0, dot);
    }
    if (const size_t open = item.find('('); open != std::string_view::npos) {
      if (item.back() != ')') return parse_error("order parameter", text);
      term.relation = std::string(item.substr(0, open));
      item = item.substr(open + 1, item.size() - open - 2);
    }
    auto field = parse_field(item, "order parameter");
    if (!field) return field.error();
    term.field = std::move(*field);
    out.push_back(std::move(term));
  }
  return out;
}

Result<Query> parse_query(std::string_view raw_query, const ParseOptions& options) {
  Query q;
  std::string_view rest = raw_query;
  while (!rest.empty()) {
    const size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    const std::string key = without_spaces(decode_component(pair.substr(0, eq)));
    const std::string value =
        eq == std::string_view::npos ? std::string() : decode_component(pair.substr(eq + 1));
    if (key == "select") {
      auto list = parse_select(value);
      if (!list) return list.error();
      q.select = std::move(*list);
      q.select_given = true;
      continue;
    }
    if (key == "on_conflict" || key == "columns") {
      const std::string list = without_spaces(value);  // the views below point into it
      auto items = split_top(list, key + " parameter");
      if (!items) return items.error();
      auto& dest = key == "on_conflict" ? q.on_conflict : q.columns;
      for (auto item : *items) {
        if (item.empty()) return parse_error(key + " parameter", value);
        dest.push_back(unquote(item));
      }
      continue;
    }
    if (options.argument_names.contains(key)) {
      q.plain_params.emplace_back(key, value);
      continue;
    }
    // Logic trees: or=(...), not.and=(...), stakeholders.or=(...).
    std::string path = key, last = key;
    bool negate = false;
    if (key == "and" || key == "or" || key == "not.and" || key == "not.or" ||
        key.ends_with(".and") || key.ends_with(".or")) {
      std::string k = key;
      if (k.starts_with("not.")) {
        negate = true;
        k = k.substr(4);
      }
      std::tie(path, last) = split_path(k);
      if (path.ends_with(".not")) {
        negate = true;
        path = path.substr(0, path.size() - 4);
      } else if (path == "not") {
        negate = true;
        path.clear();
      }
      auto logic = parse_logic(value, last == "or", negate);
      if (!logic) return logic.error();
      q.nodes[path].conditions.emplace_back(std::move(*logic));
      continue;
    }
    std::tie(path, last) = split_path(key);
    if (last == "order") {
      auto order = parse_order(value);
      if (!order) return order.error();
      q.nodes[path].order = std::move(*order);
      continue;
    }
    if (last == "limit" || last == "offset") {
      auto n = parse_count(last, value);
      if (!n) return n.error();
      (last == "limit" ? q.nodes[path].limit : q.nodes[path].offset) = *n;
      continue;
    }
    // A filter: everything up to the last '.' outside a JSON path is the
    // embedding path. JSON keys may hold dots, so split before any "->".
    const size_t arrow = key.find("->");
    const std::string head = key.substr(0, arrow);
    const size_t dot = head.rfind('.');
    path = dot == std::string::npos ? "" : key.substr(0, dot);
    const std::string field = dot == std::string::npos ? key : key.substr(dot + 1);
    auto filter = parse_filter(field, value);
    if (!filter) return filter.error();
    q.nodes[path].conditions.push_back(std::move(*filter));
  }
  return q;
}

}  // namespace cscx::rest
