// GET /api/customers and GET /api/customers/:id/timeline: filters, sorts and
// keyset pages, as fixed SQL with bound parameters.
#include <array>
#include <charconv>

#include "api/list_query.h"
#include "customers/customer_internal.h"

namespace cscx::customers::internal {
namespace {

using api::invalid;

// The benchmark statement of issue 4, served by customers(csm_id, name):
// no filter, the first page by name, its cursor when more rows follow.
// Kept apart from the filtered form: every `$n IS NULL OR` of that one costs
// the planner, and this form is the one every CSM screen opens with.
// bench/http.sh reads this constant by name for its pgbench baseline.
constexpr const char* kListCustomers =
    "WITH page AS ("
    "  SELECT c.id, c.name, c.arr, c.industry, c.stage, c.health_score, c.csm_id,"
    "         c.updated_at, row_number() OVER (ORDER BY c.name, c.id) AS n"
    "  FROM public.customers c ORDER BY c.name, c.id LIMIT 21)"
    " SELECT coalesce(json_agg(json_build_object("
    "   'id', id, 'name', name, 'arr', arr, 'industry', industry, 'stage', stage,"
    "   'health_score', health_score, 'csm_id', csm_id, 'updated_at', updated_at)"
    "   ORDER BY n) FILTER (WHERE n <= 20), '[]')::text,"
    " max(name) FILTER (WHERE n = 20 AND (SELECT count(*) FROM page) > 20),"
    " max(id::text) FILTER (WHERE n = 20 AND (SELECT count(*) FROM page) > 20)"
    " FROM page";

// One sort of the list: the key expression (never NULL, so rows compare as
// rows), its SQL type for the cursor's key, and the direction.
struct Sort {
  std::string_view name;
  std::string_view key;
  std::string_view type;
  bool descending;
};

// Fixed directions: by name A-Z, by ARR largest first, by health score
// lowest (riskiest) first, by renewal soonest first. Missing values last.
constexpr std::array<Sort, 4> kSorts{{
    {"name", "c.name", "text", false},
    {"arr", "coalesce(c.arr, '-Infinity'::numeric)", "numeric", true},
    {"health_score", "coalesce(c.health_score, 2147483647)", "integer", false},
    {"renewal", "coalesce(r.end_date, 'infinity'::date)", "date", false},
}};

// $1 stage, $2 industry, $3 name pattern, $4/$5 health range [lo, hi),
// $6 renewal window in days, $7/$8 cursor key and id, $9 limit.
std::string filtered_sql(const Sort& sort) {
  const std::string key(sort.key);
  const std::string dir = sort.descending ? " DESC" : "";
  const std::string after = sort.descending ? "<" : ">";
  return "WITH page AS ("
         "  SELECT json_build_object('id', c.id, 'name', c.name, 'arr', c.arr,"
         "    'industry', c.industry, 'stage', c.stage, 'health_score', c.health_score,"
         "    'csm_id', c.csm_id, 'updated_at', c.updated_at, 'renewal_date', r.end_date,"
         "    'days_to_renewal', r.end_date - current_date) AS j,"
         "    (" + key + ")::text AS k, c.id,"
         "    row_number() OVER (ORDER BY " + key + dir + ", c.id" + dir + ") AS n"
         "  FROM public.customers c"
         "  LEFT JOIN LATERAL (SELECT k.end_date FROM public.contracts k"
         "    WHERE k.customer_id = c.id AND k.status = 'active'"
         "    ORDER BY k.end_date DESC NULLS LAST, k.id LIMIT 1) r ON true"
         "  WHERE ($1::text IS NULL OR c.stage = $1)"
         "    AND ($2::text IS NULL OR lower(c.industry) = lower($2))"
         "    AND ($3::text IS NULL OR c.name ILIKE $3)"
         "    AND ($4::integer IS NULL OR c.health_score >= $4)"
         "    AND ($5::integer IS NULL OR c.health_score < $5)"
         "    AND ($6::integer IS NULL OR"
         "         r.end_date BETWEEN current_date AND current_date + $6::integer)"
         "    AND ($7::text IS NULL OR (" + key + ", c.id) " + after + " ($7::" +
         std::string(sort.type) + ", $8::uuid))"
         "  ORDER BY " + key + dir + ", c.id" + dir + " LIMIT $9::integer + 1)"
         " SELECT coalesce(json_agg(j ORDER BY n) FILTER (WHERE n <= $9::integer), '[]')::text,"
         " max(k) FILTER (WHERE n = $9::integer AND (SELECT count(*) FROM page) > $9::integer),"
         " max(id::text) FILTER (WHERE n = $9::integer AND"
         "   (SELECT count(*) FROM page) > $9::integer)"
         " FROM page";
}

const std::string& sql_for(std::size_t sort) {
  static const std::array<std::string, kSorts.size()> kSql{
      filtered_sql(kSorts[0]), filtered_sql(kSorts[1]), filtered_sql(kSorts[2]),
      filtered_sql(kSorts[3])};
  return kSql[sort];
}

constexpr std::array<std::string_view, 4> kStatementNames{
    "list_customers_by_name", "list_customers_by_arr", "list_customers_by_health",
    "list_customers_by_renewal"};

// ILIKE pattern for "name contains `text`": its own % _ \ match literally.
std::string contains_pattern(std::string_view text) {
  std::string out = "%";
  for (char c : text) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}

Result<int> non_negative(std::string_view name, const std::string& text, int max) {
  int n = -1;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, n);
  if (ec != std::errc() || ptr != end || n < 0 || n > max) {
    return invalid(std::string(name) + " must be an integer from 0 to " + std::to_string(max));
  }
  return n;
}

// A health band as the score range [low, high) it stands for:
// red < 40 <= yellow < 70 <= green.
struct Band {
  std::string_view name;
  db::Param low;
  db::Param high;
};

Result<Band> band_range(const std::string& band) {
  static const std::array<Band, 3> kBands{{{"red", std::nullopt, "40"},
                                           {"yellow", "40", "70"},
                                           {"green", "70", std::nullopt}}};
  for (const Band& b : kBands) {
    if (b.name == band) return b;
  }
  return invalid("band must be red, yellow or green");
}

Result<std::size_t> sort_index(std::string_view query) {
  const std::string sort = api::query_value(query, "sort").value_or("name");
  for (std::size_t i = 0; i < kSorts.size(); ++i) {
    if (kSorts[i].name == sort) return i;
  }
  return invalid("sort must be name, arr, health_score or renewal");
}

}  // namespace

