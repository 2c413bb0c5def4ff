#include "meetings/transcript_analyzer.h"

#include <fmt/core.h>

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <unordered_map>

#include "meetings/transcript_internal.h"

namespace cscx::meetings {
namespace {

using internal::Sentence;

// Shares rounded to thousandths that still sum to exactly 1000/1000
// (largest remainder), so talk_time adds up in the JSON too.
std::vector<double> round_shares(const std::vector<double>& amounts) {
  double total = 0;
  for (double a : amounts) total += a;
  std::vector<double> out(amounts.size(), 0);
  if (total <= 0) return out;
  std::vector<long> units(amounts.size());
  std::vector<std::pair<double, std::size_t>> rest;
  long given = 0;
  for (std::size_t i = 0; i < amounts.size(); ++i) {
    double exact = amounts[i] / total * 1000;
    units[i] = static_cast<long>(std::floor(exact));
    given += units[i];
    rest.emplace_back(exact - static_cast<double>(units[i]), i);
  }
  std::stable_sort(rest.begin(), rest.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  for (std::size_t k = 0; given < 1000 && k < rest.size(); ++k, ++given) ++units[rest[k].second];
  for (std::size_t i = 0; i < amounts.size(); ++i) out[i] = static_cast<double>(units[i]) / 1000;
  return out;
}

boost::json::value date_or_null(const std::optional<std::chrono::year_month_day>& d) {
  if (!d) return nullptr;
  return boost::json::string(format_iso_date(*d));
}

}  // namespace

std::string_view format_name(TranscriptFormat format) {
  switch (format) {
    case TranscriptFormat::kSpeakerLines:
      return "speaker_lines";
    case TranscriptFormat::kTimestampedLines:
      return "timestamped_lines";
    case TranscriptFormat::kWebVtt:
      return "webvtt";
    case TranscriptFormat::kSrt:
      return "srt";
    case TranscriptFormat::kPlainText:
      return "plain_text";
  }
  return "plain_text";
}

std::string_view sentiment_name(Sentiment sentiment) {
  switch (sentiment) {
    case Sentiment::kPositive:
      return "positive";
    case Sentiment::kNeutral:
      return "neutral";
    case Sentiment::kNegative:
      return "negative";
    case Sentiment::kMixed:
      return "mixed";
  }
  return "neutral";
}

std::string_view risk_type_name(RiskType type) {
  switch (type) {
    case RiskType::kChurnRisk:
      return "churn_risk";
    case RiskType::kBudgetCut:
      return "budget_cut";
    case RiskType::kChampionLeaving:
      return "champion_leaving";
    case RiskType::kCompetitorMention:
      return "competitor_mention";
    case RiskType::kRenewalAtRisk:
      return "renewal_at_risk";
    case RiskType::kExpansionOpportunity:
      return "expansion_opportunity";
  }
  return "churn_risk";
}

Result<TranscriptAnalysis> analyze_transcript(std::string_view text,
                                              const AnalyzeOptions& options) {
  const AnalyzeLimits& limits = options.limits;
  if (text.size() > limits.max_bytes) {
    return make_error(Code::kPayloadTooLarge,
                      fmt::format("transcript is {} bytes; the limit is {} bytes", text.size(),
                                  limits.max_bytes));
  }
  TranscriptAnalysis out;
  std::string normalized = internal::normalize_text(text, &out.repaired_utf8);
  auto parsed = internal::parse_transcript(normalized, limits);
  if (!parsed) return parsed.error();
  out.format = parsed->format;

  std::vector<std::string> speakers;
  std::unordered_map<std::string, std::size_t> speaker_index;
  std::vector<double> seconds, words;
  std::vector<Sentence> sentences;
  for (const internal::Turn& turn : parsed->turns) {
    std::size_t who = internal::kNoSpeaker;
    if (!turn.speaker.empty()) {
      auto [it, added] = speaker_index.emplace(turn.speaker, speakers.size());
      if (added) {
        speakers.push_back(turn.speaker);
        seconds.push_back(0);
        words.push_back(0);
      }
      who = it->second;
    }
    std::string cleaned = internal::clean_utterance(turn.text);
    for (std::string& text_of : internal::split_sentences(cleaned)) {
      Sentence s;
      s.index = sentences.size();
      s.speaker = who;
      s.tokens = internal::tokenize(text_of);
      if (s.tokens.empty()) continue;
      s.question = text_of.back() == '?';
      s.text = std::move(text_of);
      out.word_count += s.tokens.size();
      if (who != internal::kNoSpeaker) words[who] += static_cast<double>(s.tokens.size());
      sentences.push_back(std::move(s));
    }
    if (who != internal::kNoSpeaker && turn.start_s && turn.end_s) {
      seconds[who] += std::max(0.0, *turn.end_s - *turn.start_s);
    }
  }
  if (sentences.empty()) {
    return make_error(Code::kInvalidArgument, "transcript has no words");
  }
  if (parsed->timed) {
    out.duration_seconds = std::max(0.0, *parsed->turns.back().end_s -
                                             *parsed->turns.front().start_s);
  }

  std::vector<double> scores(sentences.size());
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    scores[i] = internal::sentence_sentiment(sentences[i].tokens);
  }
  internal::Extraction ex;
  ex.is_insight.assign(sentences.size(), false);
  ex.has_action.assign(sentences.size(), false);
  ex.has_trouble.assign(sentences.size(), false);
  internal::extract_commitments(sentences, speakers, options, ex);
  internal::extract_concerns_and_risks(sentences, speakers, scores, limits, ex);
  // A voiced concern or risk counts as negative even without a negative
  // word ("nobody really uses it", "our budget was cut").
  std::vector<std::vector<double>> per_speaker(speakers.size());
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    if (ex.has_trouble[i]) scores[i] = std::min(scores[i], -1.0);
    if (sentences[i].speaker != internal::kNoSpeaker) {
      per_speaker[sentences[i].speaker].push_back(scores[i]);
    }
  }
  out.overall_sentiment = internal::label_sentiment(scores);

