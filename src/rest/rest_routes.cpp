#include "rest/rest_routes.h"

#include <boost/json.hpp>

#include "auth/principal.h"
#include "core/text.h"
#include "rest/query_parser.h"
#include "rest/rest_error.h"
#include "rest/sql_compiler.h"

namespace cscx::rest {
namespace asio = boost::asio;
namespace json = boost::json;
using http::Request;
using http::RequestLog;
using http::Response;

namespace {

constexpr std::string_view kPrefix = "/rest/v1/";
constexpr std::string_view kObjectMedia = "application/vnd.pgrst.object+json";

// Every comma-separated item of every header called `name`.
std::vector<std::string_view> header_items(const Request& request, std::string_view name) {
  std::vector<std::string_view> out;
  for (const auto& [key, value] : request.headers) {
    if (key != name) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const size_t comma = rest.find(',');
      out.push_back(core::trim_blanks(rest.substr(0, comma)));
      rest = comma == std::string_view::npos ? "" : rest.substr(comma + 1);
    }
  }
  return out;
}

// Prefer (spec section 1); unknown preferences are ignored.
struct Preferences {
  bool representation = false;
  bool count = false;  // exact, planned or estimated: all counted exactly
  Resolution resolution = Resolution::kNone;
  bool missing_default = false;
  bool rollback = false;
  bool strict = false;
  std::optional<int64_t> max_affected;
};

Preferences parse_prefer(const Request& request) {
  Preferences p;
  for (std::string_view item : header_items(request, "prefer")) {
    if (item == "return=representation") p.representation = true;
    if (item == "return=minimal" || item == "return=headers-only") p.representation = false;
    if (item.starts_with("count=")) p.count = true;
    if (item == "resolution=merge-duplicates") p.resolution = Resolution::kMergeDuplicates;
    if (item == "resolution=ignore-duplicates") p.resolution = Resolution::kIgnoreDuplicates;
    if (item == "missing=default") p.missing_default = true;
    if (item == "tx=rollback") p.rollback = true;
    if (item == "handling=strict") p.strict = true;
    if (item.starts_with("max-affected=")) {
      try {
        p.max_affected = std::stoll(std::string(item.substr(13)));
      } catch (const std::exception&) {
      }
    }
  }
  if (!p.strict) p.max_affected.reset();
  return p;
}

// What the client accepts (spec section 2): a JSON array (the default,
// `;nulls=stripped` drops null-valued keys), one object, or CSV; anything
// else is 406.
struct MediaChoice {
  bool single = false;
  BodyFormat format = BodyFormat::kJson;
};

Result<MediaChoice> choose_media(const Request& request) {
  auto items = header_items(request, "accept");
  if (items.empty()) return MediaChoice{};
  for (std::string_view item : items) {
    const size_t semicolon = item.find(';');
    const std::string_view media = core::trim_blanks(item.substr(0, semicolon));
    const bool stripped = semicolon != std::string_view::npos &&
                          item.find("nulls=stripped", semicolon) != std::string_view::npos;
    const BodyFormat json = stripped ? BodyFormat::kJsonStripNulls : BodyFormat::kJson;
    if (media == kObjectMedia) return MediaChoice{true, json};
    if (media == "text/csv") return MediaChoice{false, BodyFormat::kCsv};
    if (media == "application/json" || media == "*/*" || media == "application/*" ||
        media == "application/vnd.pgrst.array+json") {
      return MediaChoice{false, json};
    }
  }
  return rest_error("PGRST107",
                    "None of these media types are available: " +
                        std::string(*request.header("accept")));
}

Result<void> check_profile(const Request& request) {
  const bool reading = request.method == "GET" || request.method == "HEAD";
  auto profile = request.header(reading ? "accept-profile" : "content-profile");
  if (profile && *profile != "public") {
    return rest_error("PGRST106", "The schema must be one of the following: public");
  }
  return ok();
}

Error auth_error(const Error& e) {
  if (e.reason == "no_authorization") {
    return rest_error("PGRST302", "No API key found in request",
                      {}, "No `apikey` request header or url param was found.");
  }
  const bool expired = e.reason == auth::kTokenExpired;
  Error out = rest_error(expired ? "PGRST303" : "PGRST301", e.message);
  out.code = Code::kUnauthenticated;
  return out;
}

// `[{...}]` -> `{...}`: json_agg of exactly one row, unwrapped without
// parsing.
std::string unwrap_single(std::string_view array) {
  if (array.size() < 2) return std::string(array);
  return std::string(array.substr(1, array.size() - 2));
}

Error not_one_row(int64_t rows) {
  return rest_error("PGRST116", "Cannot coerce the result to a single JSON object",
                    "The result contains " + std::to_string(rows) + " rows");
}

Result<json::value> parse_body(const Request& request) {
  if (core::trim_blanks(request.body).empty()) return json::value(json::object());
  boost::system::error_code ec;
  json::value v = json::parse(request.body, ec);
  if (ec) return rest_error("PGRST102", "Empty or invalid json");
  return v;
}

// A JSON argument as the text PostgreSQL reads for its type.
db::Param param_from_json(const json::value& v, bool array_type) {
  if (v.is_null()) return std::nullopt;
  if (v.is_string()) return std::string(v.as_string());
  if (array_type && v.is_array()) {
    std::string out = "{";
    bool first = true;
    for (const auto& item : v.as_array()) {
      if (!first) out += ',';
      first = false;
      if (item.is_null()) {
        out += "NULL";
        continue;
      }
      const std::string text =
          item.is_string() ? std::string(item.as_string()) : json::serialize(item);
      out += '"';
      for (char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
      }
      out += '"';
    }
    return out + "}";
  }
  return json::serialize(v);
}

class RestHandler {
 public:
  RestHandler(db::Pool& pool, const SchemaListener& schema, const std::string& secret,
              http::Metrics& metrics)
      : pool_(pool), schema_(schema), secret_(secret), metrics_(metrics) {}

