// An iCalendar (RFC 5545) file for one meeting, so any calendar can import
// it. Pure formatting: the caller reads the meeting; times come already in
// UTC basic form (20260315T140000Z), as PostgreSQL formats them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace cscx::meetings {

struct CalendarAttendee {
  std::string name;   // CN; may be empty
  std::string email;  // mailto: address; empty -> `uri` is used
  std::string uri;    // the address when there is no email (urn:uuid:...)
};

struct CalendarEvent {
  std::string uid;          // globally unique and stable: "<meeting id>@cscx"
  std::string stamp;        // DTSTAMP, UTC basic form
  std::string start;        // DTSTART, UTC basic form
  std::string end;          // DTEND, UTC basic form
  std::string summary;      // the title
  std::string description;  // may be empty (then no DESCRIPTION line)
  std::string location;     // the meeting URL; may be empty
  bool cancelled = false;   // STATUS:CANCELLED instead of CONFIRMED
  std::vector<CalendarAttendee> attendees;
};

// TEXT escaping (RFC 5545 3.3.11): backslash, semicolon and comma get a
// backslash, a line break (CRLF, LF or CR) becomes \n.
std::string escape_text(std::string_view text);

// Content-line folding (3.1): lines longer than 75 octets continue on the
// next line after CRLF and one space, never inside a UTF-8 sequence. `line`
// has no CRLF; the result ends with one.
std::string fold_line(std::string_view line);

// The whole VCALENDAR with one VEVENT, CRLF line ends, folded.
std::string format_icalendar(const CalendarEvent& event);

}  // namespace cscx::meetings
