// The built-in schedule of `cscx serve`: cscx_health.refresh() every
// `interval`, as service_role, on the server's io_context.
//
// Several processes may serve one database: each asks refresh() to skip
// when any process refreshed less than 90% of an interval ago, and
// refresh() itself holds a PostgreSQL advisory lock, so one of them
// refreshes per interval and two never run at once. The first run comes one
// interval after start (a restart does not refresh). Failures are logged
// and the schedule carries on.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>

#include "db/pool.h"

namespace cscx::health {

// Starts the schedule; it ends when the io_context stops. `pool` must
// outlive the io_context's run. An interval of 0 starts nothing.
void start_refresh_schedule(boost::asio::any_io_executor executor, db::Pool& pool,
                            std::chrono::seconds interval);

}  // namespace cscx::health