  asio::awaitable<Result<Response>> handle(const Request& request, RequestLog& log) {
    auto principal = auth::authenticate(request, secret_, auth::unix_now());
    if (!principal) {
      metrics_.count_auth_failure();
      co_return rest_error_response(auth_error(principal.error()), true);
    }
    log.user_id = (*principal)->token.subject;
    const bool anonymous = (*principal)->token.role == "anon";
    // Built member by member: GCC 12 crashes on a braced initializer of a
    // struct with a reference member inside a coroutine.
    Context ctx;
    ctx.request = &request;
    ctx.who = auth::request_identity(**principal, request);
    ctx.prefer = parse_prefer(request);
    auto response = co_await route(ctx, log);
    if (!response) co_return rest_error_response(response.error(), anonymous);
    co_return std::move(*response);
  }

 private:
  struct Context {
    const Request* request = nullptr;
    db::RequestIdentity who;
    Preferences prefer;
    bool single = false;
    BodyFormat format = BodyFormat::kJson;
    std::shared_ptr<const SchemaCache> cache;
  };

  asio::awaitable<Result<Response>> route(Context& ctx, RequestLog& log) {
    if (auto profile = check_profile(*ctx.request); !profile) co_return profile.error();
    auto media = choose_media(*ctx.request);
    if (!media) co_return media.error();
    ctx.single = media->single;
    ctx.format = media->format;
    ctx.cache = schema_.current();
    std::string_view rest = std::string_view(ctx.request->path).substr(kPrefix.size());
    const std::string& method = ctx.request->method;
    if (rest.starts_with("rpc/")) {
      log.route = "/rest/v1/rpc/:function";
      const std::string name(rest.substr(4));
      if (method != "GET" && method != "HEAD" && method != "POST") {
        co_return rest_error("PGRST101", "Only GET, HEAD and POST are allowed for functions");
      }
      co_return co_await call(ctx, name);
    }
    log.route = "/rest/v1/:table";
    if (rest.empty() || rest.find('/') != std::string_view::npos) {
      co_return rest_error("PGRST125", "Invalid path specified in request URL");
    }
    const Table* table = ctx.cache->table(rest);
    if (table == nullptr) {
      co_return rest_error("PGRST205", "Could not find the table 'public." + std::string(rest) +
                                           "' in the schema cache");
    }
    if (method == "GET" || method == "HEAD") co_return co_await read(ctx, *table);
    if (method == "POST") co_return co_await insert(ctx, *table);
    if (method == "PATCH") co_return co_await update(ctx, *table);
    if (method == "DELETE") co_return co_await remove(ctx, *table);
    co_return rest_error("PGRST101", "Unsupported HTTP method: " + method);
  }

