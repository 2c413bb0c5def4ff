// /auth/v1: the thin HTTP adapter over AuthService, in GoTrue's wire format
// (spec/supabase-compat.md section 7).
#pragma once

#include <string>

#include "auth/auth_service.h"
#include "http/router.h"

namespace cscx::auth {

// Registers signup, token (password, refresh_token), user (GET, PUT) and
// logout. `service` and `secret` must outlive the router.
void add_auth_routes(http::Router& router, AuthService& service,
                     const std::string& secret);

// GoTrue's HTTP status for an error_code (Error::reason); 0 when the reason
// is not GoTrue's (the Code decides then).
unsigned gotrue_status(std::string_view reason);

// The error body: with X-Supabase-Api-Version 2024-01-01,
// {"code": reason, "message": ...}; without it GoTrue's older
// {"code": status, "error_code": reason, "msg": ...}.
http::Response gotrue_error(const Error& error, bool api_version_2024);

}  // namespace cscx::auth
