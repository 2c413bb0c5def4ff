#include "core/error.h"

#include <stdexcept>

namespace cscx {

std::string_view code_name(Code code) {
  switch (code) {
    case Code::kInvalidArgument:
      return "invalid_argument";
    case Code::kUnauthenticated:
      return "unauthenticated";
    case Code::kPermissionDenied:
      return "permission_denied";
    case Code::kNotFound:
      return "not_found";
    case Code::kConflict:
      return "conflict";
    case Code::kFailedPrecondition:
      return "failed_precondition";
    case Code::kPayloadTooLarge:
      return "payload_too_large";
    case Code::kUnavailable:
      return "unavailable";
    case Code::kDependencyFailed:
      return "dependency_failed";
    case Code::kInternal:
      return "internal";
  }
  return "internal";
}

std::string Error::to_string() const {
  std::string out(code_name(code));
  out += ": ";
  out += message;
  if (!detail.empty()) {
    out += " (";
    out += detail;
    out += ")";
  }
  return out;
}

Error make_error(Code code, std::string message, std::string detail) {
  return Error{code, std::move(message), std::move(detail)};
}

Error make_error_with_reason(Code code, std::string reason, std::string message) {
  Error e{code, std::move(message), {}, std::move(reason)};
  return e;
}

void throw_exception_from_error(const Error& error, const boost::source_location&) {
  throw std::runtime_error(error.to_string());
}

}  // namespace cscx
