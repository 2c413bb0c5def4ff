// Transcript analyser: a meeting transcript in, structured insights out.
//
// This area turns the text users export from Zoom, Teams, Meet or a notes
// tool into a summary, decisions, action items (owner and due date),
// concerns, sentiment, key quotes, customer-risk signals and talk time. It is
// pure logic: no HTTP, no database, no network, no clock (the meeting date is
// an input). The same input always gives the same output. Storing the
// transcript and writing `insights` rows is left to the caller (the
// `POST /api/meetings/:id/transcript` route); `cscx transcript analyze` is the
// command-line front end. docs/meetings.md describes the rules and lexicons.
//
// Thread-safety: every function here may be called concurrently from any
// number of threads; nothing is shared but read-only lexicons.
#pragma once

#include <boost/json/object.hpp>
#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace cscx::meetings {

// How the input was laid out; detected from the content, never a file name.
enum class TranscriptFormat {
  kSpeakerLines,      // `Name: text` lines (continuation lines allowed)
  kTimestampedLines,  // `[hh:mm:ss] Name: text`, `(mm:ss) Name: text`, `hh:mm:ss Name: text`
  kWebVtt,            // WEBVTT cues; speakers from `<v Name>` or `Name: ` in the cue
  kSrt,               // SubRip cues; speakers from `Name: ` in the cue when present
  kPlainText,         // prose without speaker labels
};
std::string_view format_name(TranscriptFormat format);

enum class Sentiment { kPositive, kNeutral, kNegative, kMixed };
std::string_view sentiment_name(Sentiment sentiment);  // "positive", ...

// The fixed set of customer-risk signals of issue 6.
enum class RiskType {
  kChurnRisk,
  kBudgetCut,
  kChampionLeaving,
  kCompetitorMention,
  kRenewalAtRisk,
  kExpansionOpportunity,
};
std::string_view risk_type_name(RiskType type);  // "churn_risk", ...

struct AnalyzeLimits {
  std::size_t max_bytes = 4 * 1024 * 1024;  // input size; kPayloadTooLarge past it
  std::size_t max_turns = 100'000;          // speaker turns / cues; kPayloadTooLarge
  std::size_t max_items = 100;              // per output list; extra items are dropped
};

struct AnalyzeOptions {
  // Relative due dates ("by Tuesday", "EOM") resolve against this date. Without
  // it only dates that name their year resolve; the rest are null.
  std::optional<std::chrono::year_month_day> meeting_date;
  AnalyzeLimits limits;
};

struct ActionItem {
  std::string description;  // the committed work, e.g. "Send the revised quote by Friday"
  std::optional<std::string> owner;  // who committed; a speaker label or a named person
  std::optional<std::chrono::year_month_day> due_date;  // null when vague or absent
  std::string sentence;  // the sentence it came from (evidence)
};

struct RiskSignal {
  RiskType type;
  std::string sentence;  // the sentence that triggered it
  std::string speaker;   // its speaker; empty when the transcript has none
};

struct KeyQuote {
  std::string speaker;
  std::string quote;
};

struct SpeakerStats {
  std::string name;       // the label as written in the transcript
  std::size_t words = 0;
  double seconds = 0;     // from cue or timestamp times; 0 when the input has none
  double talk_share = 0;  // 0..1, by time when every turn is timed, else by words;
                          // the shares of all speakers sum to 1
  Sentiment sentiment = Sentiment::kNeutral;
};

struct TranscriptAnalysis {
  TranscriptFormat format = TranscriptFormat::kPlainText;
  std::string summary;  // a few extractive sentences, in transcript order
  std::vector<std::string> decisions;
  std::vector<ActionItem> action_items;
  std::vector<std::string> concerns;
  Sentiment overall_sentiment = Sentiment::kNeutral;
  std::vector<SpeakerStats> speakers;  // in order of first appearance; empty if untagged
  std::vector<KeyQuote> key_quotes;
  std::vector<RiskSignal> risk_signals;
  // For the `transcripts` row: total words, duration when timed, and whether
  // invalid UTF-8 was replaced by U+FFFD.
  std::size_t word_count = 0;
  std::optional<double> duration_seconds;
  bool repaired_utf8 = false;
  // Output field ("summary", "action_items", "sentiment.overall", ...) ->
  // "llm" for each field the optional LLM provider replaced
  // (llm/llm_assist.h); empty when every field is the analyser's own.
  std::map<std::string, std::string> sources;
};

// Analyses one transcript. Invalid UTF-8 is repaired (replaced by U+FFFD),
// never refused. Fails with kPayloadTooLarge when `text` or its number of
// turns exceeds `options.limits`, and kInvalidArgument when it holds no words.
[[nodiscard]] Result<TranscriptAnalysis> analyze_transcript(std::string_view text,
                                                            const AnalyzeOptions& options = {});

// The output object of issue 6, exactly: summary, decisions, action_items
// [{description, owner, due_date}], concerns, sentiment {overall, per_speaker},
// key_quotes [{speaker, quote}], risk_signals [{type, sentence, speaker}],
// talk_time {speaker: share}. Dates are "YYYY-MM-DD"; absent values are null.
boost::json::object to_json(const TranscriptAnalysis& analysis);

// "YYYY-MM-DD" -> date; kInvalidArgument naming the text otherwise.
[[nodiscard]] Result<std::chrono::year_month_day> parse_iso_date(std::string_view text);
std::string format_iso_date(std::chrono::year_month_day date);

}  // namespace cscx::meetings
