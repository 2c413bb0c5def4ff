#include "meetings/transcript_store.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <span>
#include <utility>
#include <vector>

#include "llm/llm_assist.h"
#include "meetings/transcript_analyzer.h"

namespace cscx::meetings {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// The meeting's date for resolving relative due dates, read before the
// analysis when the caller gave none. No row: the meeting is invisible.
// The UTC date, as the server's clock has no time zone of the caller's.
constexpr const char* kMeetingDate =
    "SELECT to_char(m.scheduled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
    "  FROM public.meetings m WHERE m.id = $1::uuid";

// Visibility check and lock in one. It runs alone before the writes: under
// READ COMMITTED each later statement of the pipeline takes a new snapshot,
// so a concurrent post of the same meeting, which held this lock, has
// committed and its insights are seen (and deleted) rather than duplicated.
// NO KEY UPDATE still lets other transactions insert rows that reference the
// meeting (their foreign-key checks take KEY SHARE).
constexpr const char* kLockMeeting =
    "SELECT m.id FROM public.meetings m WHERE m.id = $1::uuid FOR NO KEY UPDATE";

// The seed has no unique key on transcripts.meeting_id, so "upsert" is: update
// the newest row of the meeting, or insert one when it has none. Both halves
// read the meeting under RLS; for an invisible meeting nothing is written.
// $1 meeting, $2 content, $3 duration (s), $4 speakers, $5 word_count,
// $6 metadata merged into the row's.
constexpr const char* kSaveTranscript =
    "WITH meeting AS ("
    "  SELECT m.id FROM public.meetings m WHERE m.id = $1::uuid),"
    " newest AS ("
    "  SELECT t.id FROM public.transcripts t WHERE t.meeting_id = $1::uuid"
    "  ORDER BY t.created_at DESC NULLS LAST, t.id DESC LIMIT 1),"
    " updated AS ("
    "  UPDATE public.transcripts t"
    "     SET content = $2::text, duration = $3::integer, speakers = $4::jsonb,"
    "         word_count = $5::integer,"
    "         metadata = coalesce(t.metadata, '{}') || $6::jsonb"
    "    FROM newest WHERE t.id = newest.id RETURNING t.id)"
    " INSERT INTO public.transcripts"
    "        (meeting_id, content, duration, speakers, word_count, metadata)"
    " SELECT meeting.id, $2::text, $3::integer, $4::jsonb, $5::integer, $6::jsonb"
    "   FROM meeting WHERE NOT EXISTS (SELECT 1 FROM newest)";

// Generated insights are those with source 'transcript' (kGeneratedInsightSource).
constexpr const char* kDeleteGeneratedInsights =
    "DELETE FROM public.insights i"
    " WHERE i.meeting_id = $1::uuid AND i.source = 'transcript'";

// One row per element of $2 (see insight_rows()); the customer comes from
// the meeting, which also pins the row to the caller's tenant (RLS on
// meetings here, WITH CHECK and insights_meeting_tenant_fkey on insert).
constexpr const char* kInsertInsights =
    "INSERT INTO public.insights (customer_id, meeting_id, source, type, content,"
    "                             importance, owner, due_date, metadata)"
    " SELECT m.customer_id, m.id, 'transcript', r.type, r.content, r.importance, r.owner,"
    "        r.due_date, r.metadata"
    "   FROM public.meetings m"
    "  CROSS JOIN json_to_recordset($2::json)"
    "       AS r(type text, content text, importance text, owner text, due_date date,"
    "            metadata jsonb)"
    "  WHERE m.id = $1::uuid";

// The response body. The transcript is the row just written (same choice of
// row as kSaveTranscript) without its content, which the caller has; the
// insights are the rows as stored, in the order of the analysis.
constexpr const char* kTranscriptResponse =
    "SELECT json_build_object("
    "  'transcript', (SELECT to_json(t) FROM ("
    "     SELECT t.id, t.meeting_id, t.duration, t.speakers, t.word_count, t.language,"
    "            t.metadata, t.created_at"
    "       FROM public.transcripts t WHERE t.meeting_id = $1::uuid"
    "      ORDER BY t.created_at DESC NULLS LAST, t.id DESC LIMIT 1) t),"
    "  'analysis', $2::json,"
    "  'insights', (SELECT coalesce(json_agg(i ORDER BY (i.metadata->>'position')::int),"
    "                               '[]')"
    "                 FROM public.insights i"
    "                WHERE i.meeting_id = $1::uuid AND i.source = 'transcript'))::text";

// Replaces invalid UTF-8 by U+FFFD (one per offending byte) and drops NUL:
// PostgreSQL refuses both in text, and libpq's text parameters end at NUL.
std::string storable_text(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  const std::size_t n = in.size();
  auto cont = [&](std::size_t i) { return i < n && (s[i] & 0xC0) == 0x80; };
  for (std::size_t i = 0; i < n;) {
    const unsigned char c = s[i];
    std::size_t len = 0;
    if (c < 0x80) {
      len = 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      len = cont(i + 1) ? 2 : 0;
    } else if (c >= 0xE0 && c <= 0xEF) {
      // E0 needs A0..BF next (no overlongs), ED 80..9F (no surrogates).
      const bool second_ok =
          i + 1 < n && (c == 0xE0   ? s[i + 1] >= 0xA0 && s[i + 1] <= 0xBF
                        : c == 0xED ? s[i + 1] >= 0x80 && s[i + 1] <= 0x9F
                                    : cont(i + 1));
      len = second_ok && cont(i + 2) ? 3 : 0;
    } else if (c >= 0xF0 && c <= 0xF4) {
      // F0 needs 90..BF next (no overlongs), F4 80..8F (nothing past U+10FFFF).
      const bool second_ok =
          i + 1 < n && (c == 0xF0   ? s[i + 1] >= 0x90 && s[i + 1] <= 0xBF
                        : c == 0xF4 ? s[i + 1] >= 0x80 && s[i + 1] <= 0x8F
                                    : cont(i + 1));
      len = second_ok && cont(i + 2) && cont(i + 3) ? 4 : 0;
    }
    if (len == 0) {
      out += "\xEF\xBF\xBD";
      ++i;
    } else if (len == 1 && c == 0) {
      ++i;
    } else {
      out.append(in.substr(i, len));
      i += len;
    }
  }
  return out;
}

// How much a risk signal matters, in the seed's importance values
// (low, medium, high, critical).
std::string_view risk_importance(RiskType type) {
  switch (type) {
    case RiskType::kChurnRisk:
    case RiskType::kRenewalAtRisk:
      return "critical";
    case RiskType::kBudgetCut:
    case RiskType::kChampionLeaving:
      return "high";
    case RiskType::kCompetitorMention:
    case RiskType::kExpansionOpportunity:
      return "medium";
  }
  return "medium";
}

// The insights rows for kInsertInsights, as a JSON array of
// {type, content, importance, owner, due_date, metadata}. Types follow the
// seed ('decision', 'action_item', 'concern'); risk signals are type 'risk'
// with the signal's name in metadata.signal. metadata.position keeps the
// analysis order.
std::string insight_rows(const TranscriptAnalysis& analysis) {
  json::array rows;
  auto add = [&rows](std::string_view type, std::string_view content,
                     std::string_view importance, json::object metadata) {
    metadata["position"] = rows.size();
    rows.push_back(json::object{{"type", type},
                                {"content", content},
                                {"importance", importance},
                                {"metadata", std::move(metadata)}});
    return &rows.back().as_object();
  };
  for (const auto& d : analysis.decisions) add("decision", d, "medium", {});
  for (const auto& item : analysis.action_items) {
    json::object* row = add("action_item", item.description, "medium",
                            json::object{{"sentence", item.sentence}});
    if (item.owner) (*row)["owner"] = *item.owner;
    if (item.due_date) (*row)["due_date"] = format_iso_date(*item.due_date);
  }
  for (const auto& c : analysis.concerns) add("concern", c, "medium", {});
  for (const auto& r : analysis.risk_signals) {
    json::object metadata{{"signal", risk_type_name(r.type)}};
    if (!r.speaker.empty()) metadata["speaker"] = r.speaker;
    add("risk", r.sentence, risk_importance(r.type), std::move(metadata));
  }
  return json::serialize(rows);
}

std::string transcript_metadata(const TranscriptAnalysis& analysis,
                                const std::optional<std::chrono::year_month_day>& date) {
  json::object m;
  m["format"] = format_name(analysis.format);
  m["summary"] = analysis.summary;
  m["sentiment"] = sentiment_name(analysis.overall_sentiment);
  m["meeting_date"] = date ? json::value(format_iso_date(*date)) : json::value(nullptr);
  m["repaired_utf8"] = analysis.repaired_utf8;
  return json::serialize(m);
}

std::vector<db::Statement> meeting_date_statements(const std::string& meeting_id) {
  std::vector<db::Statement> s;
  s.push_back(db::Statement{"transcript_meeting_date", kMeetingDate, {meeting_id}});
  return s;
}

std::vector<db::Statement> save_statements(
    const std::string& meeting_id, const std::string& content,
    const TranscriptAnalysis& analysis,
    const std::optional<std::chrono::year_month_day>& date) {
  json::array speakers;
  for (const auto& s : analysis.speakers) speakers.emplace_back(s.name);
  db::Param duration;
  if (analysis.duration_seconds) {
    duration = std::to_string(std::llround(*analysis.duration_seconds));
  }
  std::vector<db::Statement> s;
  s.push_back(db::Statement{"transcript_lock_meeting", kLockMeeting, {meeting_id}});
  s.push_back(db::Statement{
      "transcript_save",
      kSaveTranscript,
      {meeting_id, content, duration, json::serialize(speakers),
       std::to_string(analysis.word_count), transcript_metadata(analysis, date)}});
  s.push_back(db::Statement{
      "transcript_delete_generated_insights", kDeleteGeneratedInsights, {meeting_id}});
  s.push_back(db::Statement{"transcript_insert_insights",
                            kInsertInsights,
                            {meeting_id, insight_rows(analysis)}});
  s.push_back(db::Statement{"transcript_response",
                            kTranscriptResponse,
                            {meeting_id, json::serialize(to_json(analysis))}});
  return s;
}

Error meeting_not_found() { return make_error(Code::kNotFound, "meeting not found"); }

}  // namespace

