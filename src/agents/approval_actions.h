// Private to src/agents: what an approved proposal runs. Each action's
// payload is checked again here (it is stored, and a row can be edited),
// and turned into the statements that run it, reusing the statement of the
// route that does the same thing by hand (meetings, customers).
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "db/async_connection.h"

namespace cscx::agents::internal {

// The statements of one approved action.
//   run     what the action does (the route's own statement when there is one);
//   effect  a SQL query, parameters after the approval id ($1) and comment
//           ($2) numbered from $3, whose one column (jsonb) is what the action
//           left behind (the meeting, the task, ...); no row or NULL when it
//           left nothing, and then the approval is not marked and nothing runs.
struct ApprovedAction {
  std::vector<db::Statement> run;
  std::string effect_sql;
  std::vector<db::Param> effect_params;
};

// kInvalidArgument when the action is unknown or its payload does not check.
// `approval_id` and `session_id` are tagged on rows the action creates;
// `self` is the caller's user id ("" for service_role).
[[nodiscard]] Result<ApprovedAction> approved_action(const std::string& action,
                                                     const boost::json::object& payload,
                                                     const std::string& approval_id,
                                                     const std::string& session_id,
                                                     const std::string& self);

}  // namespace cscx::agents::internal
