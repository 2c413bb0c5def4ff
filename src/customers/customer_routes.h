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

}  // namespace cscx::customers
