// Shared by the blocking and the asynchronous connection. Internal to db/.
#pragma once

#include <libpq-fe.h>

#include <string>
#include <string_view>

#include "core/error.h"

namespace cscx::db::internal {

// The Error for a failed statement: Code from its SQLSTATE, a message with
// the statement's name, the server's message and (when the server points
// at a position) the line of `sql`; SQLSTATE, detail and context in
// `detail`. `result` may be null (the connection is gone).
Error error_from_result(std::string_view name, const std::string& sql,
                        const PGresult* result, PGconn* conn);

}  // namespace cscx::db::internal
