#include <fmt/format.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <ctime>

#include "http/access_log_internal.h"

namespace cscx::http::internal {
namespace {

std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch())
          .count() %
      1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
}

}  // namespace

std::shared_ptr<spdlog::logger> make_stderr_logger() {
  auto logger = std::make_shared<spdlog::logger>(
      "cscx.http", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_pattern("%v");
  return logger;
}

std::string format_access_line(const AccessRecord& record) {
  boost::json::object line;
  line["time"] = utc_now();
  line["level"] = record.status >= 500 ? "error" : "info";
  line["event"] = "request";
  line["method"] = record.method;
  line["path"] = record.path;
  line["query_length"] = record.query_length;
  line["route"] = record.route;
  line["status"] = record.status;
  // Microsecond resolution, as a number of milliseconds.
  line["duration_ms"] =
      static_cast<double>(
          std::chrono::duration_cast<std::chrono::microseconds>(record.duration)
              .count()) /
      1000.0;
  line["user_id"] = record.user_id;
  line["request_id"] = record.request_id;
  line["remote"] = record.remote;
  if (!record.error.empty()) line["error"] = record.error;
  return boost::json::serialize(line);
}

void log_access(spdlog::logger& logger, const AccessRecord& record) {
  const auto level = record.status >= 500 ? spdlog::level::err : spdlog::level::info;
  if (!logger.should_log(level)) return;
  const std::string line = format_access_line(record);
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
