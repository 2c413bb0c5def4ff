// /api/customers: the caller's book of customers. (The full workspace API
// with filters, keyset pagination and writes is a later issue; this is the
// list every CSM screen starts from, run through RLS as the caller.)
#pragma once

#include "api/route_support.h"
#include "http/router.h"

namespace cscx::customers {

// `pool`, `secret` and `metrics` must outlive the router.
void add_customer_routes(http::Router& router, const api::RouteContext& context);

}  // namespace cscx::customers
