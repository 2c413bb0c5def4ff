// The curated lexicons of the transcript analyser. Each is a PhraseSet built
// once (thread-safe static initialisation) from the readable lists in
// lexicons.cpp; docs/meetings.md says how to extend them.
#pragma once

#include <string>
#include <unordered_set>
#include <vector>

#include "meetings/transcript_internal.h"

namespace cscx::meetings::internal::lexicon {

const PhraseSet& action_verbs();         // stem: "send", "follow up", "set up"
const PhraseSet& decision_phrases();     // exact: "we decided", "let's go with"
const PhraseSet& concern_phrases();      // stem: "worried", "not sure", "too expensive"
const PhraseSet& concern_exclusions();   // stem: "understand your concern"
const PhraseSet& sentiment_words();      // stem, signed weight: "great" +1, "terrible" -2
const PhraseSet& intensifiers();         // exact, weight = multiplier
const PhraseSet& sarcasm_markers();      // exact: "oh great", "yeah right"
const PhraseSet& sarcasm_context();      // stem: "another", "again", "outage"
const PhraseSet& acceptances();          // exact: "sure", "will do"
const std::unordered_set<std::string>& stopwords();  // lower-case

// A risk signal fires on a trigger phrase, or on an anchor with a companion
// within `window` tokens either side (e.g. "renewal" near "not sure").
// Negated triggers and anchors ("we are not cancelling") do not fire.
struct RiskRule {
  RiskType type;
  const PhraseSet* triggers;
  const PhraseSet* anchors;     // may be null
  const PhraseSet* companions;  // may be null
  std::size_t window = 6;
  bool allow_negated_anchor = false;  // "won't renew" is the signal itself
};
const std::vector<RiskRule>& risk_rules();

}  // namespace cscx::meetings::internal::lexicon
