// POST /api/meetings/:id/transcript over HTTP (issue 6): the transcript and
// its generated insights are written as the caller, re-posting replaces the
// generated insights only, RLS hides other CSMs' meetings (404, nothing
// written), bad input is refused before SQL, and the writes are audited.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <fstream>
#include <iterator>
#include <memory>
#include <thread>

#include "api/api_fixture.h"

namespace cscx::testing {
namespace {
namespace json = boost::json;
using http::testing::HeaderList;

// A decision, an action item with an owner and a due date ("by Friday" of
// the week of 2024-05-06, a Monday), a concern and two risk signals.
constexpr const char* kTranscriptText =
    "Alice: Thanks for joining. Usage is up 18% this quarter.\n"
    "Sarah: Great. We decided to roll out to the Detroit plant in Q4.\n"
    "Marcus: SSO is still blocked on our identity team.\n"
    "Marcus: I will send the SSO logs by Friday.\n"
    "Sarah: One concern: reporting exports are slow for the finance team.\n"
    "Sarah: Also, our budget was cut by 20% and we are evaluating Gainsight as an "
    "alternative.\n";

constexpr const char* kMeetingDate = "2024-05-06";

std::string text(const json::value& v) {
  return v.is_string() ? std::string(v.as_string())
                       : "<not a string: " + json::serialize(v) + ">";
}

std::string json_post(std::string_view content, std::string_view date = kMeetingDate) {
  json::object o{{"content", content}};
  if (!date.empty()) o["meeting_date"] = date;
  return json::serialize(o);
}

class TranscriptApi : public ApiTest {
 protected:
  Reply post(const std::string& meeting_id, HeaderList headers, std::string_view body,
             std::string_view content_type = "application/json",
             std::string_view query = "") {
    if (!content_type.empty()) headers.emplace_back("Content-Type", content_type);
    return call("POST", "/api/meetings/" + meeting_id + "/transcript" + std::string(query),
                std::move(headers), body);
  }

  Reply post_as_a(std::string_view body = json_post(kTranscriptText)) {
    return post(tenant_id('a', kMeeting), as('a'), body);
  }

