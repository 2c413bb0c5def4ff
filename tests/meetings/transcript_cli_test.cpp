// `cscx transcript analyze` (issue 6), through the built binary.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <fstream>

#include "support/run_cscx.h"

namespace cscx::testing {
namespace {

std::string write_file(const TempDir& dir, const std::string& name, const std::string& text) {
  std::string path = dir.path() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

TEST(TranscriptCli, PrintsExactlyTheJsonObject) {
  TempDir dir;
  auto file = write_file(dir, "call.vtt",
                         "WEBVTT\n\n00:00.000 --> 00:05.000\n<v Ana>I'll send the deck by "
                         "Friday.</v>\n\n00:05.000 --> 00:07.000\n<v Bo>Great, thanks!</v>\n");
  auto r = run_cscx({"transcript", "analyze", file, "--meeting-date", "2024-03-06", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto o = boost::json::parse(r.out).as_object();
  const auto& item = o.at("action_items").as_array().at(0).as_object();
  EXPECT_EQ(item.at("owner"), "Ana");
  EXPECT_EQ(item.at("due_date"), "2024-03-08");
  EXPECT_EQ(o.size(), 8u);
}

TEST(TranscriptCli, PrintsAReadableSummaryWithoutJson) {
  TempDir dir;
  auto file = write_file(dir, "call.txt", "Ana: We decided to go with the annual plan.\n");
  auto r = run_cscx({"transcript", "analyze", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Decisions (1)"), std::string::npos) << r.out;
}

TEST(TranscriptCli, RejectsABadMeetingDate) {
  TempDir dir;
  auto file = write_file(dir, "call.txt", "Ana: Hello.\n");
  auto r = run_cscx({"transcript", "analyze", file, "--meeting-date", "06/03/2024"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cscx: '06/03/2024' is not a date"), std::string::npos) << r.err;
}

TEST(TranscriptCli, ReportsAMissingFile) {
  auto r = run_cscx({"transcript", "analyze", "/nonexistent/call.txt"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cscx: cannot read /nonexistent/call.txt"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace cscx::testing
