// A pool of asynchronous PostgreSQL connections shared by all request
// coroutines, and the one way requests run SQL: run_in_transaction().
//
// Connections are opened lazily up to `size`, reused, and replaced when
// lost: a PostgreSQL restart costs the requests that were running (they get
// kUnavailable, which the HTTP layer answers with 503), never the server.
// Thread-safe.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "core/error.h"
#include "db/async_connection.h"

namespace cscx::db {

struct PoolOptions {
  std::string conninfo;
  size_t size = 16;
  std::chrono::milliseconds acquire_timeout{5000};
};

struct PoolStats {
  size_t in_use = 0;
  size_t idle = 0;
  size_t waiting = 0;
};

// Who a request runs as, and what the audit triggers may read about it.
struct RequestIdentity {
  std::string role;         // anon | authenticated | service_role
  std::string claims_json;  // the verified JWT payload
  std::string method;       // HTTP method
  std::string path;         // request path
  std::string ip;           // client address
  std::string user_agent;
  std::string request_id;
};

struct TransactionOptions {
  bool read_only = false;  // as BEGIN READ ONLY: a write fails with 25006
  bool rollback = false;   // end with ROLLBACK: run everything, keep nothing
};

// What every read-only route passes: the database refuses a write by mistake.
inline constexpr TransactionOptions kReadOnly{.read_only = true};

class Pool {
 public:
  Pool(boost::asio::any_io_executor executor, PoolOptions options);

  // Runs `statements` in one transaction as `who`, in one round trip:
  //   SELECT set_config('role', ...), set_config('request.jwt.claims', ...),
  //   request.method/path/ip/user_agent/id (all transaction-local);
  //   statements...; Sync
  // (no BEGIN or COMMIT: the pipeline is one implicit transaction; an
  // explicit BEGIN ... ROLLBACK block only with options.rollback).
  // So `statements` must not control the transaction: no COMMIT, ROLLBACK
  // or CALL of a procedure that commits (the statements after it would run
  // as the login role), and no SAVEPOINT, LOCK TABLE or DECLARE, which
  // PostgreSQL refuses outside a transaction block (25P01). Inside
  // functions all of that works as usual. A failure at the commit itself (a
  // deferred constraint) is returned like any statement's.
  // Returns one result per statement (not counting the framing). On any
  // error the transaction is rolled back and the error returned.
  boost::asio::awaitable<Result<std::vector<QueryResult>>> run_in_transaction(
      const RequestIdentity& who, std::span<const Statement> statements,
      TransactionOptions options = {});

  // Runs `statements` outside any request identity, as the pool's login
  // role (health checks). One pipeline, no transaction framing.
  boost::asio::awaitable<Result<std::vector<QueryResult>>> run_plain(
      std::span<const Statement> statements);

  PoolStats stats() const;

 private:
  // A request waiting for a connection. release() hands a connection to the
  // oldest waiter directly (FIFO, no thundering herd); the waiter's own
  // timer ends the wait at the acquire deadline. `conn` and `state` are
  // guarded by the pool's mutex: it alone decides a race between a hand-off
  // and a timeout.
  struct Waiter {
    enum class State { kWaiting, kHanded, kSlotFreed };
    explicit Waiter(const boost::asio::any_io_executor& executor)
        : wake(executor, 1), timer(executor) {}
    boost::asio::experimental::concurrent_channel<void(boost::system::error_code)> wake;
    boost::asio::steady_timer timer;
    State state = State::kWaiting;
    std::unique_ptr<AsyncConnection> conn;
  };

  boost::asio::awaitable<Result<std::unique_ptr<AsyncConnection>>> acquire();
  void release(std::unique_ptr<AsyncConnection> conn);

  boost::asio::any_io_executor executor_;
  PoolOptions options_;
  mutable std::mutex mutex_;
  std::deque<std::unique_ptr<AsyncConnection>> idle_;
  size_t open_ = 0;  // idle + in use + connecting
  std::deque<std::shared_ptr<Waiter>> waiters_;
};

}  // namespace cscx::db