  std::string generated_ids() {
    return value(
        "SELECT string_agg(id::text, ',' ORDER BY id) FROM insights"
        " WHERE source = 'transcript'");
  }
  // What a post could have written: insights, audit rows, transcript texts.
  std::string written_rows() {
    return value(
        "SELECT (SELECT count(*) FROM insights) || '/' ||"
        "       (SELECT count(*) FROM activity_log) || '/' ||"
        "       (SELECT string_agg(content, '|' ORDER BY id) FROM transcripts)");
  }
  std::string generated_insights(char tenant) {
    return value("SELECT count(*) FROM insights WHERE meeting_id = '" +
                 tenant_id(tenant, kMeeting) + "' AND source = 'transcript'");
  }
};

TEST_F(TranscriptApi, PostStoresTheTranscriptAndReturnsOneInsightPerFinding) {
  Reply r = post_as_a();
  ASSERT_EQ(r.status, 200u) << r.body;
  const json::object body = r.json().as_object();
  const json::object& analysis = body.at("analysis").as_object();
  const json::array& insights = body.at("insights").as_array();
  const std::size_t expected = analysis.at("decisions").as_array().size() +
                               analysis.at("action_items").as_array().size() +
                               analysis.at("concerns").as_array().size() +
                               analysis.at("risk_signals").as_array().size();
  EXPECT_EQ(insights.size(), expected);
  EXPECT_EQ(generated_insights('a'), std::to_string(expected));

  std::map<std::string, int> types;
  for (const auto& i : insights) {
    ++types[std::string(i.at("type").as_string())];
    EXPECT_EQ(text(i.at("source")), "transcript");
    EXPECT_EQ(text(i.at("customer_id")), tenant_id('a', kCustomer));
    EXPECT_EQ(text(i.at("meeting_id")), tenant_id('a', kMeeting));
  }
  EXPECT_GE(types["decision"], 1) << r.body;
  EXPECT_GE(types["action_item"], 1) << r.body;
  EXPECT_GE(types["concern"], 1) << r.body;
  EXPECT_GE(types["risk"], 1) << r.body;

  EXPECT_EQ(
      value(
          "SELECT count(*) FROM insights WHERE meeting_id = '" +
          tenant_id('a', kMeeting) +
          "' AND type = 'action_item' AND owner = 'Marcus' AND due_date = '2024-05-10'"),
      "1")
      << r.body;
  EXPECT_EQ(value("SELECT count(*) FROM insights WHERE meeting_id = '" +
                  tenant_id('a', kMeeting) +
                  "' AND type = 'risk' AND metadata->>'signal' = 'competitor_mention'"),
            "1")
      << r.body;

  // The fixture's transcript row is updated in place, not duplicated.
  const json::object& transcript = body.at("transcript").as_object();
  EXPECT_EQ(text(transcript.at("id")), tenant_id('a', kTranscript));
  EXPECT_EQ(value("SELECT count(*) FROM transcripts WHERE meeting_id = '" +
                  tenant_id('a', kMeeting) + "'"),
            "1");
  EXPECT_EQ(
      value("SELECT content = " + std::string("$t$") + kTranscriptText +
            "$t$ AND speakers = '[\"Alice\", \"Sarah\", \"Marcus\"]' AND word_count > 40"
            " AND metadata->>'meeting_date' = '2024-05-06'"
            " FROM transcripts WHERE id = '" +
            tenant_id('a', kTranscript) + "'"),
      "t");
}

TEST_F(TranscriptApi, RepostReplacesGeneratedInsightsAndKeepsManualOnes) {
  ASSERT_EQ(post_as_a().status, 200u);
  const std::string first = generated_insights('a');
  const std::string first_ids = generated_ids();
  Reply again = post_as_a();
  ASSERT_EQ(again.status, 200u) << again.body;
  EXPECT_EQ(generated_insights('a'), first);
  EXPECT_EQ(again.json().at("insights").as_array().size(), std::stoul(first));
  EXPECT_NE(generated_ids(), first_ids);
  // The fixture's manual insight (source 'meeting') survives both posts.
  EXPECT_EQ(value("SELECT count(*) FROM insights WHERE id = '" +
                  tenant_id('a', kInsight) + "'"),
            "1");
}

TEST_F(TranscriptApi, ShorterRepostLeavesOnlyItsOwnInsights) {
  ASSERT_EQ(post_as_a().status, 200u);
  Reply r = post_as_a(json_post("Sarah: We decided to renew for two more years."));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(generated_insights('a'),
            std::to_string(r.json().at("insights").as_array().size()));
  EXPECT_EQ(value("SELECT count(*) FROM insights"
                  " WHERE source = 'transcript' AND type = 'concern'"),
            "0");
}

TEST_F(TranscriptApi, ConcurrentPostsOfOneMeetingNeverDuplicateRows) {
  // Start without a transcript, so the posts race to insert one.
  query_value(admin_, "DELETE FROM transcripts RETURNING 1");
  std::vector<std::thread> clients;
  std::vector<Reply> replies(4);
  for (std::size_t c = 0; c < replies.size(); ++c) {
    clients.emplace_back([&, c] { replies[c] = post_as_a(); });
  }
  for (auto& t : clients) t.join();
  for (const Reply& r : replies) ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(generated_insights('a'),
            std::to_string(replies[0].json().at("insights").as_array().size()));
  EXPECT_EQ(value("SELECT count(*) FROM transcripts WHERE meeting_id = '" +
                  tenant_id('a', kMeeting) + "'"),
            "1");
}

TEST_F(TranscriptApi, AnotherCsmsMeetingIs404AndNothingIsWritten) {
  const std::string before = written_rows();
  // With a meeting date (one transaction) and without (the date is looked up).
  for (const std::string& body :
       {json_post(kTranscriptText), json_post(kTranscriptText, "")}) {
    Reply r = post(tenant_id('a', kMeeting), as('b'), body);
    EXPECT_EQ(r.status, 404u) << r.body;
    EXPECT_EQ(r.code(), "not_found");
    EXPECT_NE(r.body.find("meeting not found"), std::string::npos) << r.body;
  }
  EXPECT_EQ(written_rows(), before);
}

TEST_F(TranscriptApi, UnknownMeetingIs404) {
  Reply r =
      post("0f000000-0000-4000-8000-000000000000", as('a'), json_post(kTranscriptText));
  EXPECT_EQ(r.status, 404u) << r.body;
  EXPECT_EQ(r.code(), "not_found");
}

TEST_F(TranscriptApi, MalformedIdIs400NamingTheField) {
  Reply r = post("not-a-uuid", as('a'), json_post(kTranscriptText));
  EXPECT_EQ(r.status, 400u) << r.body;
  EXPECT_EQ(r.code(), "invalid_argument");
  EXPECT_NE(r.body.find("id must be a uuid"), std::string::npos) << r.body;
}

TEST_F(TranscriptApi, EmptyTranscriptIs400) {
  Reply raw = post(tenant_id('a', kMeeting), as('a'), "", "text/plain");
  EXPECT_EQ(raw.status, 400u) << raw.body;
  EXPECT_NE(raw.body.find("content"), std::string::npos) << raw.body;
  Reply blank = post_as_a(json_post("  \n "));
  EXPECT_EQ(blank.status, 400u) << blank.body;
  Reply missing = post_as_a(R"({"meeting_date":"2024-05-06"})");
  EXPECT_EQ(missing.status, 400u) << missing.body;
  EXPECT_NE(missing.body.find("content is required"), std::string::npos) << missing.body;
  EXPECT_EQ(generated_insights('a'), "0");
}

TEST_F(TranscriptApi, MalformedBodyIs400) {
  EXPECT_EQ(post_as_a("{not json").status, 400u);
  EXPECT_EQ(post_as_a(R"({"content":"A: hi","meeting_date":"06/05/2024"})").status, 400u);
  EXPECT_EQ(post_as_a(R"({"content":"A: hi","meetingDate":"2024-05-06"})").status, 400u);
  EXPECT_EQ(
      post(tenant_id('a', kMeeting), as('a'), kTranscriptText, "application/pdf").status,
      400u);
}

TEST_F(TranscriptApi, WordAndPdfExportsAreReadAsTheTextTheyHold) {
  const std::string dir = std::string(CSCX_SOURCE_DIR) + "/tests/data/transcripts/fixtures/";
  const std::pair<const char*, const char*> files[] = {
      {"call_export.docx",
       "application/vnd.openxmlformats-officedocument.wordprocessingml.document"},
      {"call_export.pdf", "application/pdf"},
      {"call_export.pdf", "application/octet-stream"}};
  for (const auto& [name, type] : files) {
    SCOPED_TRACE(std::string(name) + " as " + type);
    std::ifstream in(dir + name, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});
    ASSERT_FALSE(bytes.empty());
    Reply r = post(tenant_id('a', kMeeting), as('a'), bytes, type);
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_NE(r.body.find("Maria Lopez"), std::string::npos) << r.body;
    EXPECT_EQ(value("SELECT count(*) FROM insights WHERE source = 'transcript' AND "
                    "type = 'action_item' AND meeting_id = '" +
                    tenant_id('a', kMeeting) + "'"),
              "2")  // the rollout plan (Friday) and the seat count
        << r.body;
    // The stored transcript is the text, not the file's bytes.
    EXPECT_EQ(value("SELECT count(*) FROM transcripts WHERE meeting_id = '" +
                    tenant_id('a', kMeeting) +
                    "' AND content LIKE '%Maria Lopez: Thanks for joining%'"),
              "1");
  }
}

TEST_F(TranscriptApi, AnImageOnlyPdfIs400AndNothingIsWritten) {
  std::ifstream in(std::string(CSCX_SOURCE_DIR) + "/tests/data/contracts/fixtures/image_only.pdf",
                   std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  const std::string before = written_rows();
  Reply r = post(tenant_id('a', kMeeting), as('a'), bytes, "application/pdf");
  EXPECT_EQ(r.status, 400u) << r.body;
  EXPECT_NE(r.body.find("no extractable text"), std::string::npos) << r.body;
  EXPECT_EQ(written_rows(), before);
}

TEST_F(TranscriptApi, OversizedTranscriptIs413) {
  const std::string big = "Alice: " + std::string(4 * 1024 * 1024, 'a');
  Reply r = post(tenant_id('a', kMeeting), as('a'), big, "text/plain");
  EXPECT_EQ(r.status, 413u) << r.body.substr(0, 200);
  EXPECT_EQ(r.code(), "payload_too_large");
}

TEST_F(TranscriptApi, UnauthenticatedIs401) {
  EXPECT_EQ(post(tenant_id('a', kMeeting), {}, json_post(kTranscriptText)).status, 401u);
  EXPECT_EQ(
      post(tenant_id('a', kMeeting), {{"apikey", keys_.anon}}, json_post(kTranscriptText))
          .status,
      401u);
  EXPECT_EQ(generated_insights('a'), "0");
}

TEST_F(TranscriptApi, RawVttBodyResolvesDueDatesAgainstTheScheduledDate) {
  query_value(admin_,
              "UPDATE meetings SET scheduled_at = '2024-05-06 15:00+00' WHERE id = '" +
                  tenant_id('a', kMeeting) + "' RETURNING 1");
  const std::string vtt =
      "WEBVTT\n\n"
      "00:00:01.000 --> 00:00:05.000\n<v Marcus>I will send the SSO logs by Friday.\n\n"
      "00:00:06.000 --> 00:00:09.000\n<v Sarah>Thanks, that works for us.\n";
  Reply r = post(tenant_id('a', kMeeting), as('a'), vtt, "text/vtt");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(text(r.json().at("transcript").at("metadata").at("meeting_date")),
            kMeetingDate);
  EXPECT_EQ(text(r.json().at("transcript").at("metadata").at("format")), "webvtt");
  EXPECT_EQ(value("SELECT due_date FROM insights WHERE source = 'transcript' AND "
                  "type = 'action_item'"),
            "2024-05-10")
      << r.body;
}

TEST_F(TranscriptApi, ServiceRoleMayPostToAnyMeeting) {
  Reply r = post(tenant_id('b', kMeeting), {{"apikey", keys_.service_role}},
                 json_post(kTranscriptText));
  EXPECT_EQ(r.status, 200u) << r.body;
  EXPECT_NE(generated_insights('b'), "0");
}

TEST_F(TranscriptApi, WritesAreAuditedAsTheCaller) {
  Reply first = post_as_a();
  ASSERT_EQ(first.status, 200u) << first.body;
  Reply second = post_as_a(json_post("Sarah: We decided to renew for two more years."));
  ASSERT_EQ(second.status, 200u) << second.body;
  const std::size_t n1 = first.json().at("insights").as_array().size();
  const std::size_t n2 = second.json().at("insights").as_array().size();
  auto audited = [&](std::string_view table, std::string_view action) {
    return value("SELECT count(*) FROM activity_log WHERE entity_type = '" +
                 std::string(table) + "' AND action = '" + std::string(action) +
                 "' AND user_id = '" + tenant_id('a', kUser) + "' AND customer_id = '" +
                 tenant_id('a', kCustomer) + "'");
  };
  EXPECT_EQ(audited("transcripts", "update"), "2");
  EXPECT_EQ(audited("insights", "insert"), std::to_string(n1 + n2));
  EXPECT_EQ(audited("insights", "delete"), std::to_string(n1));
  EXPECT_EQ(audited("meetings", "update"), "0");
}

}  // namespace
}  // namespace cscx::testing
