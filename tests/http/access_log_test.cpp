// The access log: its JSON line, and BatchedFdSink, its batched writer, which
// loses no line, never splits one, and writes on flush, on its timer and on
// destruction.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <chrono>
#include <ctime>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "http/access_log_internal.h"
#include "http/log_sink_internal.h"
#include "support/run_cscx.h"

namespace cscx::http::internal {
namespace {

using namespace std::chrono_literals;

// A file the sink writes to, opened for appending as stderr usually is.
class LogFile {
 public:
  LogFile() : path_(dir_.path() + "/log") {
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
  }
  ~LogFile() { ::close(fd_); }
  int fd() const { return fd_; }
  std::vector<std::string> lines() const {
    std::ifstream in(path_);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }
  std::string text() const {
    std::ifstream in(path_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  cscx::testing::TempDir dir_;
  std::string path_;
  int fd_ = -1;
};

std::shared_ptr<spdlog::logger> logger_on(std::shared_ptr<BatchedFdSink> sink) {
  auto logger = std::make_shared<spdlog::logger>("test", std::move(sink));
  logger->set_pattern("%v");
  return logger;
}

TEST(BatchedFdSink, KeepsEveryLineWholeUnderConcurrentWriters) {
  LogFile file;
  constexpr int kThreads = 8;
  constexpr int kLines = 2000;
  {
    // A small batch, so that writers often cross it at the same time.
    auto logger = logger_on(std::make_shared<BatchedFdSink>(file.fd(), 4096, 1ms));
    std::vector<std::thread> writers;
    for (int t = 0; t < kThreads; ++t) {
      writers.emplace_back([&logger, t] {
        for (int i = 0; i < kLines; ++i) {
          // Lengths vary from 1 to 300 bytes of padding.
          logger->info("{} {} {}", t, i, std::string(1 + (i * 37 + t) % 300, 'x'));
        }
      });
    }
    for (auto& w : writers) w.join();
  }  // the sink writes the rest when it goes
  std::map<int, int> next;  // per writer, the line number expected next
  const auto lines = file.lines();
  ASSERT_EQ(lines.size(), static_cast<size_t>(kThreads * kLines));
  for (const auto& line : lines) {
    std::istringstream in(line);
    int t = -1, i = -1;
    std::string padding;
    ASSERT_TRUE(in >> t >> i >> padding) << line;
    ASSERT_TRUE(t >= 0 && t < kThreads) << line;
    EXPECT_EQ(i, next[t]) << "writer " << t << " out of order or lost: " << line;
    next[t] = i + 1;
    EXPECT_EQ(padding, std::string(1 + (i * 37 + t) % 300, 'x')) << line;
  }
}

TEST(BatchedFdSink, FlushWritesEverythingLoggedBefore) {
  LogFile file;
  auto sink = std::make_shared<BatchedFdSink>(file.fd(), 1 << 20, 1h);
  auto logger = logger_on(sink);
  logger->info("one");
  logger->info("two");
  EXPECT_EQ(file.text(), "");  // held in memory: neither the batch nor the timer is due
  logger->flush();
  EXPECT_EQ(file.text(), "one\ntwo\n");
  logger->info("three");
  sink->flush();
  EXPECT_EQ(file.text(), "one\ntwo\nthree\n");
}

TEST(BatchedFdSink, WritesAFullBatchAtOnce) {
  LogFile file;
  auto logger = logger_on(std::make_shared<BatchedFdSink>(file.fd(), 10, 1h));
  logger->info("12345");
  EXPECT_EQ(file.text(), "");
  logger->info("67890");  // 12 bytes with the newlines: the batch is full
  EXPECT_EQ(file.text(), "12345\n67890\n");
}

TEST(BatchedFdSink, TheTimerWritesWithoutAFlush) {
  LogFile file;
  auto logger = logger_on(std::make_shared<BatchedFdSink>(file.fd(), 1 << 20, 10ms));
  logger->info("by the timer");
  // No bound on when: only that it comes without a flush.
  for (int i = 0; i < 1000 && file.text().empty(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(file.text(), "by the timer\n");
}

TEST(BatchedFdSink, DestructionWritesWhatIsLeft) {
  LogFile file;
  {
    auto logger = logger_on(std::make_shared<BatchedFdSink>(file.fd(), 1 << 20, 1h));
    for (int i = 0; i < 100; ++i) logger->info("line {}", i);
    EXPECT_EQ(file.text(), "");
  }
  EXPECT_EQ(file.lines().size(), 100u);
}

TEST(StderrLogger, WritesErrorLinesAtOnce) {
  // make_stderr_logger's policy, on a sink of our own: errors flush.
  LogFile file;
  auto logger = logger_on(std::make_shared<BatchedFdSink>(file.fd(), 1 << 20, 1h));
  logger->flush_on(spdlog::level::err);
  logger->info("request");
  logger->error("failure");
  EXPECT_EQ(file.text(), "request\nfailure\n");
}

TEST(AccessLine, IsOneJsonObjectWithEveryFieldAndEscapes) {
  const std::string path = std::string("/a\"b\\c\n\x01\x1f\t\xc3\xa9/") + '\0' + "z";
  const std::string line = format_access_line(AccessRecord{
      .method = "GET",
      .path = path,
      .query_length = 7,
      .route = "/api/customers/:id",
      .status = 503,
      .duration = std::chrono::microseconds(12345678),
      .user_id = "u-1",
      .request_id = "r\"1",
      .remote = "127.0.0.1",
      .error = "db down"});
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  EXPECT_NE(line.find("\\u0001"), std::string::npos) << line;
  auto value = boost::json::parse(line).as_object();
  EXPECT_EQ(value.at("level").as_string(), "error");
  EXPECT_EQ(value.at("event").as_string(), "request");
  EXPECT_EQ(value.at("method").as_string(), "GET");
  EXPECT_EQ(std::string(value.at("path").as_string()), path);
  EXPECT_EQ(value.at("query_length").to_number<int>(), 7);
  EXPECT_EQ(value.at("route").as_string(), "/api/customers/:id");
  EXPECT_EQ(value.at("status").to_number<int>(), 503);
  EXPECT_DOUBLE_EQ(value.at("duration_ms").to_number<double>(), 12345.678);
  EXPECT_EQ(value.at("user_id").as_string(), "u-1");
  EXPECT_EQ(value.at("request_id").as_string(), "r\"1");
  EXPECT_EQ(value.at("remote").as_string(), "127.0.0.1");
  EXPECT_EQ(value.at("error").as_string(), "db down");
  EXPECT_EQ(value.at("time").as_string().size(), 24u);  // 2026-11-26T04:15:00.123Z
}

TEST(AccessLine, LeavesOutAnEmptyErrorAndWritesSmallDurations) {
  const std::string line = format_access_line(
      AccessRecord{.method = "GET", .path = "/health", .route = "/health", .status = 200,
                   .duration = std::chrono::microseconds(42)});
  auto value = boost::json::parse(line).as_object();
  EXPECT_FALSE(value.contains("error"));
  EXPECT_EQ(value.at("level").as_string(), "info");
  EXPECT_DOUBLE_EQ(value.at("duration_ms").to_number<double>(), 0.042);
  EXPECT_EQ(value.at("user_id").as_string(), "");
}

TEST(AccessLine, TimeIsNowInUtcToTheMillisecond) {
  // The seconds are cached per thread: lines over more than a second must
  // each carry their own time.
  // The same clock the log reads (time() may lag it by a tick).
  const auto now = [] {
    return std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  };
  for (int i = 0; i < 3; ++i) {
    if (i > 0) std::this_thread::sleep_for(600ms);
    const std::time_t before = now();
    const std::string line = format_access_line(AccessRecord{
        .method = "GET", .path = "/", .route = "/", .status = 200,
        .duration = std::chrono::microseconds(-1500)});
    const std::time_t after = now();
    auto value = boost::json::parse(line).as_object();
    const std::string time(value.at("time").as_string());
    ASSERT_TRUE(std::regex_match(time, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
        << time;
    std::tm tm{};
    ASSERT_NE(strptime(time.c_str(), "%Y-%m-%dT%H:%M:%S", &tm), nullptr) << time;
    const std::time_t logged = timegm(&tm);
    EXPECT_LE(before, logged) << time;  // a cache stuck on an old second fails here
    EXPECT_LE(logged, after) << time;
    EXPECT_DOUBLE_EQ(value.at("duration_ms").to_number<double>(), -1.5);
  }
}

}  // namespace
}  // namespace cscx::http::internal