  asio::awaitable<Result<std::vector<db::QueryResult>>> run(
      Context& ctx, std::vector<db::Statement>& statements, bool read_only) {
    db::TransactionOptions options;
    options.read_only = read_only;
    options.rollback = ctx.prefer.rollback;
    co_return co_await pool_.run_in_transaction(ctx.who, statements, options);
  }

  static db::Statement statement(std::string_view name, CompiledStatement&& c) {
    return db::Statement{name, std::move(c.sql), std::move(c.params)};
  }

  asio::awaitable<Result<Response>> read(Context& ctx, const Table& table) {
    auto query = parse_query(ctx.request->query);
    if (!query) co_return query.error();
    SqlCompiler compiler(*ctx.cache);
    auto select = compiler.read(table, *query, ctx.format);
    if (!select) co_return select.error();
    std::vector<db::Statement> statements;
    statements.push_back(statement("rest_read", std::move(*select)));
    if (ctx.prefer.count) {
      auto count = compiler.count(table, *query);
      if (!count) co_return count.error();
      statements.push_back(statement("rest_count", std::move(*count)));
    }
    auto results = co_await run(ctx, statements, true);
    if (!results) co_return results.error();
    const auto& rows = (*results)[0];
    const int64_t n = std::stoll(std::string(rows.value(0, 1)));
    std::optional<int64_t> total;
    if (ctx.prefer.count) total = std::stoll(std::string((*results)[1].value(0, 0)));
    int64_t offset = 0;
    if (auto root = query->nodes.find(""); root != query->nodes.end() && root->second.offset) {
      offset = *root->second.offset;
    }
    co_return page(ctx, std::string(rows.value(0, 0)), n, offset, total);
  }

  // The response of a read: status, Content-Range and body (spec section 2).
  Result<Response> page(const Context& ctx, std::string body, int64_t n, int64_t offset,
                        std::optional<int64_t> total) const {
    const std::string total_text = total ? std::to_string(*total) : "*";
    if (total && offset > *total) {
      Error e = rest_error("PGRST103", "Requested range not satisfiable",
                           "An offset of " + std::to_string(offset) +
                               " was requested, but there are only " + total_text + " rows.");
      return e;
    }
    if (ctx.single) {
      if (n != 1) return not_one_row(n);
      body = unwrap_single(body);
    }
    unsigned status = total && n < *total ? 206 : 200;
    Response response = Response::json(status, std::move(body));
    if (ctx.single) response.content_type = std::string(kObjectMedia) + "; charset=utf-8";
    if (ctx.format == BodyFormat::kCsv) response.content_type = "text/csv; charset=utf-8";
    const std::string range =
        n > 0 ? std::to_string(offset) + "-" + std::to_string(offset + n - 1) : "*";
    response.headers.emplace_back("Content-Range", range + "/" + total_text);
    return response;
  }

  WriteShape shape(const Context& ctx) const {
    WriteShape s;
    s.representation = ctx.prefer.representation;
    s.single = ctx.single;
    s.max_affected = ctx.prefer.max_affected;
    return s;
  }

