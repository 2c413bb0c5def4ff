// Scores the transcript analyser against the labelled dev set in
// tests/data/transcripts/: each transcript (.txt, .vtt, .srt) has a
// <name>.expected.json with the labelled fields (see docs/meetings.md).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace cscx::meetings::bench {

struct FieldScore {
  double matched_predicted = 0;  // predictions that match a label
  double predicted = 0;
  double matched_gold = 0;  // labels found
  double gold = 0;
  double precision() const { return predicted == 0 ? (gold == 0 ? 1 : 0) : matched_predicted / predicted; }
  double recall() const { return gold == 0 ? (predicted == 0 ? 1 : 0) : matched_gold / gold; }
  double f1() const {
    double p = precision(), r = recall();
    return p + r == 0 ? 0 : 2 * p * r / (p + r);
  }
};

struct DevSetScore {
  // decisions, action_items (description + owner + due date), action_items_text
  // (description only), action_owner, action_due_date, concerns,
  // risk_signals (types), sentiment (overall + per speaker labels).
  std::map<std::string, FieldScore> fields;
  std::vector<std::string> mistakes;  // human-readable, per file
  std::size_t files = 0;
  // Mean F1 of decisions, action_items, concerns, risk_signals, sentiment.
  double macro_f1() const;
};

// Scores every labelled transcript in `dir`. Throws std::runtime_error on a
// malformed label file (a bug in the dev set, not in the analyser).
DevSetScore score_dev_set(const std::filesystem::path& dir);

// Token-overlap F1 of two texts (lower-cased words, stopwords removed).
double text_similarity(const std::string& a, const std::string& b);

}  // namespace cscx::meetings::bench
