#include "http/wire_internal.h"

#include <algorithm>
#include <array>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/status.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <limits>

#include "core/text.h"

namespace cscx::http::internal {
namespace {

// A field value may hold visible characters, spaces and tabs (RFC 9110
// 5.5); a line break would end the header early, other controls make
// strict peers refuse the response.
bool is_valid_value(std::string_view value) {
  return std::none_of(value.begin(), value.end(), [](unsigned char c) {
    return (c < 0x20 && c != '\t') || c == 0x7f;
  });
}

// A field name is an RFC 9110 token.
bool is_token(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) ||
           std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) !=
               std::string_view::npos;
  });
}

// Headers the server owns: framing and the request id. A handler's copy of
// them would corrupt the stream or contradict ours.
bool is_reserved_header(std::string_view name) {
  namespace beast = boost::beast;
  return beast::iequals(name, "content-length") ||
         beast::iequals(name, "transfer-encoding") ||
         beast::iequals(name, "connection") || beast::iequals(name, "x-request-id");
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  // Trimmed as Beast stores a value.
  out.append(name).append(": ").append(core::trim_blanks(value)).append("\r\n");
}

}  // namespace

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

ResponseHead append_response_head(std::string& out, unsigned version, const Response& response,
                                  std::string_view request_id, bool head_request,
                                  bool keep_alive) {
  namespace bhttp = boost::beast::http;
  ResponseHead head;
  const unsigned status = response.status;
  const bool body_allowed = status >= 200 && status != 204 && status != 304;
  const auto drop = [&head](std::string_view what) {
    if (!head.dropped.empty()) head.dropped += "; ";
    head.dropped += what;
  };
  const bool valid_type = is_valid_value(response.content_type);
  const bool own_type = body_allowed && !response.content_type.empty() && valid_type;
  if (body_allowed && !valid_type) drop("dropped invalid content type");

  std::array<char, 24> digits{};
  out.append("HTTP/");
  out.push_back(static_cast<char>('0' + version / 10));
  out.push_back('.');
  out.push_back(static_cast<char>('0' + version % 10));
  out.push_back(' ');
  out.append(digits.data(),
             std::to_chars(digits.data(), digits.data() + digits.size(), status).ptr);
  out.push_back(' ');
  const auto reason = bhttp::obsolete_reason(bhttp::int_to_status(status));
  out.append(reason.data(), reason.size()).append("\r\n");

  for (const auto& [name, value] : response.headers) {
    if (!is_token(name) || !is_valid_value(value)) {
      drop("dropped invalid header");
      continue;
    }
    if (is_reserved_header(name)) continue;
    if (own_type && boost::beast::iequals(name, "content-type")) continue;  // ours replaces it
    append_field(out, name, value);
  }
  append_field(out, "X-Request-Id", request_id);
  if (body_allowed) {
    if (own_type) append_field(out, "Content-Type", response.content_type);
    // For HEAD, the length of the body a GET would get, and no body.
    const auto length =
        std::to_chars(digits.data(), digits.data() + digits.size(), response.body.size()).ptr;
    append_field(out, "Content-Length", std::string_view(digits.data(), length - digits.data()));
    head.send_body = !head_request;
  }
  if (version >= 11 && !keep_alive) append_field(out, "Connection", "close");
  if (version < 11 && keep_alive) append_field(out, "Connection", "keep-alive");
  out.append("\r\n");
  return head;
}

}  // namespace cscx::http::internal
