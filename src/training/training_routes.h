// /api/training: the module catalogue, learners' progress, and a customer's
// adoption summary (issue 8). Modules are shared reference data every signed-in
// user reads; progress and adoption belong to a customer, so RLS decides and
// another CSM's customer is a 404. The adoption score is the same number
// update_health_score() takes as its adoption part, so what this shows is
// what feeds health. docs/workspace-api.md documents the routes.
#pragma once

#include "api/route_support.h"
#include "http/router.h"

namespace cscx::training {

// Adds GET /api/training/modules, POST /api/training/progress and
// GET /api/customers/:id/adoption. `pool`, `secret` and `metrics` must
// outlive the router.
void add_training_routes(http::Router& router, const api::RouteContext& context);

}  // namespace cscx::training
