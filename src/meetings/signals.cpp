// Concerns and customer-risk signals.
//
// A concern is a statement (not a question) holding a concern phrase that is
// not negated ("not worried") and not a reply to someone else's concern ("I
// understand your concern"). Risk signals follow lexicon::risk_rules().
#include <algorithm>
#include <array>
#include <cctype>
#include <unordered_set>

#include "meetings/lexicons.h"
#include "meetings/transcript_internal.h"

namespace cscx::meetings::internal {
namespace {

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A commitment ("I'll file a ticket for the timeouts") and praise ("despite
// the delays, the team is impressed") mention trouble without voicing it;
// plain complaint ("the response times were terrible") voices it without a
// concern word.
bool voices_concern(const Sentence& s, double score, bool has_action) {
  if (s.question || s.tokens.size() < 4 || has_action || score > 0) return false;
  if (!lexicon::concern_exclusions().find(s.tokens).empty()) return false;
  for (const auto& hit : lexicon::concern_phrases().find(s.tokens)) {
    if (!negated_before(s.tokens, hit.begin)) return true;
  }
  return score <= -1.0;
}

bool fires(const lexicon::RiskRule& rule, const Sentence& s) {
  const auto& t = s.tokens;
  for (const auto& hit : rule.triggers->find(t)) {
    if (!negated_before(t, hit.begin, 4)) return true;
  }
  if (rule.anchors == nullptr) return false;
  for (const auto& anchor : rule.anchors->find(t)) {
    if (!rule.allow_negated_anchor && negated_before(t, anchor.begin, 4)) continue;
    std::size_t lo = anchor.begin > rule.window ? anchor.begin - rule.window : 0;
    std::size_t hi = std::min(t.size(), anchor.end + rule.window);
    for (std::size_t k = lo; k < hi; ++k) {
      if (k >= anchor.begin && k < anchor.end) continue;
      if (rule.companions->match_at(t, k)) return true;
    }
    // "we won't renew": the negation itself is the companion.
    if (rule.allow_negated_anchor && negated_before(t, anchor.begin, 4)) return true;
  }
  return false;
}

}  // namespace

void extract_concerns_and_risks(const std::vector<Sentence>& sentences,
                                const std::vector<std::string>& speakers,
                                const std::vector<double>& scores,
                                const AnalyzeLimits& limits, Extraction& out) {
  std::unordered_set<std::string> seen_concerns;
  std::unordered_set<std::string> seen_risks;
  const auto& rules = lexicon::risk_rules();
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    const Sentence& s = sentences[i];
    if (voices_concern(s, scores[i], out.has_action[i]) && out.concerns.size() < limits.max_items &&
        seen_concerns.insert(lower_ascii(s.text)).second) {
      out.concerns.push_back(s.text);
      out.is_insight[i] = true;
      out.has_trouble[i] = true;
    }
    if (s.question && s.tokens.size() < 4) continue;
    for (const auto& rule : rules) {
      if (out.risk_signals.size() >= limits.max_items) break;
      if (!fires(rule, s)) continue;
      std::string key = std::string(risk_type_name(rule.type)) + '\n' + lower_ascii(s.text);
      if (!seen_risks.insert(key).second) continue;
      out.risk_signals.push_back(RiskSignal{
          rule.type, s.text, s.speaker == kNoSpeaker ? std::string() : speakers[s.speaker]});
      out.is_insight[i] = true;
      if (rule.type != RiskType::kExpansionOpportunity) out.has_trouble[i] = true;
    }
  }
}

}  // namespace cscx::meetings::internal