// Statements are built by the plain functions above and kept in named
// locals: GCC 12 mishandles braced temporaries inside co_await expressions
// (see src/auth/auth_service.cpp).
asio::awaitable<Result<std::string>> post_transcript(db::Pool& pool,
                                                     const db::RequestIdentity& who,
                                                     const TranscriptPost& post) {
  std::optional<std::chrono::year_month_day> date = post.meeting_date;
  if (!date) {
    // A separate read-only transaction: the date must be known before the
    // analysis, and the analysis before the writes. The write transaction
    // checks visibility again under its lock.
    const std::vector<db::Statement> lookup = meeting_date_statements(post.meeting_id);
    const db::TransactionOptions options = db::kReadOnly;
    auto found = co_await pool.run_in_transaction(who, std::span(lookup), options);
    if (!found) co_return found.error();
    const db::QueryResult& row = (*found)[0];
    if (row.rows() == 0) co_return meeting_not_found();
    if (!row.is_null(0, 0)) {
      auto parsed = parse_iso_date(row.value(0, 0));
      if (parsed) date = *parsed;
    }
  }

  const std::string content = storable_text(post.content);
  AnalyzeOptions options;
  options.meeting_date = date;
  auto analysis = analyze_transcript(content, options);
  if (!analysis) co_return analysis.error();
  co_await llm::refine_transcript(post.llm, content, *analysis);

  const std::vector<db::Statement> writes =
      save_statements(post.meeting_id, content, *analysis, date);
  auto results = co_await pool.run_in_transaction(who, std::span(writes));
  if (!results) co_return results.error();
  // The lock found no row: RLS hides the meeting or it does not exist, and
  // every write above matched nothing.
  if ((*results)[0].rows() == 0) co_return meeting_not_found();
  co_return std::string((*results).back().value(0, 0));
}

}  // namespace cscx::meetings
