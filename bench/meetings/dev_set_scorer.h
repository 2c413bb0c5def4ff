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

// ROUGE-1 of a candidate summary against a reference: unigram overlap of
// lower-cased words (all words, clipped counts).
struct Rouge1 {
  double precision = 0, recall = 0, f1 = 0;
};
Rouge1 rouge1(const std::string& candidate, const std::string& reference);

// The AMI meetings of ../shared/data/ami (README there): each transcript
// analysed, with its time and the ROUGE-1 of the summary against QMSum's.
struct AmiResult {
  std::string meeting;
  bool ok = false;        // analysed and serialised to JSON
  std::string error;
  std::size_t words = 0;
  double millis = 0;
  Rouge1 rouge;
  std::size_t decisions = 0, action_items = 0, risk_signals = 0;
  std::size_t owners_not_speakers = 0;  // action-item owners that are no speaker label
  std::string sentiment;
};
// Empty when `ami_dir` has no references.jsonl.
std::vector<AmiResult> run_ami(const std::filesystem::path& ami_dir);

// A synthetic one-hour meeting (`[hh:mm:ss] Name: text`, >= `words` words)
// built from the dev-set transcripts, for the throughput bench.
std::string one_hour_transcript(const std::filesystem::path& dev_dir, std::size_t words);

}  // namespace cscx::meetings::bench