  double total_seconds = 0;
  for (double s : seconds) total_seconds += s;
  std::vector<double> shares =
      round_shares(parsed->timed && total_seconds > 0 ? seconds : words);
  for (std::size_t k = 0; k < speakers.size(); ++k) {
    SpeakerStats st;
    st.name = speakers[k];
    st.words = static_cast<std::size_t>(words[k]);
    st.seconds = seconds[k];
    st.talk_share = shares[k];
    st.sentiment = internal::label_sentiment(per_speaker[k]);
    out.speakers.push_back(std::move(st));
  }

  out.summary = internal::make_summary(sentences, ex.is_insight);
  out.key_quotes = internal::pick_key_quotes(sentences, scores, speakers);
  out.decisions = std::move(ex.decisions);
  out.action_items = std::move(ex.action_items);
  out.concerns = std::move(ex.concerns);
  out.risk_signals = std::move(ex.risk_signals);
  return out;
}

boost::json::object to_json(const TranscriptAnalysis& a) {
  namespace json = boost::json;
  json::object o;
  o["summary"] = a.summary;
  json::array decisions;
  for (const auto& d : a.decisions) decisions.emplace_back(d);
  o["decisions"] = std::move(decisions);
  json::array actions;
  for (const auto& item : a.action_items) {
    json::object x;
    x["description"] = item.description;
    x["owner"] = item.owner ? json::value(*item.owner) : json::value(nullptr);
    x["due_date"] = date_or_null(item.due_date);
    actions.push_back(std::move(x));
  }
  o["action_items"] = std::move(actions);
  json::array concerns;
  for (const auto& c : a.concerns) concerns.emplace_back(c);
  o["concerns"] = std::move(concerns);
  json::object per_speaker;
  for (const auto& s : a.speakers) per_speaker[s.name] = sentiment_name(s.sentiment);
  o["sentiment"] = {{"overall", sentiment_name(a.overall_sentiment)},
                    {"per_speaker", std::move(per_speaker)}};
  json::array quotes;
  for (const auto& q : a.key_quotes) {
    quotes.push_back(json::object{{"speaker", q.speaker}, {"quote", q.quote}});
  }
  o["key_quotes"] = std::move(quotes);
  json::array risks;
  for (const auto& r : a.risk_signals) {
    risks.push_back(json::object{
        {"type", risk_type_name(r.type)}, {"sentence", r.sentence}, {"speaker", r.speaker}});
  }
  o["risk_signals"] = std::move(risks);
  json::object talk;
  for (const auto& s : a.speakers) talk[s.name] = s.talk_share;
  o["talk_time"] = std::move(talk);
  // Only when the LLM provider changed something, so the built-in output
  // stays exactly the object.
  if (!a.sources.empty()) {
    json::object sources;
    for (const auto& [name, source] : a.sources) sources[name] = source;
    o["sources"] = std::move(sources);
  }
  return o;
}

Result<std::chrono::year_month_day> parse_iso_date(std::string_view text) {
  auto bad = [&] {
    return make_error(Code::kInvalidArgument,
                      fmt::format("'{}' is not a date (expected YYYY-MM-DD)", text));
  };
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return bad();
  int y = 0;
  unsigned m = 0, d = 0;
  auto num = [&](std::size_t pos, std::size_t len, auto& v) {
    auto [p, ec] = std::from_chars(text.data() + pos, text.data() + pos + len, v);
    return ec == std::errc() && p == text.data() + pos + len;
  };
  if (!num(0, 4, y) || !num(5, 2, m) || !num(8, 2, d)) return bad();
  std::chrono::year_month_day ymd{std::chrono::year(y), std::chrono::month(m),
                                  std::chrono::day(d)};
  if (!ymd.ok()) return bad();
  return ymd;
}

std::string format_iso_date(std::chrono::year_month_day date) {
  return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(date.year()),
                     static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
}

}  // namespace cscx::meetings
