// The one error type of cscx, and Result<T>.
//
// Expected failures travel as values: every fallible function returns
// Result<T> (boost::system::result<T, Error>; std::expected once we move to
// C++23). An Error carries a canonical Code, a `message` that is safe to show
// a client or an operator, and a `detail` (SQL text, SQLSTATE, errno) that
// only goes to logs. Mapping a Code to an HTTP status or an exit code happens
// once, at the edge that owns it.
#pragma once

#include <boost/system/result.hpp>
#include <string>
#include <string_view>

namespace cscx {

// A short canonical list. Pick the most specific entry whose description fits.
enum class Code {
  kInvalidArgument,     // the caller's input is wrong, whatever the state
  kUnauthenticated,     // no or bad credentials
  kPermissionDenied,    // credentials fine, not allowed
  kNotFound,            // the named thing does not exist (or is invisible)
  kConflict,            // a unique or concurrent-update clash
  kFailedPrecondition,  // the system is not in the state the call needs
                        // (non-empty restore target, changed migration)
  kPayloadTooLarge,     // input over a configured size limit
  kUnavailable,         // transient: database down, retry may succeed
  kDependencyFailed,    // an external service we call (the LLM or embedding
                        // provider) refused the request or answered nothing
                        // usable, and a retry will not help until an operator
                        // acts (bad key, unknown model): over kUnavailable when
                        // retrying is pointless, over kInternal when the fault
                        // is the other side's or its configuration's
  kInternal,            // a bug or an unexpected failure of a dependency
};

std::string_view code_name(Code code);

// PostgreSQL's own client-facing report of an error it raised: SQLSTATE,
// primary message, DETAIL and HINT. PostgREST shows exactly these as code,
// message, details and hint; the SQL text never appears in them. Empty
// `sqlstate` when the error did not come from PostgreSQL; a protocol error
// (PGRST...) may still set `details` and `hint`, which are client-safe.
struct DatabaseDiagnostics {
  std::string sqlstate;
  std::string message;
  std::string details;
  std::string hint;
};

struct Error {
  Code code = Code::kInternal;
  std::string message;  // client-safe, one line
  std::string detail;   // for logs only
  // Optional machine-readable reason a protocol defines, client-safe (GoTrue's
  // "invalid_credentials", PostgREST's "PGRST116"); empty when none.
  std::string reason;
  DatabaseDiagnostics database;  // set by db/ for errors PostgreSQL raised

  std::string to_string() const;
};

Error make_error(Code code, std::string message, std::string detail = {});

// An Error with a protocol reason (see Error::reason).
Error make_error_with_reason(Code code, std::string reason, std::string message);

// Called by Result<T>::value() on an error (found by ADL); throws a
// std::runtime_error with the message. Only for code that treats an error as
// a bug, such as tests.
[[noreturn]] void throw_exception_from_error(const Error& error,
                                             const boost::source_location& loc);

template <class T>
using Result = boost::system::result<T, Error>;

// Result<void> success value.
inline Result<void> ok() { return {}; }

}  // namespace cscx
