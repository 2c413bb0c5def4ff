// Behaviour of the transcript analyser, one rule per test (issue 6).
#include "meetings/transcript_analyzer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>

namespace cscx::meetings {
namespace {

TranscriptAnalysis analyze(std::string_view text, std::string_view date = "2024-03-06") {
  AnalyzeOptions options;
  options.meeting_date = parse_iso_date(date).value();
  auto a = analyze_transcript(text, options);
  EXPECT_TRUE(a) << (a ? "" : a.error().message);
  return a ? *a : TranscriptAnalysis{};
}

bool has_risk(const TranscriptAnalysis& a, RiskType type) {
  return std::any_of(a.risk_signals.begin(), a.risk_signals.end(),
                     [&](const RiskSignal& r) { return r.type == type; });
}

Sentiment speaker_sentiment(const TranscriptAnalysis& a, std::string_view name) {
  for (const auto& s : a.speakers) {
    if (s.name == name) return s.sentiment;
  }
  ADD_FAILURE() << "no speaker " << name;
  return Sentiment::kNeutral;
}

TEST(TranscriptOwner, FirstPersonCommitmentIsTheSpeakers) {
  auto a = analyze("Sarah: I'll send the revised quote by Friday.\nMike: Thanks.\n");
  ASSERT_EQ(a.action_items.size(), 1u);
  EXPECT_EQ(a.action_items[0].owner, "Sarah");
  EXPECT_EQ(a.action_items[0].description, "Send the revised quote by Friday");
  EXPECT_EQ(format_iso_date(*a.action_items[0].due_date), "2024-03-08");
}

TEST(TranscriptOwner, NamedCommitmentIsTheNamedPerson) {
  auto a = analyze("Sarah Chen: Great.\nMike: Sarah will set up the training next week.\n");
  ASSERT_EQ(a.action_items.size(), 1u);
  EXPECT_EQ(a.action_items[0].owner, "Sarah Chen");  // resolved to the speaker label
  EXPECT_FALSE(a.action_items[0].due_date);          // "next week" is vague
}

TEST(TranscriptOwner, PersonWhoIsNotASpeakerKeepsTheirName) {
  auto a = analyze("Mike: Priya from legal will review the contract tomorrow.\n");
  ASSERT_EQ(a.action_items.size(), 1u);
  EXPECT_EQ(a.action_items[0].owner, "Priya");
  EXPECT_EQ(format_iso_date(*a.action_items[0].due_date), "2024-03-07");
}

TEST(TranscriptOwner, AcceptedRequestBelongsToTheListener) {
  auto a = analyze("Ana: Could you share the usage report?\nBo: Sure, I'll do that by Monday.\n");
  ASSERT_EQ(a.action_items.size(), 1u);
  EXPECT_EQ(a.action_items[0].owner, "Bo");
  EXPECT_EQ(format_iso_date(*a.action_items[0].due_date), "2024-03-11");
}

TEST(TranscriptOwner, UnansweredRequestIsNoActionItem) {
  auto a = analyze("Ana: Could you share the usage report?\nBo: Not right now, sorry.\n");
  EXPECT_TRUE(a.action_items.empty());
}

TEST(TranscriptOwner, NegatedOrConditionalCommitmentIsNoActionItem) {
  auto a = analyze("Ana: I won't send the deck. If I can fix the bug, great.\n");
  EXPECT_TRUE(a.action_items.empty());
}

TEST(TranscriptOwner, UntaggedFirstPersonHasNoOwner) {
  auto a = analyze("I'll book the room for Thursday.\n");
  ASSERT_EQ(a.action_items.size(), 1u);
  EXPECT_FALSE(a.action_items[0].owner);
}

TEST(TranscriptDecision, RecognisesAgreementAndIgnoresNegation) {
  auto a = analyze("Ana: We decided to go with the annual plan.\n"
                   "Bo: We haven't decided on the pilot yet.\n");
  ASSERT_EQ(a.decisions.size(), 1u);
  EXPECT_EQ(a.decisions[0], "We decided to go with the annual plan.");
}

TEST(TranscriptConcern, FindsPolitelyVoicedConcerns) {
  auto a = analyze("Bo: I'm a bit worried about the migration window.\n"
                   "Bo: I'm not sure that the team has enough time.\n"
                   "Ana: I'm not worried about the timeline at all.\n");
  ASSERT_EQ(a.concerns.size(), 2u);
  EXPECT_EQ(a.concerns[1], "I'm not sure that the team has enough time.");
}

TEST(TranscriptConcern, AcknowledgingAConcernIsNotOne) {
  auto a = analyze("Ana: I understand your concern about the price.\n");
  EXPECT_TRUE(a.concerns.empty());
}

TEST(TranscriptSentiment, NegationFlipsPraise) {
  auto a = analyze("Bo: I am not happy with the support response times at all.\n");
  EXPECT_EQ(speaker_sentiment(a, "Bo"), Sentiment::kNegative);
}

TEST(TranscriptSentiment, SarcasmTurnsPraiseNegative) {
  auto a = analyze("Bo: Oh great, another outage this morning.\n");
  EXPECT_EQ(speaker_sentiment(a, "Bo"), Sentiment::kNegative);
}

TEST(TranscriptSentiment, PlainPraiseIsPositive) {
  auto a = analyze("Bo: The new dashboards are great and the team loves them.\n");
  EXPECT_EQ(speaker_sentiment(a, "Bo"), Sentiment::kPositive);
  EXPECT_EQ(a.overall_sentiment, Sentiment::kPositive);
}

TEST(TranscriptSentiment, PraiseAndComplaintIsMixed) {
  auto a = analyze("Bo: The dashboards are excellent and really helpful.\n"
                   "Bo: But the exports are terrible and the sync is painfully slow.\n");
  EXPECT_EQ(speaker_sentiment(a, "Bo"), Sentiment::kMixed);
}

TEST(TranscriptSentiment, SmallTalkIsNeutral) {
  auto a = analyze("Ana: Let's look at the agenda.\nBo: The agenda has three items.\n");
  EXPECT_EQ(a.overall_sentiment, Sentiment::kNeutral);
}

TEST(TranscriptRisk, ChurnRisk) {
  EXPECT_TRUE(has_risk(analyze("Bo: We are considering whether to cancel the subscription.\n"),
                       RiskType::kChurnRisk));
}
TEST(TranscriptRisk, NegatedChurnIsNoRisk) {
  EXPECT_FALSE(has_risk(analyze("Bo: We have no plans to cancel anything.\n"),
                        RiskType::kChurnRisk));
}
TEST(TranscriptRisk, BudgetCut) {
  EXPECT_TRUE(has_risk(analyze("Bo: Our budget was cut by a third this year.\n"),
                       RiskType::kBudgetCut));
}
TEST(TranscriptRisk, ChampionLeaving) {
  EXPECT_TRUE(has_risk(analyze("Bo: I wanted you to know I'm leaving the company in May.\n"),
                       RiskType::kChampionLeaving));
}
TEST(TranscriptRisk, CompetitorMention) {
  auto a = analyze("Bo: Gainsight pitched us a cheaper package last week.\n");
  ASSERT_TRUE(has_risk(a, RiskType::kCompetitorMention));
  EXPECT_EQ(a.risk_signals[0].sentence, "Gainsight pitched us a cheaper package last week.");
  EXPECT_EQ(a.risk_signals[0].speaker, "Bo");
}
TEST(TranscriptRisk, RenewalAtRisk) {
  EXPECT_TRUE(has_risk(analyze("Bo: Honestly, I'm not sure we will renew in June.\n"),
                       RiskType::kRenewalAtRisk));
  EXPECT_FALSE(has_risk(analyze("Bo: We're excited to renew in June.\n"),
                        RiskType::kRenewalAtRisk));
}
TEST(TranscriptRisk, ExpansionOpportunity) {
  EXPECT_TRUE(has_risk(analyze("Bo: The finance team wants fifty more seats.\n"),
                       RiskType::kExpansionOpportunity));
}

TEST(TranscriptTalkTime, SharesSumToOne) {
  auto a = analyze("Ana: One two three.\nBo: One.\nCy: One two.\nAna: Four five six seven.\n");
  double sum = 0;
  for (const auto& s : a.speakers) sum += s.talk_share;
  EXPECT_NEAR(sum, 1.0, 1e-9);
  EXPECT_NEAR(a.speakers[0].talk_share, 0.7, 1e-9);  // 7 of 10 words
}

TEST(TranscriptTalkTime, UsesCueTimesWhenTimed) {
  auto a = analyze("WEBVTT\n\n00:00.000 --> 00:30.000\n<v Ana>Hi.</v>\n\n"
                   "00:30.000 --> 00:40.000\n<v Bo>Hello there, how are you all today?</v>\n");
  EXPECT_NEAR(a.speakers[0].talk_share, 0.75, 1e-9);
  EXPECT_NEAR(*a.duration_seconds, 40, 1e-9);
}

TEST(TranscriptLimits, RefusesInputOverTheSizeLimit) {
  AnalyzeOptions options;
  options.limits.max_bytes = 10;
  auto a = analyze_transcript("Ana: this is longer than ten bytes", options);
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, Code::kPayloadTooLarge);
}

TEST(TranscriptLimits, RefusesInputWithoutWords) {
  auto a = analyze_transcript("WEBVTT\n\n", {});
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, Code::kInvalidArgument);
}

