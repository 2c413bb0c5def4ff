#include "health/refresh_schedule.h"

#include <spdlog/spdlog.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <exception>
#include <string>

namespace cscx::health {
namespace asio = boost::asio;

namespace {

constexpr const char* kScheduledRefresh = "SELECT cscx_health.refresh($1::integer)::text";

asio::awaitable<void> refresh_loop(db::Pool& pool, std::chrono::seconds interval) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  db::RequestIdentity who;
  who.role = "service_role";
  who.method = "SCHEDULE";
  who.path = "health refresh";
  // 90%: a process whose timer fires a little early still finds the last
  // run of another process within this interval, and skips.
  const long min_gap = static_cast<long>(interval.count()) * 9 / 10;
  for (;;) {
    timer.expires_after(interval);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    const db::Statement statement{"health_refresh_scheduled", kScheduledRefresh,
                                  {std::to_string(min_gap)}};
    auto result = co_await pool.run_in_transaction(who, std::span(&statement, 1));
    if (!result) {
      spdlog::warn("health refresh failed: {} {}", result.error().message,
                   result.error().detail);
    } else if (!result->empty() && result->back().rows() > 0) {
      spdlog::info("health refresh: {}", result->back().value(0, 0));
    }
  }
}

}  // namespace

void start_refresh_schedule(asio::any_io_executor executor, db::Pool& pool,
                            std::chrono::seconds interval) {
  if (interval.count() <= 0) return;
  asio::co_spawn(executor, refresh_loop(pool, interval), [](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      spdlog::error("health refresh schedule stopped: {}", ex.what());
    }
  });
}

}  // namespace cscx::health