  // The response of a write, from [body, rows(, inserted)] or an affected
  // count.
  Response written(const Context& ctx, const db::QueryResult& result,
                   const CompiledStatement& compiled, unsigned status) const {
    int64_t n = 0;
    std::string body;
    if (compiled.rows_affected) {
      n = result.affected();
    } else {
      body = std::string(result.value(0, 0));
      n = std::stoll(std::string(result.value(0, 1)));
    }
    Response response;
    if (ctx.prefer.representation) {
      response = Response::json(status, ctx.single ? unwrap_single(body) : std::move(body));
      if (ctx.single) response.content_type = std::string(kObjectMedia) + "; charset=utf-8";
    } else {
      response = Response::json(status == 201 ? 201 : 204, "");
      response.content_type.clear();
    }
    response.headers.emplace_back("Content-Range",
                                  "*/" + (ctx.prefer.count ? std::to_string(n) : "*"));
    return response;
  }

  asio::awaitable<Result<Response>> insert(Context& ctx, const Table& table) {
    auto query = parse_query(ctx.request->query);
    if (!query) co_return query.error();
    auto body = parse_body(*ctx.request);
    if (!body) co_return body.error();
    InsertInput input;
    input.resolution = ctx.prefer.resolution;
    input.missing_default = ctx.prefer.missing_default;
    json::array rows;
    if (body->is_object()) {
      rows.push_back(*body);
    } else if (body->is_array()) {
      rows = body->as_array();
    } else {
      co_return rest_error("PGRST102", "Empty or invalid json");
    }
    if (!query->columns.empty()) {
      input.columns = query->columns;
    } else {
      for (const auto& row : rows) {
        if (!row.is_object()) co_return rest_error("PGRST102", "Empty or invalid json");
        for (const auto& kv : row.as_object()) {
          const std::string key(kv.key());
          if (std::find(input.columns.begin(), input.columns.end(), key) ==
              input.columns.end()) {
            input.columns.push_back(key);
          }
        }
      }
    }
    if (rows.empty()) {
      Response response = Response::json(201, ctx.prefer.representation ? "[]" : "");
      if (!ctx.prefer.representation) response.content_type.clear();
      co_return response;
    }
    input.rows_json = json::serialize(rows);
    SqlCompiler compiler(*ctx.cache);
    auto compiled = compiler.insert(table, *query, input, shape(ctx));
    if (!compiled) co_return compiled.error();
    const bool plain = compiled->rows_affected;
    std::vector<db::Statement> statements;
    // Prepared like the reads: the text depends only on the body's column
    // set, so a client's inserts reuse one plan (planning cost more than
    // executing in bench/rest/plans.md).
    statements.push_back(statement("rest_insert", CompiledStatement(*compiled)));
    auto results = co_await run(ctx, statements, false);
    if (!results) co_return results.error();
    unsigned status = 201;
    if (!plain && input.resolution == Resolution::kMergeDuplicates &&
        (*results)[0].value(0, 2) == "f") {
      status = 200;
    }
    Response response = written(ctx, (*results)[0], *compiled, status);
    co_return response;
  }

  asio::awaitable<Result<Response>> update(Context& ctx, const Table& table) {
    auto query = parse_query(ctx.request->query);
    if (!query) co_return query.error();
    auto body = parse_body(*ctx.request);
    if (!body) co_return body.error();
    if (!body->is_object()) co_return rest_error("PGRST102", "Empty or invalid json");
    UpdateInput input;
    for (const auto& kv : body->as_object()) input.columns.emplace_back(kv.key());
    input.row_json = json::serialize(*body);
    SqlCompiler compiler(*ctx.cache);
    auto compiled = compiler.update(table, *query, input, shape(ctx));
    if (!compiled) co_return compiled.error();
    std::vector<db::Statement> statements;
    statements.push_back(statement("rest_update", CompiledStatement(*compiled)));
    auto results = co_await run(ctx, statements, false);
    if (!results) co_return results.error();
    co_return written(ctx, (*results)[0], *compiled, 200);
  }

