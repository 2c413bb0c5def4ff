#include "http/cors.h"

#include <algorithm>

namespace cscx::http {

CorsPolicy::CorsPolicy(std::vector<std::string> allowed_origins)
    : allowed_origins_(std::move(allowed_origins)) {
  allow_any_ = std::find(allowed_origins_.begin(), allowed_origins_.end(), "*") !=
               allowed_origins_.end();
}

bool CorsPolicy::allows(std::string_view origin) const {
  if (origin.empty()) return false;
  if (allow_any_) return true;
  return std::find(allowed_origins_.begin(), allowed_origins_.end(), origin) !=
         allowed_origins_.end();
}

bool CorsPolicy::is_preflight(const Request& request) {
  return request.method == "OPTIONS" && request.header("origin") &&
         request.header("access-control-request-method");
}

Response CorsPolicy::preflight(const Request& request) const {
  Response response;
  response.status = 204;
  response.content_type.clear();
  auto origin = request.header("origin");
  if (!origin || !allows(*origin)) return response;
  // The origin is echoed even when "*" is configured: a wildcard would be
  // refused by browsers for requests with credentials, and echoing costs
  // nothing but the Vary header.
  response.headers.emplace_back("Access-Control-Allow-Origin", std::string(*origin));
  response.headers.emplace_back("Vary", "Origin");
  response.headers.emplace_back("Access-Control-Allow-Methods", kCorsAllowMethods);
  response.headers.emplace_back("Access-Control-Allow-Headers", kCorsAllowHeaders);
  response.headers.emplace_back("Access-Control-Max-Age", kCorsMaxAge);
  return response;
}

void CorsPolicy::add_headers(const Request& request, Response& response) const {
  auto origin = request.header("origin");
  if (!origin || !allows(*origin)) return;
  response.headers.emplace_back("Access-Control-Allow-Origin", std::string(*origin));
  response.headers.emplace_back("Vary", "Origin");
  response.headers.emplace_back("Access-Control-Expose-Headers", kCorsExposeHeaders);
}

}  // namespace cscx::http
