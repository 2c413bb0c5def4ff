// Extractive summary: the sentences richest in the meeting's frequent content
// words, favouring those that carry a decision, action, concern or risk, with
// near-duplicates skipped, printed in transcript order.
#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <unordered_set>

#include "meetings/lexicons.h"
#include "meetings/transcript_internal.h"

namespace cscx::meetings::internal {
namespace {

constexpr std::size_t kWordBudget = 120;

bool is_content(const Token& t) {
  return t.lower.size() > 2 && !lexicon::stopwords().contains(t.lower) &&
         !std::isdigit(static_cast<unsigned char>(t.lower.front()));
}

std::vector<std::string> content_stems(const Sentence& s) {
  std::vector<std::string> out;
  for (const Token& t : s.tokens) {
    if (is_content(t)) out.push_back(t.stem);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

double overlap(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::size_t common = 0, i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (a[i] == b[j]) {
      ++common, ++i, ++j;
    } else if (a[i] < b[j]) {
      ++i;
    } else {
      ++j;
    }
  }
  std::size_t uni = a.size() + b.size() - common;
  return uni == 0 ? 0 : static_cast<double>(common) / static_cast<double>(uni);
}

}  // namespace

std::string make_summary(const std::vector<Sentence>& sentences,
                         const std::vector<bool>& is_insight) {
  std::unordered_map<std::string, double> tf;
  std::vector<std::vector<std::string>> stems(sentences.size());
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    stems[i] = content_stems(sentences[i]);
    for (const std::string& s : stems[i]) tf[s] += 1;
  }
  std::vector<std::pair<double, std::size_t>> ranked;
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    std::size_t n = sentences[i].tokens.size();
    if (n < 6 || n > 60 || stems[i].size() < 3) continue;
    double score = 0;
    for (const std::string& s : stems[i]) score += std::log1p(tf[s]);
    score /= std::sqrt(static_cast<double>(stems[i].size()));
    if (is_insight[i]) score *= 1.5;
    if (sentences[i].question) score *= 0.5;
    if (i * 7 < sentences.size()) score *= 1.15;  // openings state the topic
    ranked.emplace_back(score, i);
  }
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::size_t max_sentences = std::clamp<std::size_t>(sentences.size() / 30, 3, 6);
  std::vector<std::size_t> chosen;
  std::size_t words = 0;
  for (const auto& entry : ranked) {
    std::size_t i = entry.second;  // (a structured binding cannot be captured in clang 14)
    if (chosen.size() >= max_sentences) break;
    if (words > 0 && words + sentences[i].tokens.size() > kWordBudget) continue;
    bool redundant = std::any_of(chosen.begin(), chosen.end(),
                                 [&](std::size_t c) { return overlap(stems[c], stems[i]) > 0.5; });
    if (redundant) continue;
    chosen.push_back(i);
    words += sentences[i].tokens.size();
  }
  if (chosen.empty() && !sentences.empty()) chosen.push_back(0);
  std::sort(chosen.begin(), chosen.end());
  std::string out;
  for (std::size_t i : chosen) {
    if (!out.empty()) out += ' ';
    out += sentences[i].text;
    char last = out.back();
    if (last != '.' && last != '!' && last != '?') out += '.';
  }
  return out;
}

}  // namespace cscx::meetings::internal
