// The demo data set (sql/demo_data.sql, compiled in): two CSMs and a few
// customers with stakeholders, contracts, sessions, meetings, insights and
// training, for trying cscx out.
#pragma once

#include "core/error.h"
#include "db/connection.h"

namespace cscx::app {

// Loads the demo data in one transaction when the database has no
// customers; returns whether it loaded. Needs a migrated database and a
// privileged connection.
[[nodiscard]] Result<bool> load_demo_data_if_empty(db::Connection& conn);

}  // namespace cscx::app
