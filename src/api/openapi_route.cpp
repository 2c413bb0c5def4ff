#include "api/openapi_route.h"

#include <span>
#include <string>

#include "core/embedded_file.h"

namespace cscx::api {
namespace internal {
std::span<const core::EmbeddedFile> openapi_files();
}  // namespace internal

namespace asio = boost::asio;

std::string_view openapi_document() { return internal::openapi_files().front().content; }

void add_openapi_route(http::Router& router) {
  router.add("GET", "/api/openapi.json", "/api/openapi.json",
             [](const http::Request&,
                http::RequestLog&) -> asio::awaitable<Result<http::Response>> {
               co_return http::Response::json(200, std::string(openapi_document()));
             });
}

}  // namespace cscx::api
