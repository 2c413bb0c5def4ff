#include "meetings/icalendar.h"

namespace cscx::meetings {
namespace {

constexpr std::size_t kMaxOctets = 75;

bool is_continuation_byte(char c) {
  return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// A parameter value (CN=...): quoted when it holds ':', ';' or ','; DQUOTE
// and control characters cannot appear in one (3.1) and are dropped.
std::string param_value(std::string_view text) {
  std::string out;
  bool quote = false;
  for (char c : text) {
    if (c == '"' || (static_cast<unsigned char>(c) < 0x20) || c == 0x7f) continue;
    quote = quote || c == ':' || c == ';' || c == ',';
    out += c;
  }
  return quote ? "\"" + out + "\"" : out;
}

// A cal-address is a URI: blanks and control characters (a stray line
// break in a stored email) are dropped rather than break the file.
std::string address(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (static_cast<unsigned char>(c) > 0x20 && c != 0x7f) out += c;
  }
  return out;
}

std::string attendee_line(const CalendarAttendee& a) {
  std::string line = "ATTENDEE;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION";
  if (!a.name.empty()) line += ";CN=" + param_value(a.name);
  line += ":";
  line += a.email.empty() ? address(a.uri) : "mailto:" + address(a.email);
  return line;
}

}  // namespace

std::string escape_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\\' || c == ';' || c == ',') {
      out += '\\';
      out += c;
    } else if (c == '\r') {
      out += "\\n";
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string fold_line(std::string_view line) {
  std::string out;
  // The first line holds 75 octets; each continuation holds 74 after its
  // leading space.
  std::size_t room = kMaxOctets;
  while (line.size() > room) {
    std::size_t cut = room;
    while (cut > 0 && is_continuation_byte(line[cut])) --cut;
    out.append(line.substr(0, cut));
    out += "\r\n ";
    line.remove_prefix(cut);
    room = kMaxOctets - 1;
  }
  out.append(line);
  out += "\r\n";
  return out;
}

std::string format_icalendar(const CalendarEvent& event) {
  std::vector<std::string> lines{
      "BEGIN:VCALENDAR",
      "VERSION:2.0",
      "PRODID:-//CSCX//CSCX Core//EN",
      "CALSCALE:GREGORIAN",
      "BEGIN:VEVENT",
      "UID:" + event.uid,
      "DTSTAMP:" + event.stamp,
      "DTSTART:" + event.start,
      "DTEND:" + event.end,
      "SUMMARY:" + escape_text(event.summary),
  };
  if (!event.description.empty()) {
    lines.push_back("DESCRIPTION:" + escape_text(event.description));
  }
  if (!event.location.empty()) lines.push_back("LOCATION:" + escape_text(event.location));
  lines.push_back(event.cancelled ? "STATUS:CANCELLED" : "STATUS:CONFIRMED");
  for (const CalendarAttendee& a : event.attendees) lines.push_back(attendee_line(a));
  lines.push_back("END:VEVENT");
  lines.push_back("END:VCALENDAR");
  std::string out;
  for (const std::string& line : lines) out += fold_line(line);
  return out;
}

}  // namespace cscx::meetings
