// Internals of the transcript analyser, shared by its .cpp files and unit
// tests. Not part of the public API (see transcript_analyzer.h).
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "meetings/transcript_analyzer.h"

namespace cscx::meetings::internal {

// One speaker turn (consecutive cues of one speaker are merged into one).
struct Turn {
  std::string speaker;  // empty when the transcript has no speaker labels
  std::string text;
  std::optional<double> start_s;
  std::optional<double> end_s;
};

struct ParsedTranscript {
  TranscriptFormat format = TranscriptFormat::kPlainText;
  std::vector<Turn> turns;
  bool timed = false;  // every turn has start and end times
};

// Replaces invalid UTF-8 by U+FFFD, drops a BOM and control characters, and
// maps typographic quotes, dashes and no-break spaces to ASCII so the rules
// see "I'll" whichever apostrophe the exporter used.
std::string normalize_text(std::string_view in, bool* repaired);

// Detects the format and splits into turns. `text` must be normalized.
[[nodiscard]] Result<ParsedTranscript> parse_transcript(std::string_view text,
                                                        const AnalyzeLimits& limits);

// "01:02:03.500", "1:02:03,5", "02:03" -> seconds.
std::optional<double> parse_clock(std::string_view text);

struct Token {
  std::string lower;  // lower-cased word ("i'll")
  std::string stem;   // Snowball English stem of `lower`
  std::size_t begin = 0, end = 0;  // byte offsets in the sentence text
  bool capitalized = false;        // first letter upper-case as written
  bool boundary_before = false;    // a comma, colon, dash or similar precedes it
  std::size_t lower_hash = 0, stem_hash = 0;  // std::hash of lower and stem, for lexicon lookup
};

struct Sentence {
  std::size_t index = 0;    // position in the transcript
  std::size_t speaker = 0;  // index into the speaker list; npos when unknown
  std::string text;         // cleaned (annotations and fillers removed)
  std::vector<Token> tokens;
  bool question = false;
};

inline constexpr std::size_t kNoSpeaker = static_cast<std::size_t>(-1);

// Removes `{vocalsound}`-style annotations, `[inaudible]`, fillers ("um",
// "uh") and immediate word repeats, and collapses white space.
std::string clean_utterance(std::string_view text);

// Splits cleaned turn text into sentences (abbreviation- and decimal-aware).
std::vector<std::string> split_sentences(std::string_view text);

// Tokenizes and stems one sentence.
std::vector<Token> tokenize(std::string_view sentence);

// Snowball English stem of a lower-case word; thread-safe.
std::string stem_word(std::string_view lower_word);

// A phrase of a lexicon: words matched in sequence against tokens, by stem or
// by exact lower-case form; "*" matches any one token.
struct Phrase {
  std::vector<std::string> words;
  double weight = 1;
  std::string_view source;  // the lexicon entry as written
};

class PhraseSet {
 public:
  enum class Match { kStem, kExact };
  struct Entry {
    std::string_view text;
    double weight = 1;
  };
  PhraseSet(Match match, std::initializer_list<Entry> entries);

  struct Hit {
    std::size_t begin = 0, end = 0;  // token range
    double weight = 1;
    std::string_view source;
  };
  // Every match, in token order (several may start at one token).
  std::vector<Hit> find(const std::vector<Token>& tokens) const;
  // The first match starting at `pos`, longest first.
  std::optional<Hit> match_at(const std::vector<Token>& tokens, std::size_t pos) const;

 private:
  Match match_;
  // Keyed by the std::hash of the first word (the token's precomputed hash),
  // so a lookup hashes nothing; try-matching compares the words themselves.
  struct IdentityHash {
    std::size_t operator()(std::size_t h) const { return h; }
  };
  std::unordered_map<std::size_t, std::vector<Phrase>, IdentityHash> by_first_;
  std::unordered_map<std::size_t, std::vector<Phrase>, IdentityHash> by_exact_first_;
  std::vector<Phrase> wildcard_first_;
};

// A negator ("not", "no", "never", "*n't", ...) within `window` tokens before
// `pos`, in the same clause.
bool negated_before(const std::vector<Token>& tokens, std::size_t pos, std::size_t window = 3);

// Resolves the first due-date expression in `tokens` against `meeting_date`.
// Vague timing ("next week", "soon") and absent dates give nullopt.
std::optional<std::chrono::year_month_day> resolve_due_date(
    const std::vector<Token>& tokens, std::optional<std::chrono::year_month_day> meeting_date);

// Extractors over the sentence list (speaker names index Sentence::speaker).
struct Extraction {
  std::vector<std::string> decisions;
  std::vector<ActionItem> action_items;
  std::vector<std::string> concerns;
  std::vector<RiskSignal> risk_signals;
  std::vector<bool> is_insight;  // per sentence: fed a decision/action/concern/risk
  std::vector<bool> has_action;  // per sentence: gave an action item
  std::vector<bool> has_trouble;  // per sentence: a concern or a risk other than expansion
};

void extract_commitments(const std::vector<Sentence>& sentences,
                         const std::vector<std::string>& speakers,
                         const AnalyzeOptions& options, Extraction& out);
// `scores` are the sentence_sentiment() of each sentence.
void extract_concerns_and_risks(const std::vector<Sentence>& sentences,
                                const std::vector<std::string>& speakers,
                                const std::vector<double>& scores,
                                const AnalyzeLimits& limits, Extraction& out);

// Sentiment score of one sentence: > 0 positive, < 0 negative; negation,
// intensifiers and sarcasm markers applied.
double sentence_sentiment(const std::vector<Token>& tokens);
// Sentiment label from a list of sentence scores.
Sentiment label_sentiment(const std::vector<double>& scores);

std::string make_summary(const std::vector<Sentence>& sentences,
                         const std::vector<bool>& is_insight);
std::vector<KeyQuote> pick_key_quotes(const std::vector<Sentence>& sentences,
                                      const std::vector<double>& scores,
                                      const std::vector<std::string>& speakers);

}  // namespace cscx::meetings::internal
