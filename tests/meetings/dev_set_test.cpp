// The analyser on the labelled dev set (accuracy floor) and on the real AMI
// meetings (no crash, no hang, valid JSON). bench/meetings/ prints the figures.
#include <gtest/gtest.h>

#include <filesystem>

#include "dev_set_scorer.h"

namespace cscx::meetings::bench {
namespace {

// The floor catches regressions; the measured figure is in bench/README.md.
constexpr double kMacroF1Floor = 0.80;

TEST(TranscriptDevSet, MacroF1StaysAboveTheFloor) {
  DevSetScore score = score_dev_set(CSCX_SOURCE_DIR "/tests/data/transcripts");
  ASSERT_GE(score.files, 8u);
  EXPECT_GE(score.macro_f1(), kMacroF1Floor);
  for (const auto& m : score.mistakes) RecordProperty("mistake", m);
}

TEST(TranscriptAmi, AnalysesEveryMeetingWithoutCrashOrHang) {
  std::filesystem::path dir = CSCX_SOURCE_DIR "/../shared/data/ami";
  if (!std::filesystem::exists(dir / "references.jsonl")) {
    GTEST_SKIP() << "AMI data not found at " << dir;
  }
  auto results = run_ami(dir);
  EXPECT_EQ(results.size(), 12u);
  for (const auto& r : results) {
    EXPECT_TRUE(r.ok) << r.meeting << ": " << r.error;
    EXPECT_LT(r.millis, 2000) << r.meeting;
    // The speakers are roles; owners must come from them, not invented names.
    EXPECT_EQ(r.owners_not_speakers, 0u) << r.meeting;
  }
}

TEST(TranscriptAmi, RougeCountsClippedUnigrams) {
  Rouge1 r = rouge1("the remote the remote", "the remote control");
  EXPECT_DOUBLE_EQ(r.recall, 2.0 / 3);
  EXPECT_DOUBLE_EQ(r.precision, 0.5);
}

}  // namespace
}  // namespace cscx::meetings::bench
