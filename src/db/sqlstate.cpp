#include "db/sqlstate.h"

namespace cscx::db {

Code code_from_sqlstate(std::string_view s) {
  if (s.size() != 5) return Code::kInternal;
  // Exact codes first: they refine their class below.
  if (s == "23505") return Code::kConflict;            // unique_violation
  if (s == "40001") return Code::kConflict;            // serialization_failure
  if (s == "40P01") return Code::kConflict;            // deadlock_detected
  if (s == "42501") return Code::kPermissionDenied;    // insufficient_privilege
  if (s == "42P01") return Code::kNotFound;            // undefined_table
  if (s == "42883") return Code::kNotFound;            // undefined_function
  if (s == "57014") return Code::kUnavailable;         // query_canceled (timeout)
  if (s == "P0001") return Code::kFailedPrecondition;  // raise_exception
  if (s == "P0002") return Code::kNotFound;            // no_data_found
  const std::string_view cls = s.substr(0, 2);
  if (cls == "08") return Code::kUnavailable;         // connection exception
  if (cls == "53") return Code::kUnavailable;         // insufficient resources
  if (cls == "57") return Code::kUnavailable;         // operator intervention
  if (cls == "22") return Code::kInvalidArgument;     // data exception
  if (cls == "23") return Code::kInvalidArgument;     // integrity violation
  if (cls == "28") return Code::kUnauthenticated;     // invalid authorization
  if (cls == "42") return Code::kInvalidArgument;     // syntax / access rule
  if (cls == "55") return Code::kFailedPrecondition;  // object not in prerequisite state
  return Code::kInternal;
}

}  // namespace cscx::db
