// POST /api/contracts/parse: a contract document in, its extraction out, and
// with "commit" the customer, contract, entitlements and stakeholders stored
// as the caller (issue 6). The thin HTTP adapter over contract_parser.h and
// contract_store.h.
//
// Request, one of:
//   - Content-Type application/json: {"text": "..."} or
//     {"content_base64": "..."} (PDF or DOCX bytes), with optional
//     "commit": bool, "file_name": string and "csm_id": uuid (service_role);
//   - the document itself as the body, Content-Type text/plain,
//     application/pdf, the DOCX type or application/octet-stream (the format
//     is detected from the bytes), with ?commit=true and ?file_name=...;
//   - multipart/form-data with one "file" part (its filename becomes
//     file_name) and optional "commit" ("true"/"false") and "file_name"
//     fields.
//
// Statuses: 200 {"extraction": ...} without commit (no SQL runs); 201 with
// the body of commit_contract() with commit; 400 for a malformed body,
// content type or field, an empty or unreadable document, or a commit of a
// contract that names no customer; 401 for refused credentials and for the
// anon role; 413 over 25 MiB (or the server's body limit, or the parser's
// page and unpacked-size limits). docs/contracts.md ("HTTP API") has
// examples.
#pragma once

#include "api/route_support.h"
#include "http/router.h"

namespace cscx::contracts {

// Adds POST /api/contracts/parse. `pool`, `secret` and `metrics` must
// outlive the router.
void add_contract_routes(http::Router& router, const api::RouteContext& context);

}  // namespace cscx::contracts
