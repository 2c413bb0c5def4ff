// libFuzzer target: the HTTP request path. Each input goes two ways:
//  1. in process, synchronously: Beast's parser with the production limits,
//     make_request (target decoding, header copy, request id), routing with
//     templates and CORS; this code is coverage-instrumented, so the fuzzer
//     learns from it;
//  2. raw to a fresh loopback connection of a real in-process Server
//     (http_request_fuzz_server.cpp: the coroutines of connection, dispatch
//     and server, which clang 14 cannot instrument for coverage, run under
//     ASan/UBSan), read to EOF; after every input the server must still
//     answer /health.
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/cors.h"
#include "http/router.h"
#include "http/wire_internal.h"
#include "http_request_fuzz_server.h"

namespace {

using namespace cscx;

// Stage 1: parse `bytes` as the server does and route the request.
void parse_and_route(const char* bytes, size_t size) {
  static const http::ServerOptions options = fuzz::fuzz_server_options();
  const http::Router& router = fuzz::fuzz_router();
  static const http::CorsPolicy cors({"https://app.example.com"});

  http::internal::RequestParser parser;
  http::internal::apply_limits(parser, options);
  boost::system::error_code ec;
  std::string_view rest(bytes, size);
  // Every round consumes bytes or ends the loop: a round that parses
  // nothing (need_more, or a pause with no error) means the input is over.
  while (!parser.is_done()) {
    const size_t used = parser.put(boost::asio::buffer(rest.data(), rest.size()), ec);
    rest.remove_prefix(used);
    if (ec && ec != boost::beast::http::error::need_more) return;
    ec = {};
    if (used == 0) {
      if (!parser.got_some()) return;  // put_eof's precondition
      parser.put_eof(ec);
      break;
    }
  }
  if (ec || !parser.is_done()) return;
  bool target_ok = false;
  http::internal::BeastRequest message = parser.release();
  http::Request request = http::internal::make_request(message, "127.0.0.1", target_ok);
  if (!target_ok) return;
  http::RouteMatch match = router.match(request.method, request.path);
  for (const auto& [name, value] : match.params) {
    if (value.empty() || value.find('/') != std::string_view::npos) std::abort();
    request.path_params.emplace_back(name, value);
  }
  http::Response response =
      http::CorsPolicy::is_preflight(request) ? cors.preflight(request) : http::Response{};
  cors.add_headers(request, response);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const char* bytes = reinterpret_cast<const char*>(data);
  parse_and_route(bytes, size);
  cscx::fuzz::exchange_with_server(bytes, size);
  return 0;
}
