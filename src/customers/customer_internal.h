// Private to src/customers: the validated inputs of the customer routes and
// the statements that serve them. Each function checks its input first (the
// first problem is a 400 naming the field) and returns the statement; no
// SQL has run yet. The routes run the statements as the caller.
#pragma once

#include <boost/json/object.hpp>
#include <string>
#include <string_view>

#include "core/error.h"
#include "db/async_connection.h"

namespace cscx::customers::internal {

// GET /api/customers?stage&industry&band&renewal_within&q&sort&cursor&limit.
// `scope` receives the cursor scope ("customers:<sort>"). Without any
// parameter: the benchmark statement (the first page by name).
[[nodiscard]] Result<db::Statement> list_statement(std::string_view query,
                                                   std::string& scope);

// POST /api/customers: the body's fields checked ("name" required). A CSM's
// new customer is theirs: `self` is the caller's user id, and a csm_id other
// than it is kPermissionDenied; `self` is empty for service_role, which may
// name any csm_id (or none).
[[nodiscard]] Result<db::Statement> create_statement(const boost::json::object& body,
                                                     std::string_view self);

// PATCH /api/customers/:id: at least one known field; an unknown one is a
// 400. `self` as for create_statement.
[[nodiscard]] Result<db::Statement> update_statement(const std::string& id,
                                                     const boost::json::object& body,
                                                     std::string_view self);

// GET /api/customers/:id: the customer ($1) with its stakeholders, active
// contract and that contract's entitlements with usage.
extern const char* const kDetailSql;

// DELETE /api/customers/:id: stage = 'churned'; `hard` deletes the row and,
// through the foreign keys, its children (activity_log keeps its rows).
db::Statement delete_statement(const std::string& id, bool hard);

// GET /api/customers/:id/timeline?type&from&to&cursor&limit.
inline constexpr std::string_view kTimelineScope = "timeline";
[[nodiscard]] Result<db::Statement> timeline_statement(const std::string& id,
                                                       std::string_view query);

}  // namespace cscx::customers::internal
