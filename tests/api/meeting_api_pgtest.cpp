// /api/meetings/schedule, /api/meetings/:id.ics and /api/insights over HTTP
// (issue 8): scheduling with attendees from the customer's stakeholders, an
// iCalendar file of the meeting, and insights filtered; other CSMs get 404.
#include "api/workspace_fixture.h"

namespace cscx::testing {
namespace {
namespace json = boost::json;

class MeetingApi : public WorkspaceApi {
 protected:
  std::string schedule_body(char tenant, const std::string& attendees) {
    return R"({"customer_id":")" + tenant_id(tenant, kCustomer) +
           R"(","title":"QBR, part 2; \"final\"","scheduled_at":"2026-03-15T15:30:00+01:00",)"
           R"("duration":45,"description":"Agenda:\nRoadmap","attendees":)" +
           attendees + "}";
  }
};

TEST_F(MeetingApi, ScheduleStoresTheMeetingWithItsStakeholders) {
  value("UPDATE stakeholders SET name = 'Maria Gonzalez', email = 'maria@example.com',"
        " role = 'VP' WHERE id = '" + tenant_id('a', kStakeholder) + "' RETURNING 1");
  Reply r = call("POST", "/api/meetings/schedule", as('a'),
                 schedule_body('a', "[\"" + tenant_id('a', kStakeholder) + "\"]"));
  ASSERT_EQ(r.status, 201u) << r.body;
  const std::string id(r.json().at("id").as_string());
  EXPECT_EQ(r.json().at("status"), "scheduled");
  EXPECT_EQ(value("SELECT concat_ws('/', customer_id, duration,"
                  " to_char(scheduled_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),"
                  " attendees->0->>'stakeholder_id', attendees->0->>'email')"
                  " FROM meetings WHERE id = '" + id + "'"),
            tenant_id('a', kCustomer) + "/45/2026-03-15 14:30/" + tenant_id('a', kStakeholder) +
                "/maria@example.com");
  EXPECT_EQ(value("SELECT count(*) FROM activity_log WHERE entity_id = '" + id +
                  "' AND action = 'insert'"),
            "1");
}

TEST_F(MeetingApi, BadScheduleIs400AndWritesNothing) {
  const std::string before = written_rows();
  const std::string customer = tenant_id('a', kCustomer);
  for (const std::string& body : std::vector<std::string>{
           R"({"title":"x","scheduled_at":"2026-03-15T15:30:00Z"})",
           R"({"customer_id":")" + customer + R"(","scheduled_at":"2026-03-15T15:30:00Z"})",
           R"({"customer_id":")" + customer + R"(","title":"x","scheduled_at":"tomorrow"})",
           R"({"customer_id":")" + customer + R"(","title":"x","scheduled_at":"2026-03-15T15:30:00"})",
           R"({"customer_id":")" + customer +
               R"(","title":"x","scheduled_at":"2026-03-15T15:30:00Z","duration":0})",
           R"({"customer_id":")" + customer +
               R"(","title":"x","scheduled_at":"2026-03-15T15:30:00Z","attendees":["x"]})",
           R"({"customer_id":")" + customer +
               R"(","title":"x","scheduled_at":"2026-03-15T15:30:00Z","room":"B"})",
           // B's stakeholder is not one of A's customer's.
           schedule_body('a', "[\"" + tenant_id('b', kStakeholder) + "\"]")}) {
    Reply r = call("POST", "/api/meetings/schedule", as('a'), body);
    EXPECT_EQ(r.status, 400u) << body << ": " << r.body;
    EXPECT_EQ(r.code(), "invalid_argument") << body;
  }
  EXPECT_EQ(written_rows(), before);
}

TEST_F(MeetingApi, SchedulingForAnotherCsmsCustomerIs404) {
  const std::string before = written_rows();
  Reply r = call("POST", "/api/meetings/schedule", as('a'), schedule_body('b', "[]"));
  EXPECT_EQ(r.status, 404u) << r.body;
  EXPECT_EQ(written_rows(), before);
}

