// The read-side SQL of /rest/v1 (select lists, embedding, filters, order),
// shared by sql_compiler.cpp (reads) and sql_writes.cpp (writes and rpc,
// whose results are shaped by the same select).
#pragma once

#include <set>
#include <string>
#include <vector>

#include "rest/sql_compiler.h"

namespace cscx::rest::internal {

// Where rows come from: a table or view, or a function call.
struct Source {
  std::string from;                            // public."t", public."f"($1)
  const std::vector<Column>* columns = nullptr;
  std::string name;  // table/view name, for relationships and messages
};

Source table_source(const Table& table);

// The aggregate that turns rows `_r` into the body text in `format`.
std::string body_aggregate(BodyFormat format);

class Builder {
 public:
  Builder(const SchemaCache& cache, const Query& query) : cache_(cache), query_(query) {}

  // Binds a value; returns "$n".
  std::string bind(db::Param value);
  std::vector<db::Param> take_params() { return std::move(params_); }

  // `SELECT <list> FROM <from> AS t0 WHERE ... ORDER BY ... LIMIT ... OFFSET`,
  // the root level of a read (path ""). With `paged` false, no limit/offset.
  Result<std::string> root_select(const Source& source, bool paged);
  // `SELECT 1 FROM <from> AS t0 WHERE ...` for counts.
  Result<std::string> root_count(const Source& source);
  // The select list of the root over alias t0 (used over a write's rows).
  Result<std::string> select_list(const Source& source, const std::string& alias);
  // The root WHERE clause ("" when none) over alias t0.
  Result<std::string> root_where(const Source& source);
  // Fails with PGRST108 when the query filters, orders or limits an embedded
  // resource that the select does not embed.
  Result<void> check_all_paths_used() const;

 private:
  Result<std::string> select_list_at(const Source& source, const std::string& alias,
                                     const SelectList& list, const std::string& path,
                                     size_t depth);
  Result<std::string> embed(const Source& parent, const std::string& parent_alias,
                            const SelectItem& item, const std::string& path, size_t depth,
                            bool for_exists);
  Result<std::string> where_at(const Source& source, const std::string& alias,
                               const SelectList& list, const std::string& path, size_t depth);
  Result<std::string> order_at(const Source& source, const std::string& alias,
                               const std::string& path);
  Result<std::string> condition(const Source& source, const std::string& alias,
                                const Condition& cond);
  Result<std::string> filter(const Source& source, const std::string& alias,
                             const Filter& f);
  Result<std::string> field(const Source& source, const std::string& alias, const Field& f,
                            const Column** column_out = nullptr);
  Result<Relationship> relationship(const Source& parent, const SelectItem& item) const;
  std::string join_condition(const Relationship& rel, const std::string& parent_alias,
                             const std::string& child_alias) const;
  const SelectList& list_or_star(const SelectList& list) const;
  std::string next_alias(char prefix);

  const SchemaCache& cache_;
  const Query& query_;
  std::vector<db::Param> params_;
  int aliases_ = 0;
  std::set<std::string> used_paths_{""};
  SelectList star_{SelectItem{SelectItem::Kind::kStar}};
};

}  // namespace cscx::rest::internal
