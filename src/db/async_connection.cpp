#include "db/async_connection.h"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "db/connection_internal.h"

namespace cscx::db {
namespace asio = boost::asio;

namespace {

Error lost(PGconn* conn, std::string_view during) {
  std::string why = PQerrorMessage(conn);
  while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
  return make_error(Code::kUnavailable,
                    "lost the database connection during " + std::string(during), why);
}

}  // namespace

AsyncConnection::AsyncConnection(PGconn* conn, asio::any_io_executor executor)
    : conn_(conn), socket_(executor) {}

AsyncConnection::~AsyncConnection() {
  // libpq owns the file descriptor; the Asio object must not close it.
  if (socket_.is_open()) socket_.release();
  PQfinish(conn_);
}

Result<void> AsyncConnection::attach_socket() {
  const int fd = PQsocket(conn_);
  if (fd < 0) return lost(conn_, "connect");
  if (fd == attached_fd_) return ok();
  if (socket_.is_open()) socket_.release();
  boost::system::error_code ec;
  socket_.assign(fd, ec);
  if (ec)
    return make_error(Code::kInternal, "cannot watch the database socket", ec.message());
  attached_fd_ = fd;
  return ok();
}

asio::awaitable<Result<void>> AsyncConnection::wait(bool writable) {
  boost::system::error_code ec;
  co_await socket_.async_wait(writable ? asio::posix::stream_descriptor::wait_write
                                       : asio::posix::stream_descriptor::wait_read,
                              asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    poisoned_ = true;
    co_return make_error(Code::kUnavailable, "database socket wait failed", ec.message());
  }
  co_return ok();
}

asio::awaitable<Result<std::unique_ptr<AsyncConnection>>> AsyncConnection::connect(
    asio::any_io_executor executor, std::string conninfo) {
  PGconn* raw = PQconnectStart(conninfo.c_str());
  if (raw == nullptr) co_return make_error(Code::kInternal, "out of memory connecting");
  std::unique_ptr<AsyncConnection> conn(new AsyncConnection(raw, executor));
  if (PQstatus(raw) == CONNECTION_BAD) {
    co_return make_error(Code::kUnavailable,
                         "cannot connect to PostgreSQL at " + redact_conninfo(conninfo),
                         PQerrorMessage(raw));
  }
  for (;;) {
    const PostgresPollingStatusType status = PQconnectPoll(raw);
    if (status == PGRES_POLLING_OK) break;
    if (status == PGRES_POLLING_FAILED) {
      co_return make_error(Code::kUnavailable,
                           "cannot connect to PostgreSQL at " + redact_conninfo(conninfo),
                           PQerrorMessage(raw));
    }
    // libpq may switch sockets while it tries addresses.
    if (auto r = conn->attach_socket(); !r) co_return r.error();
    if (auto r = co_await conn->wait(status == PGRES_POLLING_WRITING); !r)
      co_return r.error();
  }
  if (PQsetnonblocking(raw, 1) != 0) co_return lost(raw, "connect");
  PQsetNoticeReceiver(
      raw, [](void*, const PGresult*) {}, nullptr);
  if (auto r = conn->attach_socket(); !r) co_return r.error();
  co_return std::move(conn);
}

bool AsyncConnection::broken() const {
  return poisoned_ || PQstatus(conn_) != CONNECTION_OK;
}

bool AsyncConnection::in_transaction() const {
  return PQtransactionStatus(conn_) != PQTRANS_IDLE;
}

asio::awaitable<Result<void>> AsyncConnection::flush() {
  for (;;) {
    const int r = PQflush(conn_);
    if (r == 0) co_return ok();
    if (r < 0) co_return lost(conn_, "send");
    // Output is blocked; the server may be waiting for us to read.
    if (auto w = co_await wait(true); !w) co_return w.error();
    if (PQconsumeInput(conn_) == 0) co_return lost(conn_, "send");
  }
}

asio::awaitable<Result<PGresult*>> AsyncConnection::next_result() {
  while (PQisBusy(conn_)) {
    if (auto w = co_await wait(false); !w) co_return w.error();
    if (PQconsumeInput(conn_) == 0) co_return lost(conn_, "receive");
  }
  co_return PQgetResult(conn_);
}

asio::awaitable<Result<std::vector<QueryResult>>> AsyncConnection::pipeline(
    std::span<const Statement> statements) {
  std::vector<const Statement*> all;
  all.reserve(statements.size());
  for (const Statement& s : statements) all.push_back(&s);
  const std::span<const Statement* const> pointers(all);
  co_return co_await pipeline(pointers);
}

asio::awaitable<Result<std::vector<QueryResult>>> AsyncConnection::pipeline(
    std::span<const Statement* const> statements) {
  if (broken()) co_return lost(conn_, "pipeline start");
  // Mid-protocol failures leave libpq's state unknown: mark the connection
  // unusable until proven otherwise, so the pool replaces it.
  poisoned_ = true;
  if (PQenterPipelineMode(conn_) != 1) co_return lost(conn_, "pipeline start");
  // What went into the pipeline, in order: a Parse (prepare) yields a result
  // of its own before the statement's.
  struct Sent {
    size_t statement;
    bool is_prepare;
    std::string name;  // prepared statement name, "" = unnamed
  };
  std::vector<Sent> sent;
  sent.reserve(statements.size() + 2);
  std::unordered_map<std::string_view, std::string> preparing;  // in this pipeline
  std::vector<const char*> values;
  for (size_t i = 0; i < statements.size(); ++i) {
    const Statement& s = *statements[i];
    values.clear();
    for (const Param& p : s.params) values.push_back(p ? p->c_str() : nullptr);
    const int n = static_cast<int>(values.size());
    std::string name;
    if (s.prepare) {
      if (auto it = prepared_.find(s.sql); it != prepared_.end()) {
        name = it->second;
      } else if (auto p = preparing.find(s.sql); p != preparing.end()) {
        name = p->second;
      } else if (prepared_.size() + preparing.size() < kMaxPrepared) {
        name = "cscx_" + std::to_string(prepared_.size() + preparing.size() + 1);
        if (PQsendPrepare(conn_, name.c_str(), s.sql.c_str(), n, nullptr) != 1) {
          co_return lost(conn_, std::string(s.name));
        }
        preparing.emplace(s.sql, name);
        sent.push_back(Sent{i, true, name});
      }
    }
    const int queued =
        name.empty() ? PQsendQueryParams(conn_, s.sql.c_str(), n, nullptr, values.data(), nullptr,
                                         nullptr, 0)
                     : PQsendQueryPrepared(conn_, name.c_str(), n, values.data(), nullptr,
                                           nullptr, 0);
    if (queued != 1) co_return lost(conn_, std::string(s.name));
    sent.push_back(Sent{i, false, name});
  }
  if (PQpipelineSync(conn_) != 1) co_return lost(conn_, "pipeline sync");
  if (auto f = co_await flush(); !f) co_return f.error();

  std::vector<QueryResult> results;
  results.reserve(statements.size());
  std::optional<Error> first_error;
  for (const Sent& item : sent) {
    const Statement& s = *statements[item.statement];
    // Each queued message yields one result, then nullptr.
    std::optional<QueryResult> kept;
    bool failed = false;
    for (;;) {
      auto r = co_await next_result();
      if (!r) co_return r.error();
      if (*r == nullptr) break;
      QueryResult result(*r);
      const ExecStatusType status = PQresultStatus(*r);
      if (status == PGRES_FATAL_ERROR || status == PGRES_PIPELINE_ABORTED) failed = true;
      if (status == PGRES_FATAL_ERROR && !first_error) {
        first_error = internal::error_from_result(s.name, s.sql, *r, conn_);
      }
      kept.emplace(std::move(result));
    }
    if (item.is_prepare) {
      // Named statements outlive transactions: remember it even if a later
      // statement of this pipeline fails.
      if (!failed) prepared_.emplace(s.sql, item.name);
    } else if (kept) {
      results.push_back(std::move(*kept));
    }
  }
  auto sync = co_await next_result();
  if (!sync) co_return sync.error();
  if (*sync != nullptr && PQresultStatus(*sync) == PGRES_FATAL_ERROR) {
    // The implicit transaction commits at the Sync, and the commit itself
    // can fail (a deferred constraint, a full NOTIFY queue): libpq yields
    // that error, a null, then the Sync. Nothing was committed.
    if (!first_error) {
      static const std::string kCommit = "COMMIT";
      first_error = internal::error_from_result("commit", kCommit, *sync, conn_);
    }
    PQclear(*sync);
    auto end = co_await next_result();
    if (!end) co_return end.error();
    if (*end != nullptr) {
      PQclear(*end);
      co_return lost(conn_, "pipeline end");
    }
    sync = co_await next_result();
    if (!sync) co_return sync.error();
  }
  const bool synced = *sync != nullptr && PQresultStatus(*sync) == PGRES_PIPELINE_SYNC;
  PQclear(*sync);
  if (!synced || PQexitPipelineMode(conn_) != 1) co_return lost(conn_, "pipeline end");
  poisoned_ = false;
  if (first_error) co_return *first_error;
  co_return results;
}

}  // namespace cscx::db
