// The access log: one JSON object per line per request.
//
// Fields: time (UTC, ms), level, event "request", method, path (decoded, and
// never the query string: it may hold tokens), query_length, route, status,
// duration_ms, user_id, request_id, remote, and `error` when a handler failed
// (the Error with its detail, or the exception text). Internal to src/http.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace spdlog {
class logger;
}

namespace cscx::http::internal {

struct AccessRecord {
  std::string_view method;
  std::string_view path;
  size_t query_length = 0;
  std::string_view route;
  unsigned status = 0;
  std::chrono::nanoseconds duration{0};
  std::string_view user_id;
  std::string_view request_id;
  std::string_view remote;
  std::string_view error;  // empty when none
};

// A logger that writes each message as is, one per line, to stderr, in
// batches (BatchedFdSink, log_sink_internal.h): error lines at once, the
// rest within 200 ms or when 64 KiB have gathered, and all of it on flush()
// and when the logger is destroyed.
std::shared_ptr<spdlog::logger> make_stderr_logger();

// The JSON line for `record` (without the newline), appended to `out`.
void append_access_line(std::string& out, const AccessRecord& record);
std::string format_access_line(const AccessRecord& record);

// Writes the line: level info below 500, error from 500 up.
void log_access(spdlog::logger& logger, const AccessRecord& record);

// A JSON line {"time","level","event":<event>,"message":<message>} for events
// that are not a request (accept failures, escaped exceptions).
void log_event(spdlog::logger& logger, bool is_error, std::string_view event,
               std::string_view message);

}  // namespace cscx::http::internal
