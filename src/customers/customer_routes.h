// /api/customers: the caller's book of customers (issue 8). The list with
// filters, sorts and keyset pages; create, change, soft and hard delete; one
// customer with stakeholders, active contract and entitlement usage; and its
// timeline. Everything runs as the caller, so RLS decides: another CSM's
// customer is a 404 on every verb. docs/workspace-api.md documents each.
#pragma once

#include "api/route_support.h"
#include "http/router.h"

namespace cscx::customers {

// Adds GET/POST /api/customers, GET/PATCH/DELETE /api/customers/:id and
// GET /api/customers/:id/timeline. `pool`, `secret` and `metrics` must
// outlive the router.
void add_customer_routes(http::Router& router, const api::RouteContext& context);

// The statement PATCH /api/customers/:id runs for {"stage": stage}, for an
// approved agent proposal (src/agents) to change a stage exactly as the
// route does. kInvalidArgument for an unknown stage; `self` is the caller's
// user id ("" for service_role). Its row: the customer as JSON, none when
// the customer is not visible.
[[nodiscard]] Result<db::Statement> stage_change_statement(const std::string& customer_id,
                                                           const std::string& stage,
                                                           std::string_view self);

}  // namespace cscx::customers
