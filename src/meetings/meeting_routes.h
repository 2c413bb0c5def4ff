// /api/meetings (scheduling and calendar files) and /api/insights (issue 8).
// Both run as the caller, so RLS decides what anyone sees: another CSM's
// customer or meeting is a 404. docs/workspace-api.md documents them.
#pragma once

#include "api/route_support.h"
#include "http/router.h"

namespace cscx::meetings {

// Adds POST /api/meetings/schedule, GET /api/meetings/:id.ics and
// GET /api/insights. The .ics route is the template "/api/meetings/:file"
// and answers 404 unless the segment is "<uuid>.ics"; a later
// GET /api/meetings/:id must share that handler. `pool`, `secret` and
// `metrics` must outlive the router.
void add_meeting_routes(http::Router& router, const api::RouteContext& context);

}  // namespace cscx::meetings
