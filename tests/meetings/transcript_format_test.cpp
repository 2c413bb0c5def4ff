// Format detection and turn splitting (issue 6).
#include <gtest/gtest.h>

#include "meetings/transcript_internal.h"

namespace cscx::meetings::internal {
namespace {

ParsedTranscript parse(std::string_view text) {
  bool repaired = false;
  std::string normalized = normalize_text(text, &repaired);
  auto parsed = parse_transcript(normalized, AnalyzeLimits{});
  EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().message);
  return parsed ? *parsed : ParsedTranscript{};
}

TEST(TranscriptFormat, ReadsSpeakerLinesWithContinuations) {
  auto p = parse("Sarah Chen: Hello there.\nstill Sarah here.\nMike: Hi.\n");
  EXPECT_EQ(p.format, TranscriptFormat::kSpeakerLines);
  ASSERT_EQ(p.turns.size(), 2u);
  EXPECT_EQ(p.turns[0].speaker, "Sarah Chen");
  EXPECT_EQ(p.turns[0].text, "Hello there. still Sarah here.");
  EXPECT_EQ(p.turns[1].speaker, "Mike");
}

TEST(TranscriptFormat, DoesNotTakeHeadingsForSpeakers) {
  auto p = parse("Sarah: Let's start.\nAction items: Sarah to send the deck.\n");
  ASSERT_EQ(p.turns.size(), 1u);
  EXPECT_EQ(p.turns[0].speaker, "Sarah");
}

TEST(TranscriptFormat, ReadsBracketedTimestamps) {
  auto p = parse("[00:00:05] Ana: First.\n[00:00:15] Bo: Second one here.\n");
  EXPECT_EQ(p.format, TranscriptFormat::kTimestampedLines);
  ASSERT_EQ(p.turns.size(), 2u);
  EXPECT_EQ(p.turns[1].speaker, "Bo");
  EXPECT_DOUBLE_EQ(*p.turns[0].start_s, 5);
  EXPECT_DOUBLE_EQ(*p.turns[0].end_s, 15);  // until the next turn starts
  EXPECT_TRUE(p.timed);
}

TEST(TranscriptFormat, ReadsParenthesisedMinuteTimestamps) {
  auto p = parse("(01:02) Ana: First.\n(01:09) Bo: Second.\n");
  EXPECT_EQ(p.format, TranscriptFormat::kTimestampedLines);
  EXPECT_DOUBLE_EQ(*p.turns[0].start_s, 62);
}

TEST(TranscriptFormat, ReadsTeamsVoiceTags) {
  auto p = parse(
      "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n<v Elena Garcia>Welcome &amp; hello.</v>\n\n"
      "00:00:04.500 --> 00:00:06.000\n<v James>Thanks.</v>\n");
  EXPECT_EQ(p.format, TranscriptFormat::kWebVtt);
  ASSERT_EQ(p.turns.size(), 2u);
  EXPECT_EQ(p.turns[0].speaker, "Elena Garcia");
  EXPECT_EQ(p.turns[0].text, "Welcome & hello.");
  EXPECT_DOUBLE_EQ(*p.turns[1].end_s - *p.turns[1].start_s, 1.5);
}

TEST(TranscriptFormat, ReadsZoomCuesAndMergesOneSpeakersCues) {
  auto p = parse(
      "WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nKevin: We will send the\n\n"
      "2\n00:00:02.000 --> 00:00:03.000\nKevin: contract by Friday.\n");
  ASSERT_EQ(p.turns.size(), 1u);
  EXPECT_EQ(p.turns[0].text, "We will send the contract by Friday.");
  EXPECT_DOUBLE_EQ(*p.turns[0].end_s, 3);
}

TEST(TranscriptFormat, ReadsVttWithoutSpeakers) {
  auto p = parse("WEBVTT\nKind: captions\n\n00:01.000 --> 00:02.000\nhello there\n\n"
                 "NOTE a comment\n\n00:02.000 --> 00:03.000\nhow are you?\n");
  EXPECT_EQ(p.format, TranscriptFormat::kWebVtt);
  ASSERT_EQ(p.turns.size(), 1u);
  EXPECT_EQ(p.turns[0].speaker, "");
  EXPECT_EQ(p.turns[0].text, "hello there how are you?");
}

TEST(TranscriptFormat, ReadsSrtWithSpeakers) {
  auto p = parse("1\n00:00:00,500 --> 00:00:05,000\nHannah: Hi Luis.\n\n"
                 "2\n00:00:05,500 --> 00:00:12,000\nLuis: Hi Hannah.\n");
  EXPECT_EQ(p.format, TranscriptFormat::kSrt);
  ASSERT_EQ(p.turns.size(), 2u);
  EXPECT_EQ(p.turns[1].speaker, "Luis");
  EXPECT_DOUBLE_EQ(*p.turns[0].start_s, 0.5);
}

TEST(TranscriptFormat, ReadsOtterSpeakerHeaders) {
  auto p = parse("Grace Liu  0:01\nHello.\n\nPeter Walsh  0:07\nHi Grace.\n");
  ASSERT_EQ(p.turns.size(), 2u);
  EXPECT_EQ(p.turns[0].speaker, "Grace Liu");
  EXPECT_EQ(p.turns[1].text, "Hi Grace.");
}

TEST(TranscriptFormat, ReadsProseAsOneUnlabelledTurn) {
  auto p = parse("We met today. Everything is fine.\n");
  EXPECT_EQ(p.format, TranscriptFormat::kPlainText);
  ASSERT_EQ(p.turns.size(), 1u);
  EXPECT_EQ(p.turns[0].speaker, "");
}

TEST(TranscriptFormat, RepairsInvalidUtf8AndTypographicQuotes) {
  bool repaired = false;
  std::string out = normalize_text("I\xE2\x80\x99ll send \xFF it", &repaired);
  EXPECT_TRUE(repaired);
  EXPECT_EQ(out, "I'll send \xEF\xBF\xBD it");
}

TEST(TranscriptFormat, RefusesTooManyTurns) {
  AnalyzeLimits limits;
  limits.max_turns = 2;
  auto p = parse_transcript("A: one\nB: two\nA: three\n", limits);
  ASSERT_FALSE(p);
  EXPECT_EQ(p.error().code, Code::kPayloadTooLarge);
}

TEST(TranscriptFormat, ParsesClocks) {
  EXPECT_DOUBLE_EQ(*parse_clock("01:02:03.500"), 3723.5);
  EXPECT_DOUBLE_EQ(*parse_clock("02:03,25"), 123.25);
  EXPECT_FALSE(parse_clock("12"));
  EXPECT_FALSE(parse_clock("1:75"));
}

TEST(TranscriptText, SplitsSentencesAroundAbbreviationsAndDecimals) {
  auto s = split_sentences("Dr. Smith paid 3.5 million. Is that right? Yes!");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0], "Dr. Smith paid 3.5 million.");
}

TEST(TranscriptText, CleansAnnotationsFillersAndRepeats) {
  EXPECT_EQ(clean_utterance("Um {vocalsound} so our our project . [inaudible] Okay"),
            "so our project. Okay");
}

}  // namespace
}  // namespace cscx::meetings::internal