TEST(TranscriptLimits, CapsEachOutputList) {
  AnalyzeOptions options;
  options.limits.max_items = 2;
  std::string text;
  for (int i = 0; i < 5; ++i) text += "Bo: I'm worried about item " + std::to_string(i) + ".\n";
  auto a = analyze_transcript(text, options);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->concerns.size(), 2u);
}

TEST(TranscriptJson, HasExactlyTheIssueFields) {
  auto a = analyze("Ana: I'll send the notes tomorrow.\nBo: Thanks, that's great.\n");
  auto o = to_json(a);
  std::vector<std::string> keys;
  for (const auto& kv : o) keys.emplace_back(kv.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"summary", "decisions", "action_items", "concerns",
                                            "sentiment", "key_quotes", "risk_signals",
                                            "talk_time"}));
  EXPECT_EQ(o.at("action_items").as_array()[0].as_object().at("due_date"), "2024-03-07");
  EXPECT_EQ(o.at("sentiment").as_object().at("per_speaker").as_object().at("Bo"), "positive");
}

TEST(TranscriptJson, IsDeterministic) {
  std::string text = "Ana: We decided to expand. I'll email Bo by Friday.\nBo: Great news!\n";
  EXPECT_EQ(boost::json::serialize(to_json(analyze(text))),
            boost::json::serialize(to_json(analyze(text))));
}

TEST(TranscriptSummary, IsExtractiveAndShort) {
  auto a = analyze(
      "Ana: Welcome to the quarterly business review for the analytics rollout.\n"
      "Bo: The analytics rollout reached every regional support team this quarter.\n"
      "Ana: Great.\n"
      "Bo: We decided to extend the analytics rollout to the sales teams in May.\n");
  EXPECT_NE(a.summary.find("We decided to extend the analytics rollout"), std::string::npos);
  EXPECT_EQ(a.summary.find("Great."), std::string::npos);
}

TEST(TranscriptDates, ParsesIsoDates) {
  EXPECT_TRUE(parse_iso_date("2024-02-29"));
  EXPECT_FALSE(parse_iso_date("2023-02-29"));
  EXPECT_FALSE(parse_iso_date("06/03/2024"));
}

}  // namespace
}  // namespace cscx::meetings
