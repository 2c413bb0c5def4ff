// The one statement that schedules a meeting, shared by POST
// /api/meetings/schedule and an approved agent proposal (src/agents), so an
// approved "schedule a meeting" runs exactly what the route runs.
#pragma once

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "db/async_connection.h"

namespace cscx::meetings {

// A meeting to schedule, already checked; attendees are stakeholder ids
// (lower-case uuids, no duplicates).
struct MeetingToSchedule {
  std::string customer_id;
  std::string title;
  std::string scheduled_at;  // RFC 3339 with Z or an offset
  int duration = 30;         // minutes
  std::vector<std::string> attendees;
  std::optional<std::string> description;
  std::optional<std::string> meeting_url;
};

// The body of POST /api/meetings/schedule checked (customer_id, title,
// scheduled_at required; duration, attendees, description, meeting_url);
// the first problem is kInvalidArgument naming the field.
[[nodiscard]] Result<MeetingToSchedule> parse_meeting_to_schedule(
    const boost::json::object& body);

// Inserts the meeting when the customer is visible to the caller and every
// attendee is one of its stakeholders. One row: the meeting as JSON (NULL
// when nothing was inserted) and what was missing ('customer', or the
// unknown attendee ids; NULL on success).
db::Statement schedule_meeting_statement(const MeetingToSchedule& meeting);

}  // namespace cscx::meetings
