// The iCalendar writer (src/meetings/icalendar.h): RFC 5545 escaping,
// folding at 75 octets without splitting UTF-8, CRLF lines.
#include "meetings/icalendar.h"

#include <gtest/gtest.h>

namespace cscx::meetings {
namespace {

TEST(ICalendar, EscapesTextSpecials) {
  EXPECT_EQ(escape_text("a,b;c\\d"), "a\\,b\\;c\\\\d");
  EXPECT_EQ(escape_text("one\r\ntwo\nthree\rfour"), "one\\ntwo\\nthree\\nfour");
  EXPECT_EQ(escape_text("plain: \"quoted\""), "plain: \"quoted\"");
}

TEST(ICalendar, FoldsLongLinesAt75Octets) {
  const std::string line(160, 'x');
  const std::string folded = fold_line(line);
  EXPECT_EQ(folded, std::string(75, 'x') + "\r\n " + std::string(74, 'x') + "\r\n " +
                        std::string(11, 'x') + "\r\n");
  EXPECT_EQ(fold_line("short"), "short\r\n");
  EXPECT_EQ(fold_line(std::string(75, 'y')), std::string(75, 'y') + "\r\n");
}

TEST(ICalendar, NeverSplitsAUtf8Sequence) {
  // 74 ASCII octets, then a 2-octet "é": it would straddle octet 75.
  const std::string line = std::string(74, 'a') + "\xC3\xA9" + "z";
  const std::string folded = fold_line(line);
  EXPECT_EQ(folded, std::string(74, 'a') + "\r\n \xC3\xA9z\r\n");
}

TEST(ICalendar, FormatsOneEvent) {
  CalendarEvent e;
  e.uid = "m1@cscx";
  e.stamp = "20260101T000000Z";
  e.start = "20260315T143000Z";
  e.end = "20260315T151500Z";
  e.summary = "QBR; Q1, EU";
  e.location = "https://meet.example/x";
  e.attendees = {{"Ann", "ann@example.com", ""}, {"Bo;b", "", "urn:uuid:1"}};
  const std::string ics = format_icalendar(e);
  EXPECT_EQ(ics,
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//CSCX//CSCX Core//EN\r\n"
            "CALSCALE:GREGORIAN\r\nBEGIN:VEVENT\r\nUID:m1@cscx\r\nDTSTAMP:20260101T000000Z\r\n"
            "DTSTART:20260315T143000Z\r\nDTEND:20260315T151500Z\r\n"
            "SUMMARY:QBR\\; Q1\\, EU\r\nLOCATION:https://meet.example/x\r\n"
            "STATUS:CONFIRMED\r\n"
            "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;CN=Ann:mailto:ann@examp\r\n"
            " le.com\r\n"
            "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;CN=\"Bo;b\":urn:uuid:1\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n");
}

}  // namespace
}  // namespace cscx::meetings