  asio::awaitable<Result<Response>> remove(Context& ctx, const Table& table) {
    auto query = parse_query(ctx.request->query);
    if (!query) co_return query.error();
    SqlCompiler compiler(*ctx.cache);
    auto compiled = compiler.remove(table, *query, shape(ctx));
    if (!compiled) co_return compiled.error();
    std::vector<db::Statement> statements;
    statements.push_back(statement("rest_delete", CompiledStatement(*compiled)));
    auto results = co_await run(ctx, statements, false);
    if (!results) co_return results.error();
    co_return written(ctx, (*results)[0], *compiled, 200);
  }

  asio::awaitable<Result<Response>> call(Context& ctx, const std::string& name) {
    const bool reading = ctx.request->method != "POST";
    ParseOptions options;
    for (const Function* fn : ctx.cache->functions(name)) {
      for (const auto& a : fn->args) options.argument_names.insert(a.name);
    }
    auto query = parse_query(ctx.request->query, options);
    if (!query) co_return query.error();
    std::vector<std::string> given;
    std::vector<std::pair<std::string, json::value>> values;
    if (reading) {
      for (auto& [key, value] : query->plain_params) {
        given.push_back(key);
        values.emplace_back(key, json::value(value));
      }
    } else {
      auto body = parse_body(*ctx.request);
      if (!body) co_return body.error();
      if (!body->is_object()) co_return rest_error("PGRST102", "Empty or invalid json");
      for (const auto& kv : body->as_object()) {
        given.emplace_back(kv.key());
        values.emplace_back(std::string(kv.key()), kv.value());
      }
    }
    auto fn = match_function(*ctx.cache, name, given);
    if (!fn) co_return fn.error();
    CallInput input{*fn, {}};
    for (const auto& [key, value] : values) {
      const auto& args = (*fn)->args;
      auto arg = std::find_if(args.begin(), args.end(),
                              [&](const FunctionArg& a) { return a.name == key; });
      input.args.emplace_back(key, param_from_json(value, arg->type.ends_with("[]")));
    }
    SqlCompiler compiler(*ctx.cache);
    WriteShape s = shape(ctx);
    if (reading) s.single = false;  // checked below; a read-only call writes nothing
    auto compiled = compiler.call(input, *query, s, ctx.format);
    if (!compiled) co_return compiled.error();
    std::vector<db::Statement> statements;
    statements.push_back(statement("rest_rpc", std::move(*compiled)));
    auto results = co_await run(ctx, statements, reading);
    if (!results) co_return results.error();
    const auto& row = (*results)[0];
    if ((*fn)->returns_void()) {
      Response response = Response::json(204, "");
      response.content_type.clear();
      co_return response;
    }
    const int64_t n = std::stoll(std::string(row.value(0, 1)));
    const bool set = (*fn)->returns_set;
    if (!set) {
      co_return Response::json(200, std::string(row.value(0, 0)));
    }
    const auto root = query->nodes.find("");
    std::optional<int64_t> total;
    if (ctx.prefer.count) {
      // Row-shaped results carry the count of all matching rows; a SETOF
      // scalar has no paging, so its rows are all of them.
      const bool rows = row.columns() > 2;
      total = rows ? std::stoll(std::string(row.value(0, 2))) : n;
    }
    const int64_t offset =
        root != query->nodes.end() && root->second.offset ? *root->second.offset : 0;
    co_return page(ctx, std::string(row.value(0, 0)), n, offset, total);
  }

  db::Pool& pool_;
  const SchemaListener& schema_;
  const std::string& secret_;
  http::Metrics& metrics_;
};

}  // namespace

void add_rest_routes(http::Router& router, db::Pool& pool, const SchemaListener& schema,
                     const std::string& secret, http::Metrics& metrics) {
  auto handler = std::make_shared<RestHandler>(pool, schema, secret, metrics);
  for (const char* method : {"GET", "HEAD", "POST", "PATCH", "DELETE", "PUT"}) {
    router.add(method, std::string(kPrefix) + "*", "/rest/v1/:table",
               [handler](const Request& request,
                         RequestLog& log) -> asio::awaitable<Result<Response>> {
                 co_return co_await handler->handle(request, log);
               });
  }
}

}  // namespace cscx::rest
