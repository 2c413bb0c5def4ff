#include "contracts/contract_store.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <climits>
#include <set>
#include <span>
#include <utility>
#include <vector>

namespace cscx::contracts {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// The statements of a commit run in one pipeline, so a later one cannot take
// an earlier one's result as a parameter. The customer's and the contract's
// ids are handed on in transaction-local settings instead (set_config(...,
// true) ends with the transaction); each statement sees the rows the earlier
// ones wrote.

// Serialises commits naming the same company (any caller), so two of them
// cannot both miss the customer and insert it twice: under READ COMMITTED the
// next statement, run after the lock is granted, sees the winner's row.
// 6 is this area's advisory-lock class.
constexpr const char* kLockCompany =
    "SELECT pg_advisory_xact_lock(6, hashtext(lower($1::text)))";

// Finds the caller's customer by name (RLS: a CSM sees only their own) or
// inserts one owned by the caller; sets arr when the contract states one.
// $1 company_name, $2 arr (NULL when unknown), $3 csm_id (NULL: the caller).
constexpr const char* kUpsertCustomer =
    "WITH found AS ("
    "  SELECT c.id FROM public.customers c"
    "   WHERE lower(c.name) = lower($1::text)"
    "     AND ($3::uuid IS NULL OR c.csm_id = $3::uuid)"
    "   ORDER BY c.created_at, c.id LIMIT 1),"
    " created AS ("
    "  INSERT INTO public.customers (name, arr, csm_id)"
    "  SELECT $1::text, $2::numeric, coalesce($3::uuid, auth.uid())"
    "   WHERE NOT EXISTS (SELECT 1 FROM found)"
    "  RETURNING id),"
    " updated AS ("
    "  UPDATE public.customers c SET arr = $2::numeric FROM found"
    "   WHERE c.id = found.id AND $2::numeric IS NOT NULL"
    "     AND c.arr IS DISTINCT FROM $2::numeric"
    "  RETURNING c.id)"
    " SELECT set_config('cscx.contract_customer_id', x.id::text, true),"
    "        (SELECT count(*) FROM updated)"
    "   FROM (SELECT id FROM created UNION ALL SELECT id FROM found) x";

// $1 file_name, $2 raw_text, $3 company_name, $4 arr, $5 contract_term,
// $6 start_date, $7 end_date, $8 parsed_data, $9 pricing_terms,
// $10 technical_requirements.
constexpr const char* kInsertContract =
    "WITH inserted AS ("
    "  INSERT INTO public.contracts (customer_id, file_name, raw_text, company_name, arr,"
    "                                contract_term, start_date, end_date, status,"
    "                                parsed_data, pricing_terms, technical_requirements)"
    "  VALUES (current_setting('cscx.contract_customer_id')::uuid, $1::text, $2::text,"
    "          $3::text, $4::numeric, $5::text, $6::date, $7::date,"
    "          CASE WHEN $7::date < current_date THEN 'expired' ELSE 'active' END,"
    "          $8::jsonb, $9::jsonb, $10::jsonb)"
    "  RETURNING id)"
    " SELECT set_config('cscx.contract_id', inserted.id::text, true) FROM inserted";

// $1: [{name, quantity, unit, position}] (see entitlement_rows()).
constexpr const char* kInsertEntitlements =
    "INSERT INTO public.entitlements (contract_id, name, quantity, unit, metadata)"
    " SELECT current_setting('cscx.contract_id')::uuid, r.name, r.quantity, r.unit,"
    "        jsonb_build_object('position', r.position, 'source', 'contract')"
    "   FROM json_to_recordset($1::json)"
    "        AS r(name text, quantity integer, unit text, position integer)"
    "  ORDER BY r.position";

// $1: [{name, title, email, phone, position}], already free of duplicates
// among themselves (stakeholder_rows()); those the customer has (same email
// or name, case-insensitive) are skipped.
constexpr const char* kInsertStakeholders =
    "INSERT INTO public.stakeholders (customer_id, name, role, email, phone, metadata)"
    " SELECT current_setting('cscx.contract_customer_id')::uuid, r.name, r.title,"
    "        r.email, r.phone,"
    "        jsonb_build_object('source', 'contract',"
    "                           'contract_id', current_setting('cscx.contract_id'))"
    "   FROM json_to_recordset($1::json)"
    "        AS r(name text, title text, email text, phone text, position integer)"
    "  WHERE NOT EXISTS ("
    "    SELECT 1 FROM public.stakeholders s"
    "     WHERE s.customer_id = current_setting('cscx.contract_customer_id')::uuid"
    "       AND (lower(s.email) = lower(r.email) OR lower(s.name) = lower(r.name)))"
    "  ORDER BY r.position";

// The response body. $1 the extraction (to_json), $2 the stakeholder rows.
// raw_text and parsed_data are left out of the contract: the caller has both.
constexpr const char* kCommitResponse =
    "WITH ids AS ("
    "  SELECT current_setting('cscx.contract_customer_id')::uuid AS customer_id,"
    "         current_setting('cscx.contract_id')::uuid AS contract_id)"
    " SELECT json_build_object("
    "  'extraction', $1::json,"
    "  'customer', (SELECT to_json(c) FROM ("
    "     SELECT c.id, c.name, c.arr, c.industry, c.stage, c.health_score, c.csm_id,"
    "            c.created_at, c.updated_at"
    "       FROM public.customers c, ids WHERE c.id = ids.customer_id) c),"
    "  'contract', (SELECT to_json(k) FROM ("
    "     SELECT k.id, k.customer_id, k.file_name, k.company_name, k.arr, k.contract_term,"
    "            k.start_date, k.end_date, k.status, k.pricing_terms,"
    "            k.technical_requirements, k.created_at"
    "       FROM public.contracts k, ids WHERE k.id = ids.contract_id) k),"
    "  'entitlements', (SELECT coalesce(json_agg(e ORDER BY e.position), '[]') FROM ("
    "     SELECT e.id, e.contract_id, e.name, e.quantity, e.unit, e.created_at,"
    "            (e.metadata->>'position')::int AS position"
    "       FROM public.entitlements e, ids WHERE e.contract_id = ids.contract_id) e),"
    "  'stakeholders', (SELECT coalesce(json_agg(s ORDER BY s.created_at, s.id), '[]') FROM ("
    "     SELECT s.id, s.customer_id, s.name, s.role, s.email, s.phone, s.is_primary,"
    "            s.created_at"
    "       FROM public.stakeholders s, ids"
    "      WHERE s.customer_id = ids.customer_id"
    "        AND EXISTS (SELECT 1 FROM json_to_recordset($2::json) AS r(name text, email text)"
    "                     WHERE lower(s.email) = lower(r.email)"
    "                        OR lower(s.name) = lower(r.name))) s))::text";

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A scalar of the extraction's JSON as a bound parameter: NULL for null,
// the string itself, or the number as to_json() wrote it.
db::Param scalar_param(const json::value& v) {
  if (v.is_null()) return std::nullopt;
  if (v.is_string()) return std::string(v.as_string());
  return json::serialize(v);
}

std::string entitlement_rows(const ContractExtraction& extraction) {
  json::array rows;
  for (const Entitlement& e : extraction.entitlements) {
    json::object row{{"name", e.name}, {"position", rows.size()}};
    // entitlements.quantity is an integer column; a larger count is kept
    // only in parsed_data rather than failing the commit.
    if (e.quantity && *e.quantity >= INT_MIN && *e.quantity <= INT_MAX) {
      row["quantity"] = *e.quantity;
    }
    if (e.unit) row["unit"] = *e.unit;
    rows.push_back(std::move(row));
  }
  return json::serialize(rows);
}

// The extraction's stakeholders, each once: a later one with an email or
// name seen before (case-insensitive) is dropped.
std::string stakeholder_rows(const ContractExtraction& extraction) {
  json::array rows;
  std::set<std::string> seen;
  for (const Stakeholder& s : extraction.stakeholders) {
    const std::string name = lower_ascii(s.name);
    const std::string email = s.email ? lower_ascii(*s.email) : std::string();
    if (seen.contains("n:" + name) || (!email.empty() && seen.contains("e:" + email))) {
      continue;
    }
    seen.insert("n:" + name);
    if (!email.empty()) seen.insert("e:" + email);
    json::object row{{"name", s.name}, {"position", rows.size()}};
    if (s.title) row["title"] = *s.title;
    if (s.email) row["email"] = *s.email;
    if (s.phone) row["phone"] = *s.phone;
    rows.push_back(std::move(row));
  }
  return json::serialize(rows);
}

std::vector<db::Statement> commit_statements(const ContractExtraction& extraction,
                                             const CommitOptions& options) {
  const json::object out = to_json(extraction);
  const std::string& company = *extraction.company_name;
  const db::Param arr = scalar_param(out.at("arr"));
  const json::object& term = out.at("contract_term").as_object();
  db::Param contract_term;
  if (extraction.contract_term.months) {
    const int months = *extraction.contract_term.months;
    contract_term = std::to_string(months) + (months == 1 ? " month" : " months");
  }
  const std::string stakeholders = stakeholder_rows(extraction);

  std::vector<db::Statement> s;
  s.push_back(db::Statement{"contract_lock_company", kLockCompany, {company}});
  s.push_back(db::Statement{
      "contract_upsert_customer", kUpsertCustomer, {company, arr, options.csm_id}});
  s.push_back(db::Statement{"contract_insert",
                            kInsertContract,
                            {options.file_name, extraction.text, company, arr,
                             contract_term, scalar_param(term.at("start_date")),
                             scalar_param(term.at("end_date")), json::serialize(out),
                             json::serialize(out.at("pricing_terms")),
                             json::serialize(out.at("technical_requirements"))}});
  s.push_back(db::Statement{
      "contract_insert_entitlements", kInsertEntitlements, {entitlement_rows(extraction)}});
  s.push_back(
      db::Statement{"contract_insert_stakeholders", kInsertStakeholders, {stakeholders}});
  s.push_back(db::Statement{
      "contract_commit_response", kCommitResponse, {json::serialize(out), stakeholders}});
  return s;
}

bool is_blank(const std::optional<std::string>& s) {
  return !s || s->find_first_not_of(" \t\r\n") == std::string::npos;
}

}  // namespace

// Statements are built by the plain functions above and kept in a named
// local: GCC 12 mishandles braced temporaries inside co_await expressions
// (see src/auth/auth_service.cpp).
asio::awaitable<Result<std::string>> commit_contract(db::Pool& pool,
                                                     const db::RequestIdentity& who,
                                                     const ContractExtraction& extraction,
                                                     const CommitOptions& options) {
  if (is_blank(extraction.company_name)) {
    co_return make_error(Code::kInvalidArgument,
                         "the contract names no customer (company_name is null), so "
                         "there is nothing to commit it to; nothing was written");
  }
  const std::vector<db::Statement> writes = commit_statements(extraction, options);
  auto results = co_await pool.run_in_transaction(who, std::span(writes));
  if (!results) co_return results.error();
  co_return std::string((*results).back().value(0, 0));
}

}  // namespace cscx::contracts
