// Prints per-field precision/recall/F1 of the transcript analyser on the
// labelled dev set, and macro-F1.
//   score_transcripts [DIR] [--mistakes]
//   score_transcripts --dump FILE [YYYY-MM-DD]   (the JSON of one transcript)
#include <fmt/core.h>

#include <boost/json.hpp>
#include <cstring>
#include <fstream>
#include <sstream>

#include "dev_set_scorer.h"
#include "meetings/transcript_analyzer.h"

int main(int argc, char** argv) {
  using namespace cscx::meetings;
  if (argc >= 3 && std::strcmp(argv[1], "--dump") == 0) {
    std::ifstream in(argv[2], std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    AnalyzeOptions options;
    if (argc >= 4) options.meeting_date = parse_iso_date(argv[3]).value();
    auto a = analyze_transcript(ss.str(), options);
    if (!a) {
      fmt::print(stderr, "{}\n", a.error().message);
      return 1;
    }
    fmt::print("{}\n", boost::json::serialize(to_json(*a)));
    return 0;
  }
  std::string dir = CSCX_SOURCE_DIR "/tests/data/transcripts";
  bool mistakes = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--mistakes") == 0) {
      mistakes = true;
    } else {
      dir = argv[i];
    }
  }
  bench::DevSetScore score = bench::score_dev_set(dir);
  fmt::print("transcript dev set: {} files in {}\n", score.files, dir);
  fmt::print("{:<20} {:>9} {:>9} {:>9}   (matched/predicted, matched/labelled)\n", "field",
             "precision", "recall", "F1");
  for (const auto& [name, f] : score.fields) {
    fmt::print("{:<20} {:>9.3f} {:>9.3f} {:>9.3f}   ({:.0f}/{:.0f}, {:.0f}/{:.0f})\n", name,
               f.precision(), f.recall(), f.f1(), f.matched_predicted, f.predicted,
               f.matched_gold, f.gold);
  }
  fmt::print("macro-F1 (decisions, action_items, concerns, risk_signals, sentiment): {:.3f}\n",
             score.macro_f1());
  if (mistakes) {
    for (const auto& m : score.mistakes) fmt::print("  {}\n", m);
  }
  return 0;
}