TEST_F(MeetingApi, CalendarFileIsRfc5545) {
  value("UPDATE stakeholders SET name = 'Gonzalez, Maria', email = 'maria@example.com'"
        " WHERE id = '" + tenant_id('a', kStakeholder) + "' RETURNING 1");
  Reply scheduled = call("POST", "/api/meetings/schedule", as('a'),
                         schedule_body('a', "[\"" + tenant_id('a', kStakeholder) + "\"]"));
  ASSERT_EQ(scheduled.status, 201u) << scheduled.body;
  const std::string id(scheduled.json().at("id").as_string());
  Reply r = get("/api/meetings/" + id + ".ics", 'a');
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.content_type, "text/calendar; charset=utf-8");
  EXPECT_NE(r.disposition.find(".ics"), std::string::npos);
  const std::string& ics = r.body;
  // Content checks on the unfolded text (RFC 5545 3.1: drop CRLF + space).
  std::string unfolded = ics;
  for (std::size_t at; (at = unfolded.find("\r\n ")) != std::string::npos;) {
    unfolded.erase(at, 3);
  }
  EXPECT_EQ(ics.rfind("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n", 0), 0u) << ics;
  EXPECT_NE(ics.find("\r\nUID:" + id + "@cscx\r\n"), std::string::npos) << ics;
  EXPECT_NE(ics.find("\r\nDTSTART:20260315T143000Z\r\n"), std::string::npos) << ics;
  EXPECT_NE(ics.find("\r\nDTEND:20260315T151500Z\r\n"), std::string::npos) << ics;
  EXPECT_NE(ics.find("\r\nDTSTAMP:"), std::string::npos) << ics;
  EXPECT_NE(ics.find("\r\nSUMMARY:QBR\\, part 2\\; \"final\"\r\n"), std::string::npos) << ics;
  EXPECT_NE(ics.find("\r\nDESCRIPTION:Agenda:\\nRoadmap\r\n"), std::string::npos) << ics;
  EXPECT_NE(unfolded.find("\r\nATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;"
                          "CN=\"Gonzalez, Maria\":mailto:maria@example.com\r\n"),
            std::string::npos)
      << ics;
  EXPECT_EQ(ics.substr(ics.size() - 15), "END:VCALENDAR\r\n");
  // Every line ends in CRLF and holds at most 75 octets.
  std::size_t start = 0;
  while (start < ics.size()) {
    const std::size_t end = ics.find("\r\n", start);
    ASSERT_NE(end, std::string::npos);
    EXPECT_LE(end - start, 75u) << ics.substr(start, end - start);
    EXPECT_EQ(ics.substr(start, end - start).find('\n'), std::string::npos);
    start = end + 2;
  }
}

TEST_F(MeetingApi, CalendarFileOfHiddenOrUnscheduledMeetings) {
  const std::string b_meeting = "/api/meetings/" + tenant_id('b', kMeeting) + ".ics";
  EXPECT_EQ(get(b_meeting, 'a').status, 404u);
  // The fixture's meeting has no time yet.
  Reply unscheduled = get("/api/meetings/" + tenant_id('a', kMeeting) + ".ics", 'a');
  EXPECT_EQ(unscheduled.status, 400u) << unscheduled.body;
  EXPECT_EQ(get("/api/meetings/not-a-uuid.ics", 'a').status, 400u);
  EXPECT_EQ(get("/api/meetings/" + tenant_id('a', kMeeting), 'a').status, 404u);
}

TEST_F(MeetingApi, InsightsAreFilteredAndPaged) {
  value("INSERT INTO insights (customer_id, source, type, content, created_at) VALUES"
        " ('" + tenant_id('a', kCustomer) + "', 'crm', 'decision', 'expand', '2026-02-01T00:00:00Z'),"
        " ('" + tenant_id('a', kCustomer) + "', 'crm', 'concern', 'latency', '2026-02-02T00:00:00Z');"
        "UPDATE insights SET created_at = '2026-01-01T00:00:00Z' WHERE id = '" +
        tenant_id('a', kInsight) + "'; SELECT 1");
  auto contents = [](const Reply& r) {
    std::vector<std::string> out;
    json::value v = r.json();
    if (!v.is_array()) return std::vector<std::string>{"<" + r.body + ">"};
    for (const auto& i : v.as_array()) out.emplace_back(i.at("content").as_string());
    return out;
  };
  EXPECT_EQ(contents(get("/api/insights", 'a')),
            (std::vector<std::string>{"latency", "expand", "pricing"}));
  EXPECT_EQ(contents(get("/api/insights?type=concern", 'a')),
            (std::vector<std::string>{"latency", "pricing"}));
  EXPECT_EQ(contents(get("/api/insights?from=2026-02-01&to=2026-02-01", 'a')),
            std::vector<std::string>{"expand"});
  EXPECT_EQ(contents(get("/api/insights?customer_id=" + tenant_id('a', kCustomer), 'a')).size(),
            3u);
  Reply page = get("/api/insights?limit=2", 'a');
  ASSERT_FALSE(page.next_cursor.empty());
  EXPECT_EQ(contents(get("/api/insights?limit=2&cursor=" + page.next_cursor, 'a')),
            std::vector<std::string>{"pricing"});
  // B sees only B's; A's customer named by B is a 404.
  EXPECT_EQ(contents(get("/api/insights", 'b')), std::vector<std::string>{"pricing"});
  EXPECT_EQ(get("/api/insights?customer_id=" + tenant_id('a', kCustomer), 'b').status, 404u);
  for (const char* q : {"?customer_id=x", "?from=soon", "?limit=0", "?kind=concern"}) {
    EXPECT_EQ(get(std::string("/api/insights") + q, 'a').status, 400u) << q;
  }
}

}  // namespace
}  // namespace cscx::testing
