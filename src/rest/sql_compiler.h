// Query + schema cache -> one SQL statement for /rest/v1.
//
// Safe by construction: every identifier written into the SQL is a name the
// schema cache holds (tables, columns, functions) or a cast type from a fixed
// list, always double-quoted; every value the client sent is a bound
// parameter ($n). Nothing the client sends is spliced into the SQL text.
//
// PostgreSQL builds the response JSON: a statement returns one row whose
// first column is the JSON text to send as is (json_agg / row_to_json), the
// second the number of rows it holds or touched. Writes add a third column:
// whether an upsert inserted any row.
//
// Errors use PostgREST's codes in Error::reason (PGRST200, PGRST201,
// PGRST204, PGRST108, ...) or, for an unknown column, the SQLSTATE 42703
// PostgreSQL would have raised.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "db/connection.h"
#include "rest/query.h"
#include "rest/schema_cache.h"

namespace cscx::rest {

struct CompiledStatement {
  std::string sql;
  std::vector<db::Param> params;
  // The statement returns no rows; the number it affected is the row count
  // (a write that returns nothing and needs no check).
  bool rows_affected = false;
};

// How a read's rows become the body: a JSON array (optionally without
// null-valued keys, `Accept: application/json;nulls=stripped`) or CSV with a
// header line (`Accept: text/csv`).
enum class BodyFormat { kJson, kJsonStripNulls, kCsv };

enum class Resolution { kNone, kMergeDuplicates, kIgnoreDuplicates };

// What a write returns and what it must satisfy before it commits.
struct WriteShape {
  bool representation = false;  // Prefer: return=representation
  // Accept: application/vnd.pgrst.object+json: exactly one row, else the
  // statement fails (CX116) and the transaction rolls back.
  bool single = false;
  std::optional<int64_t> max_affected;  // Prefer: handling=strict, max-affected=N
};

struct InsertInput {
  std::vector<std::string> columns;  // validated payload keys, in order
  std::string rows_json;             // a JSON array of objects
  Resolution resolution = Resolution::kNone;
  bool missing_default = false;  // Prefer: missing=default
};

struct UpdateInput {
  std::vector<std::string> columns;  // keys of the body object
  std::string row_json;              // the body object
};

// A function call: argument name -> value (nullopt = SQL NULL), already
// matched to `function`'s arguments (see match_function).
struct CallInput {
  const Function* function = nullptr;
  std::vector<std::pair<std::string, db::Param>> args;
};

// The SQL of /rest/v1. Holds a reference to `cache`, which must outlive it.
class SqlCompiler {
 public:
  explicit SqlCompiler(const SchemaCache& cache) : cache_(cache) {}

  // GET on a table or view: [body, rows].
  [[nodiscard]] Result<CompiledStatement> read(const Table& table, const Query& query,
                                               BodyFormat format = BodyFormat::kJson) const;
  // The exact count of the rows a read's filters match, ignoring limit and
  // offset: [count].
  [[nodiscard]] Result<CompiledStatement> count(const Table& table, const Query& query) const;

  [[nodiscard]] Result<CompiledStatement> insert(const Table& table, const Query& query,
                                                 const InsertInput& input,
                                                 const WriteShape& shape) const;
  [[nodiscard]] Result<CompiledStatement> update(const Table& table, const Query& query,
                                                 const UpdateInput& input,
                                                 const WriteShape& shape) const;
  [[nodiscard]] Result<CompiledStatement> remove(const Table& table, const Query& query,
                                                 const WriteShape& shape) const;

  // rpc: [body, rows]. A scalar function's body is its bare JSON value; a
  // set-returning one's is an array shaped by the query's select, filters,
  // order and limit like a table, with a third column: the count of all rows
  // the filters match; a void function's body is empty.
  [[nodiscard]] Result<CompiledStatement> call(const CallInput& input, const Query& query,
                                               const WriteShape& shape,
                                               BodyFormat format = BodyFormat::kJson) const;

 private:
  const SchemaCache& cache_;
};

// Picks the overload of `name` whose argument names cover `given` and whose
// required arguments are all given. kNotFound with reason PGRST202 when none.
[[nodiscard]] Result<const Function*> match_function(const SchemaCache& cache,
                                                     std::string_view name,
                                                     const std::vector<std::string>& given);

// Double-quotes an identifier ("a""b"). Only for names from the cache.
std::string quote_ident(std::string_view name);

}  // namespace cscx::rest
