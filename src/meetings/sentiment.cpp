// Sentence sentiment (lexicon, negation, intensifiers, sarcasm), labels per
// speaker and overall, and key quotes.
#include <algorithm>
#include <cmath>

#include "meetings/lexicons.h"
#include "meetings/transcript_internal.h"

namespace cscx::meetings::internal {
namespace {

// Trouble that turns praise beside it sarcastic.
bool has_trouble(const std::vector<Token>& tokens, bool any_negative) {
  if (any_negative) return true;
  return std::any_of(tokens.begin(), tokens.end(), [](const Token& t) {
    return t.lower == "down" || t.lower == "broke" || t.lower == "crashed" ||
           t.lower == "outage" || t.lower == "broken";
  });
}

// Polarity per sentence below which a side does not count (see label_sentiment).
constexpr double kMinDensity = 0.06;

}  // namespace

double sentence_sentiment(const std::vector<Token>& tokens) {
  double score = 0, positive = 0;
  bool any_negative = false;
  // "Good, but I'm not happy": what follows "but" outweighs what precedes it.
  std::size_t pivot = 0;
  for (std::size_t k = 1; k < tokens.size(); ++k) {
    if (tokens[k].lower == "but" || tokens[k].lower == "however" ||
        tokens[k].lower == "although") {
      pivot = k;
    }
  }
  for (const auto& hit : lexicon::sentiment_words().find(tokens)) {
    double w = hit.weight;
    if (hit.begin < pivot) w *= 0.5;
    for (std::size_t k = 1; k <= 2 && k <= hit.begin; ++k) {
      auto m = lexicon::intensifiers().match_at(tokens, hit.begin - k);
      if (m && m->end == hit.begin) {
        w *= m->weight;
        break;
      }
    }
    if (negated_before(tokens, hit.begin)) {
      // "not happy" is about as bad as "unhappy"; "not bad" is faint praise.
      w = w > 0 ? -0.75 * w : -0.5 * w;
    }
    if (w > 0) positive += w;
    if (w < 0) any_negative = true;
    score += w;
  }
  double strongest_marker = 0;
  for (const auto& hit : lexicon::sarcasm_markers().find(tokens)) {
    strongest_marker = std::max(strongest_marker, hit.weight);
  }
  // "Great, so we wait three days every single time": praise opening the
  // sentence, then repetition.
  bool praise_opener = tokens.size() > 2 && tokens[1].boundary_before &&
                       lexicon::sentiment_words().match_at(tokens, 0).value_or(
                           PhraseSet::Hit{0, 0, 0, {}}).weight > 0;
  bool repeated = !lexicon::sarcasm_context().find(tokens).empty();
  bool sarcastic = strongest_marker >= 2 || (praise_opener && repeated) ||
                   (strongest_marker >= 1 && has_trouble(tokens, any_negative)) ||
                   (positive > 0 && any_negative && repeated);
  if (sarcastic) return -(std::abs(score) + positive + 1);
  return score;
}

Sentiment label_sentiment(const std::vector<double>& scores) {
  double pos = 0, neg = 0;
  for (double s : scores) {
    if (s > 0) pos += s;
    if (s < 0) neg -= s;
  }
  // A polarity counts when it is strong enough in total and dense enough
  // for the length: a long design meeting's scattered "great"s and
  // "problem"s (AMI) are the tone of ordinary work, not a mood.
  double n = static_cast<double>(std::max<std::size_t>(scores.size(), 1));
  bool has_pos = pos >= 1 && pos / n >= kMinDensity;
  bool has_neg = neg >= 1 && neg / n >= kMinDensity;
  if (!has_pos && !has_neg) return Sentiment::kNeutral;
  double lo = std::min(pos, neg), hi = std::max(pos, neg);
  if (has_pos && has_neg && lo >= 1.5 && lo / hi >= 0.4) return Sentiment::kMixed;
  double margin = std::max(1.0, 0.1 * std::sqrt(n) * hi / 2);
  if (has_pos && pos - neg >= margin) return Sentiment::kPositive;
  if (has_neg && neg - pos >= margin) return Sentiment::kNegative;
  return has_pos && has_neg ? Sentiment::kMixed : Sentiment::kNeutral;
}

std::vector<KeyQuote> pick_key_quotes(const std::vector<Sentence>& sentences,
                                      const std::vector<double>& scores,
                                      const std::vector<std::string>& speakers) {
  constexpr std::size_t kQuotes = 3;
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    std::size_t n = sentences[i].tokens.size();
    if (n >= 6 && n <= 40 && std::abs(scores[i]) >= 1.0 && !sentences[i].question) {
      order.push_back(i);
    }
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::abs(scores[a]) > std::abs(scores[b]);
  });
  if (order.size() > kQuotes) order.resize(kQuotes);
  std::sort(order.begin(), order.end());
  std::vector<KeyQuote> out;
  for (std::size_t i : order) {
    const Sentence& s = sentences[i];
    out.push_back(KeyQuote{s.speaker == kNoSpeaker ? std::string() : speakers[s.speaker], s.text});
  }
  return out;
}

}  // namespace cscx::meetings::internal
