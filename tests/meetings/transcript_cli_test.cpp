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

// Word and PDF exports of the same call (tests/data/transcripts/fixtures,
// made by make_fixtures.py there) read as the text they hold.
boost::json::object analyze_fixture(const std::string& name) {
  auto r = run_cscx({"transcript", "analyze",
                     std::string(CSCX_SOURCE_DIR) + "/tests/data/transcripts/fixtures/" + name,
                     "--meeting-date", "2024-03-06", "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  if (r.exit_code != 0) return {};
  return boost::json::parse(r.out).as_object();
}

TEST(TranscriptCli, ReadsWordAndPdfExports) {
  for (const char* name : {"call_export.docx", "call_export.pdf"}) {
    SCOPED_TRACE(name);
    auto o = analyze_fixture(name);
    ASSERT_FALSE(o.empty());
    const auto& items = o.at("action_items").as_array();
    ASSERT_FALSE(items.empty()) << boost::json::serialize(o);
    EXPECT_EQ(items.at(0).at("owner"), "Maria Lopez");
    EXPECT_EQ(items.at(0).at("due_date"), "2024-03-08");
    bool budget_cut = false;
    for (const auto& signal : o.at("risk_signals").as_array())
      budget_cut = budget_cut || signal.at("type") == "budget_cut";
    EXPECT_TRUE(budget_cut) << boost::json::serialize(o.at("risk_signals"));
    EXPECT_EQ(o.at("talk_time").as_object().size(), 2u) << boost::json::serialize(o);
    EXPECT_EQ(o.at("decisions").as_array().size(), 1u) << boost::json::serialize(o);
  }
}

TEST(TranscriptCli, RefusesAPdfWithoutText) {
  const std::string pdf =
      std::string(CSCX_SOURCE_DIR) + "/tests/data/contracts/fixtures/image_only.pdf";
  auto r = run_cscx({"transcript", "analyze", pdf});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("no extractable text"), std::string::npos) << r.err;
}

TEST(TranscriptCli, ReportsAMissingFile) {
  auto r = run_cscx({"transcript", "analyze", "/nonexistent/call.txt"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cscx: cannot read /nonexistent/call.txt"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace cscx::testing
