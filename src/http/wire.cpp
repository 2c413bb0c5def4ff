#include "http/wire_internal.h"

#include <algorithm>
#include <boost/url/parse.hpp>
#include <cctype>
#include <cstdint>
#include <limits>

namespace cscx::http::internal {

void apply_limits(RequestParser& parser, const ServerOptions& options) {
  parser.header_limit(static_cast<std::uint32_t>(
      std::min<size_t>(options.header_limit, std::numeric_limits<std::uint32_t>::max())));
  parser.body_limit(options.body_limit);
}

Request make_request(BeastRequest& message, std::string remote, bool& target_ok) {
  Request request;
  request.method = std::string(message.method_string());
  request.target = std::string(message.target());
  request.headers.reserve(std::distance(message.begin(), message.end()));
  for (const auto& field : message) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    request.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  request.body = std::move(message.body());
  request.remote_address = std::move(remote);
  request.request_id = choose_request_id(request.header("x-request-id"));
  auto url = boost::urls::parse_origin_form(request.target);
  target_ok = url.has_value();
  if (target_ok) {
    request.path = url->path();
    if (url->has_query()) request.query = std::string(url->encoded_query());
  }
  return request;
}

}  // namespace cscx::http::internal
