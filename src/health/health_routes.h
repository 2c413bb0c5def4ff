// /api routes of health scoring (issue 7): a customer's explained score,
// the caller's portfolio, refresh, the scorecard, overrides and tasks.
//
// The scoring itself lives in PostgreSQL (migrations/006_health.sql, schema
// cscx_health): these routes authenticate, validate input into typed values
// and run one statement as the caller, whose RLS decides what is visible (a
// customer of another CSM is a 404). docs/health.md describes the API.
#pragma once

#include "api/route_support.h"
#include "http/router.h"

namespace cscx::health {

// Registers every route below. `context` members must outlive the router.
//   GET    /api/customers/:id/health           score, measures, trend, risks, changes
//   POST   /api/customers/:id/health/override  {score, reason, expires_at}
//   DELETE /api/customers/:id/health/override
//   GET    /api/health/portfolio               bands, movers, low completeness
//   POST   /api/health/refresh                 service_role: recompute everyone
//   GET    /api/scorecard                      the scorecard in force and all versions
//   PUT    /api/scorecard                      service_role: append a version
//   GET    /api/tasks                          ?mine&customer=&status=&due=
//   PATCH  /api/tasks/:id                      {status, note, due_date, title, owner}
void add_health_api_routes(http::Router& router, const api::RouteContext& context);

namespace internal {
// Registers the /api/tasks routes (task_routes.cpp).
void add_task_routes(http::Router& router, const api::RouteContext& context);
}  // namespace internal

}  // namespace cscx::health
