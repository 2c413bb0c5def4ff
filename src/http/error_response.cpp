#include "http/error_response.h"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace cscx::http {

unsigned http_status(Code code) {
  switch (code) {
    case Code::kInvalidArgument:
      return 400;
    case Code::kUnauthenticated:
      return 401;
    case Code::kPermissionDenied:
      return 403;
    case Code::kNotFound:
      return 404;
    case Code::kConflict:
      return 409;
    case Code::kFailedPrecondition:
      return 400;
    case Code::kPayloadTooLarge:
      return 413;
    case Code::kUnavailable:
      return 503;
    case Code::kDependencyFailed:
      return 502;  // Bad Gateway: the upstream answered, unusably; no Retry-After
    case Code::kInternal:
      return 500;
  }
  return 500;
}

Response status_response(unsigned status, std::string_view code, std::string_view message,
                         std::string_view request_id) {
  boost::json::object body;
  body["code"] = code;
  body["message"] = message;
  body["request_id"] = request_id;
  return Response::json(status, boost::json::serialize(body));
}

Response error_response(const Error& error, std::string_view request_id) {
  Response response = status_response(http_status(error.code), code_name(error.code),
                                      error.message, request_id);
  if (error.code == Code::kUnavailable) response.headers.emplace_back("Retry-After", "1");
  return response;
}

}  // namespace cscx::http
