#include <fmt/format.h>
#include <spdlog/logger.h>
#include <unistd.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <array>
#include <charconv>
#include <cstdint>
#include <ctime>
#include <limits>

#include "http/access_log_internal.h"
#include "http/log_sink_internal.h"

namespace cscx::http::internal {
namespace {

// Appends "YYYY-MM-DDTHH:MM:SS.mmmZ", now in UTC. Every request writes one:
// the part up to the second is formatted once a second per thread, the
// milliseconds each time.
void append_utc_now(std::string& out) {
  constexpr size_t kPrefix = 20;  // "YYYY-MM-DDTHH:MM:SS."
  thread_local std::int64_t cached_second = std::numeric_limits<std::int64_t>::min();
  thread_local std::array<char, kPrefix> prefix{};
  const std::int64_t millis_since_epoch =
      std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count();
  std::int64_t second = millis_since_epoch / 1000;
  int millis = static_cast<int>(millis_since_epoch % 1000);
  if (millis < 0) {  // before 1970: round down, keep the milliseconds positive
    --second;
    millis += 1000;
  }
  if (second != cached_second) {
    const auto seconds = static_cast<std::time_t>(second);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    fmt::format_to_n(prefix.data(), prefix.size(), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec);
    cached_second = second;
  }
  out.append(prefix.data(), prefix.size());
  out.push_back(static_cast<char>('0' + millis / 100));
  out.push_back(static_cast<char>('0' + millis / 10 % 10));
  out.push_back(static_cast<char>('0' + millis % 10));
  out.push_back('Z');
}

std::string utc_now() {
  std::string out;
  append_utc_now(out);
  return out;
}

void append_number(std::string& out, std::uint64_t value) {
  std::array<char, 24> digits{};
  out.append(digits.data(), std::to_chars(digits.data(), digits.data() + digits.size(), value).ptr);
}

// A JSON string literal, escaped as Boost.JSON's serializer escapes it:
// quote, backslash and control characters; other bytes pass through.
void append_json_string(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  size_t plain = 0;  // start of the run of bytes that need no escape
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 0x0f]);
    }
  }
  out.append(text.data() + plain, text.size() - plain);
  out.push_back('"');
}

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out.push_back(',');
  append_json_string(out, name);
  out.push_back(':');
  append_json_string(out, value);
}

}  // namespace

std::shared_ptr<spdlog::logger> make_stderr_logger() {
  auto logger = std::make_shared<spdlog::logger>(
      "cscx.http", std::make_shared<BatchedFdSink>(STDERR_FILENO));
  logger->set_pattern("%v");
  // Errors are written at once; request lines wait for the next batch.
  logger->flush_on(spdlog::level::err);
  return logger;
}

void append_access_line(std::string& out, const AccessRecord& record) {
  // Built by hand rather than through a boost::json::object: this runs for
  // every request, and the object cost a dozen allocations per line.
  out += "{\"time\":\"";
  append_utc_now(out);
  out.push_back('"');
  out += record.status >= 500 ? ",\"level\":\"error\"" : ",\"level\":\"info\"";
  out += ",\"event\":\"request\"";
  append_field(out, "method", record.method);
  append_field(out, "path", record.path);
  out += ",\"query_length\":";
  append_number(out, record.query_length);
  append_field(out, "route", record.route);
  // Microsecond resolution, as a number of milliseconds.
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(record.duration).count();
  out += ",\"status\":";
  append_number(out, record.status);
  out += micros < 0 ? ",\"duration_ms\":-" : ",\"duration_ms\":";
  // Negated as unsigned: -micros overflows for the smallest int64.
  const auto magnitude = micros < 0 ? 0 - static_cast<std::uint64_t>(micros)
                                    : static_cast<std::uint64_t>(micros);
  append_number(out, magnitude / 1000);
  const auto fraction = static_cast<int>(magnitude % 1000);
  out.push_back('.');
  out.push_back(static_cast<char>('0' + fraction / 100));
  out.push_back(static_cast<char>('0' + fraction / 10 % 10));
  out.push_back(static_cast<char>('0' + fraction % 10));
  append_field(out, "user_id", record.user_id);
  append_field(out, "request_id", record.request_id);
  append_field(out, "remote", record.remote);
  if (!record.error.empty()) append_field(out, "error", record.error);
  out.push_back('}');
}

std::string format_access_line(const AccessRecord& record) {
  std::string line;
  append_access_line(line, record);
  return line;
}

void log_access(spdlog::logger& logger, const AccessRecord& record) {
  const auto level = record.status >= 500 ? spdlog::level::err : spdlog::level::info;
  if (!logger.should_log(level)) return;
  // One buffer per I/O thread, reused: no allocation once it has grown.
  thread_local std::string line;
  line.clear();
  append_access_line(line, record);
  logger.log(level, spdlog::string_view_t(line));
}

void log_event(spdlog::logger& logger, bool is_error, std::string_view event,
               std::string_view message) {
  const auto level = is_error ? spdlog::level::err : spdlog::level::warn;
  if (!logger.should_log(level)) return;
  boost::json::object line;
  line["time"] = utc_now();
  line["level"] = is_error ? "error" : "warning";
  line["event"] = event;
  line["message"] = message;
  const std::string text = boost::json::serialize(line);
  logger.log(level, spdlog::string_view_t(text));
}

}  // namespace cscx::http::internal
