// Storing a meeting's transcript and the insights the analyser finds in it:
// the service behind `POST /api/meetings/:id/transcript` (issue 6).
//
// Everything runs as the caller (`db::RequestIdentity`), so row-level
// security decides which meetings exist for them: a meeting they cannot see
// is kNotFound and nothing is written. The HTTP side (parsing the request,
// statuses) is transcript_routes.cpp; the analysis itself is
// transcript_analyzer.h. docs/meetings.md ("HTTP API") describes the rows.
//
// What a post writes, in one transaction:
//   - the meeting's `transcripts` row: the newest one is updated in place,
//     or one is inserted when the meeting has none; content, duration
//     (seconds, null when untimed), speakers (names), word_count, and
//     metadata {format, summary, sentiment, meeting_date, repaired_utf8}
//     merged into what the row already holds;
//   - the meeting's generated insights: every `insights` row of the meeting
//     with source = 'transcript' is deleted, then one row is inserted per
//     decision, action item, concern and risk signal, with that source.
//     Insights with any other source ('meeting', 'email', ...) are never
//     touched, so a re-post replaces generated insights and keeps manual ones.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/error.h"
#include "db/pool.h"
#include "llm/llm_client.h"

namespace cscx::meetings {

// The `insights.source` of rows this service generates (and replaces).
inline constexpr std::string_view kGeneratedInsightSource = "transcript";

struct TranscriptPost {
  std::string meeting_id;  // a uuid (the caller validated its form)
  std::string content;     // the transcript as posted, any supported format
  // Resolves relative due dates. When absent, the meeting's scheduled_at
  // (its UTC date) is used; an unscheduled meeting leaves them null.
  std::optional<std::chrono::year_month_day> meeting_date;
  // When set, the optional LLM provider refines the analysis before it is
  // stored (llm/llm_assist.h); its failures keep the analyser's result.
  std::optional<llm::LlmConfig> llm;
};

// Analyses `post.content` and stores it with its insights as `who`. Returns
// the response body, built by PostgreSQL:
//   {"transcript": <the row without content>, "analysis": <to_json()>,
//    "insights": [<the generated insights rows, in analysis order>]}
// Invalid UTF-8 in the content is replaced by U+FFFD and NUL characters
// are dropped before it is analysed and stored (a text column holds
// neither).
//
// Fails with kNotFound when the meeting does not exist or RLS hides it,
// kInvalidArgument when the transcript holds no words, kPayloadTooLarge
// past the analyser's limits, and the pool's errors (kUnavailable,
// kPermissionDenied for a role without write privileges, ...). On any
// failure nothing is written. `pool`, `who` and `post` must outlive the
// returned awaitable. Thread-safe (the pool is).
boost::asio::awaitable<Result<std::string>> post_transcript(
    db::Pool& pool, const db::RequestIdentity& who, const TranscriptPost& post);

}  // namespace cscx::meetings
