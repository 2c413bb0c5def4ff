// CORS for browser clients (supabase-js in a browser, the web app), after
// spec/supabase-compat.md section 1.
//
// An allowed Origin ("*" in the list allows any) gets
// Access-Control-Allow-Origin set to that origin, `Vary: Origin`, and the
// exposed headers supabase-js reads. A preflight (OPTIONS with Origin and
// Access-Control-Request-Method) is answered 204 before routing. A disallowed
// origin gets no CORS headers at all, so the browser blocks the response.
// Immutable after construction; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/request.h"

namespace cscx::http {

inline constexpr std::string_view kCorsAllowMethods =
    "GET, POST, PUT, PATCH, DELETE, OPTIONS";
inline constexpr std::string_view kCorsAllowHeaders =
    "authorization, apikey, content-type, prefer, range, accept-profile, "
    "content-profile, x-client-info, x-supabase-api-version, x-request-id";
inline constexpr std::string_view kCorsExposeHeaders =
    "Content-Range, X-Supabase-Api-Version, X-Request-Id, X-Next-Cursor";
inline constexpr std::string_view kCorsMaxAge = "86400";

class CorsPolicy {
 public:
  // Origins are compared exactly ("https://app.example.com", no trailing
  // slash); "*" allows every origin.
  explicit CorsPolicy(std::vector<std::string> allowed_origins);

  bool allows(std::string_view origin) const;

  // OPTIONS with both Origin and Access-Control-Request-Method.
  static bool is_preflight(const Request& request);

  // The 204 answer to a preflight: with the CORS headers when the origin is
  // allowed, bare otherwise.
  Response preflight(const Request& request) const;

  // Adds the CORS headers of a simple (non-preflight) response when the
  // request has an allowed Origin.
  void add_headers(const Request& request, Response& response) const;

 private:
  bool allow_any_ = false;
  std::vector<std::string> allowed_origins_;
};

}  // namespace cscx::http