Result<db::Statement> list_statement(std::string_view query, std::string& scope) {
  if (query.empty()) {
    scope = "customers:name";
    return db::Statement{"list_customers", kListCustomers, {}};
  }
  auto known = api::only_params(
      query, {"stage", "industry", "band", "renewal_within", "q", "sort", "cursor", "limit"});
  if (!known) return known.error();
  auto sort = sort_index(query);
  if (!sort) return sort.error();
  scope = "customers:" + std::string(kSorts[*sort].name);
  auto limit = api::limit_param(query);
  if (!limit) return limit.error();
  auto cursor = api::cursor_param(query, scope);
  if (!cursor) return cursor.error();

  std::vector<db::Param> params(9);
  params[0] = api::query_value(query, "stage");
  params[1] = api::query_value(query, "industry");
  if (auto q = api::query_value(query, "q")) params[2] = contains_pattern(*q);
  if (auto band = api::query_value(query, "band")) {
    auto range = band_range(*band);
    if (!range) return range.error();
    params[3] = range->low;
    params[4] = range->high;
  }
  if (auto days = api::query_value(query, "renewal_within")) {
    auto n = non_negative("renewal_within", *days, 3650);
    if (!n) return n.error();
    params[5] = std::to_string(*n);
  }
  if (*cursor) {
    params[6] = (*cursor)->key;
    params[7] = (*cursor)->id;
  }
  params[8] = std::to_string(*limit);
  return db::Statement{kStatementNames[*sort], sql_for(*sort), std::move(params)};
}

}  // namespace cscx::customers::internal
