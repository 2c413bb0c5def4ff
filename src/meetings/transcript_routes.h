// POST /api/meetings/:id/transcript: a meeting's transcript in, its stored
// transcript row, the analysis and the generated insights rows out
// (issue 6). The thin HTTP adapter over transcript_store.h.
//
// Request: JSON {"content": "...", "meeting_date"?: "YYYY-MM-DD"} with
// Content-Type application/json, or the transcript itself as the body with
// Content-Type text/plain, text/vtt or application/x-subrip (or none), the
// meeting date then in the query (?meeting_date=YYYY-MM-DD).
//
// Statuses: 200 with the body of post_transcript(); 400 for a malformed id,
// body, content type or date, or an empty transcript; 401 for refused
// credentials and for the anon role (a write needs a signed-in user or the
// service role); 404 when the meeting does not exist or is not the caller's;
// 413 past the analyser's size limits. docs/meetings.md has examples.
#pragma once

#include "api/route_support.h"
#include "http/router.h"

namespace cscx::meetings {

// Adds POST /api/meetings/* (route name "/api/meetings/:id/transcript"); other
// paths below /api/meetings/ answer 404. `pool`, `secret` and `metrics` must
// outlive the router.
void add_transcript_routes(http::Router& router, const api::RouteContext& context);

}  // namespace cscx::meetings
