// POST, PATCH, DELETE and GET of one customer: input checks and statements.
// A checked body is bound as one jsonb parameter; the SQL reads each field
// from it, so the statement is fixed and every value stays a parameter.
#include <boost/json/serialize.hpp>
#include <array>

#include "api/route_support.h"
#include "customers/customer_internal.h"
#include "customers/customer_routes.h"

namespace cscx::customers::internal {
namespace {

namespace json = boost::json;
using api::invalid;

// The stages a customer moves through; `churned` is also what a soft delete
// sets. The column itself is free text (the seed's), so lists filter by any.
constexpr std::array<std::string_view, 7> kStages{
    "prospect", "trial", "onboarding", "active", "at_risk", "renewal", "churned"};

constexpr const char* kFields =
    "name, arr, industry, stage, csm_id, salesforce_id, hubspot_id, metadata";

Result<void> check_text(std::string_view field, const json::value& v, bool nullable,
                        std::size_t max) {
  if (v.is_null() && nullable) return ok();
  if (!v.is_string()) {
    return invalid(std::string(field) + (nullable ? " must be a string or null"
                                                  : " must be a string"));
  }
  const json::string& s = v.as_string();
  if (s.size() > max) {
    return invalid(std::string(field) + " is longer than " + std::to_string(max) +
                   " characters");
  }
  if (!nullable && s.find_first_not_of(" \t\r\n") == json::string::npos) {
    return invalid(std::string(field) + " must not be empty");
  }
  return ok();
}

Result<void> check_field(std::string_view key, const json::value& v, std::string_view self) {
  if (key == "name") return check_text(key, v, false, 200);
  if (key == "industry" || key == "salesforce_id" || key == "hubspot_id") {
    return check_text(key, v, true, 100);
  }
  if (key == "arr") {
    if (v.is_null()) return ok();
    if (!v.is_number() || v.to_number<double>() < 0) {
      return invalid("arr must be a number >= 0 or null");
    }
    return ok();
  }
  if (key == "stage") {
    for (std::string_view stage : kStages) {
      if (v.is_string() && v.as_string() == stage) return ok();
    }
    return invalid(
        "stage must be one of prospect, trial, onboarding, active, at_risk, renewal, "
        "churned");
  }
  if (key == "metadata") {
    if (!v.is_object()) return invalid("metadata must be a JSON object");
    return ok();
  }
  if (key == "csm_id") {
    if (!v.is_null() && !(v.is_string() && api::is_uuid(v.as_string()))) {
      return invalid("csm_id must be a uuid or null");
    }
    // A CSM keeps their customers; handing one over is service_role's.
    if (!self.empty() && !(v.is_string() && v.as_string() == self)) {
      return make_error(Code::kPermissionDenied,
                        "only the service_role key may assign a customer to another CSM");
    }
    return ok();
  }
  return invalid("unknown field '" + std::string(key.substr(0, 64)) + "' (expected " +
                 kFields + ")");
}

// The body with every field checked, as the jsonb parameter.
Result<std::string> checked_body(const json::object& body, std::string_view self) {
  for (const auto& [key, value] : body) {
    auto checked = check_field(key, value, self);
    if (!checked) return checked.error();
  }
  return json::serialize(body);
}

// $1 the checked body. A field left out takes the column's default; a CSM's
// customer is theirs (the RLS policy checks it too).
constexpr const char* kCreate =
    "INSERT INTO public.customers"
    " (name, arr, industry, stage, csm_id, salesforce_id, hubspot_id, metadata)"
    " SELECT b->>'name', (b->>'arr')::numeric, b->>'industry', coalesce(b->>'stage', 'prospect'),"
    "  CASE WHEN b ? 'csm_id' THEN (b->>'csm_id')::uuid ELSE auth.uid() END,"
    "  b->>'salesforce_id', b->>'hubspot_id', coalesce(b->'metadata', '{}')"
    " FROM (SELECT $1::jsonb AS b) input"
    " RETURNING to_json(customers.*)::text";

// $1 the id, $2 the checked body: only the fields it names change.
constexpr const char* kUpdate =
    "UPDATE public.customers c SET"
    "  name = CASE WHEN b ? 'name' THEN b->>'name' ELSE c.name END,"
    "  arr = CASE WHEN b ? 'arr' THEN (b->>'arr')::numeric ELSE c.arr END,"
    "  industry = CASE WHEN b ? 'industry' THEN b->>'industry' ELSE c.industry END,"
    "  stage = CASE WHEN b ? 'stage' THEN b->>'stage' ELSE c.stage END,"
    "  csm_id = CASE WHEN b ? 'csm_id' THEN (b->>'csm_id')::uuid ELSE c.csm_id END,"
    "  salesforce_id = CASE WHEN b ? 'salesforce_id' THEN b->>'salesforce_id'"
    "                  ELSE c.salesforce_id END,"
    "  hubspot_id = CASE WHEN b ? 'hubspot_id' THEN b->>'hubspot_id' ELSE c.hubspot_id END,"
    "  metadata = CASE WHEN b ? 'metadata' THEN b->'metadata' ELSE c.metadata END"
    " FROM (SELECT $2::jsonb AS b) input"
    " WHERE c.id = $1"
    " RETURNING to_json(c.*)::text";


constexpr const char* kSoftDelete =
    "UPDATE public.customers SET stage = 'churned' WHERE id = $1"
    " RETURNING json_build_object('id', id, 'stage', stage, 'deleted', 'soft')::text";

// The foreign keys cascade to every customer-scoped row; activity_log's is
// ON DELETE SET NULL, so the audit trail (and the audit rows this delete
// writes, old rows included) stays.
constexpr const char* kHardDelete =
    "DELETE FROM public.customers WHERE id = $1"
    " RETURNING json_build_object('id', id, 'deleted', 'hard')::text";

}  // namespace

// The customer, its stakeholders (primary first), its active contract (the
// active one ending last) with days to renewal and that contract's
// entitlements. Usage: an entitlement's metadata.used when it is a number,
// and used / quantity as utilization.
const char* const kDetailSql =
    "SELECT (to_jsonb(c) || jsonb_build_object("
    "  'stakeholders', coalesce((SELECT jsonb_agg(to_jsonb(s)"
    "      ORDER BY s.is_primary DESC NULLS LAST, s.name, s.id)"
    "    FROM public.stakeholders s WHERE s.customer_id = c.id), '[]'),"
    "  'active_contract', (SELECT (to_jsonb(k) - 'raw_text') || jsonb_build_object("
    "      'days_to_renewal', k.end_date - current_date,"
    "      'entitlements', coalesce((SELECT jsonb_agg(jsonb_build_object("
    "          'id', e.id, 'name', e.name, 'description', e.description,"
    "          'category', e.category, 'unit', e.unit, 'quantity', e.quantity,"
    "          'price', e.price, 'used', u.used,"
    "          'utilization', CASE WHEN e.quantity > 0 THEN round(u.used / e.quantity, 4) END)"
    "          ORDER BY e.name, e.id)"
    "        FROM public.entitlements e"
    "        CROSS JOIN LATERAL (SELECT CASE WHEN jsonb_typeof(e.metadata->'used') = 'number'"
    "          THEN (e.metadata->>'used')::numeric END AS used) u"
    "        WHERE e.contract_id = k.id), '[]'))"
    "    FROM public.contracts k WHERE k.customer_id = c.id AND k.status = 'active'"
    "    ORDER BY k.end_date DESC NULLS LAST, k.id LIMIT 1)))::text"
    " FROM public.customers c WHERE c.id = $1";

Result<db::Statement> create_statement(const json::object& body, std::string_view self) {
  if (!body.contains("name")) return invalid("name is required");
  auto checked = checked_body(body, self);
  if (!checked) return checked.error();
  return db::Statement{"create_customer", kCreate, {std::move(*checked)}};
}

Result<db::Statement> update_statement(const std::string& id, const json::object& body,
                                       std::string_view self) {
  if (body.empty()) return invalid("nothing to change: give at least one of " + std::string(kFields));
  auto checked = checked_body(body, self);
  if (!checked) return checked.error();
  return db::Statement{"update_customer", kUpdate, {id, std::move(*checked)}};
}

db::Statement delete_statement(const std::string& id, bool hard) {
  if (hard) return db::Statement{"hard_delete_customer", kHardDelete, {id}};
  return db::Statement{"soft_delete_customer", kSoftDelete, {id}};
}

}  // namespace cscx::customers::internal

namespace cscx::customers {

Result<db::Statement> stage_change_statement(const std::string& customer_id,
                                             const std::string& stage, std::string_view self) {
  return internal::update_statement(customer_id, boost::json::object{{"stage", stage}}, self);
}

}  // namespace cscx::customers
