#include "http/log_sink_internal.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

namespace cscx::http::internal {
namespace {

// Writes all of `text`. A non-blocking descriptor (stderr inherited as
// O_NONBLOCK, a slow reader) is waited on, up to a second at a time; if it
// stays full, or the write fails, the rest is dropped but a line that was
// cut is ended, so the next batch starts on a line of its own.
void write_all(int fd, std::string_view text) {
  bool cut = false;
  while (!text.empty()) {
    const ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        pollfd p{fd, POLLOUT, 0};
        if (::poll(&p, 1, 1000) > 0) continue;
      }
      break;
    }
    cut = text.size() > static_cast<size_t>(n) && text[static_cast<size_t>(n) - 1] != '\n';
    text.remove_prefix(static_cast<size_t>(n));
    if (text.empty()) cut = false;
  }
  if (cut) (void)::write(fd, "\n", 1);
}

}  // namespace

BatchedFdSink::BatchedFdSink(int fd, size_t batch_bytes, std::chrono::milliseconds interval)
    : fd_(fd), batch_bytes_(batch_bytes), interval_(interval) {
  buffer_.reserve(batch_bytes_ + 1024);
  timer_ = std::thread([this] { run_timer(); });
}

BatchedFdSink::~BatchedFdSink() {
  {
    std::lock_guard lock(timer_mutex_);
    stopping_ = true;
  }
  timer_wake_.notify_one();
  timer_.join();
  flush();
}

void BatchedFdSink::log(const spdlog::details::log_msg& message) {
  std::unique_lock lock(buffer_mutex_);
  buffer_.append(message.payload.data(), message.payload.size());
  buffer_.push_back('\n');
  if (buffer_.size() < batch_bytes_) return;
  lock.unlock();
  flush();
}

void BatchedFdSink::flush() {
  std::lock_guard write_lock(write_mutex_);
  {
    std::lock_guard lock(buffer_mutex_);
    if (buffer_.empty()) return;
    buffer_.swap(writing_);  // loggers go on appending to the spare buffer
  }
  write_all(fd_, writing_);
  writing_.clear();
}

void BatchedFdSink::run_timer() {
  // Signals are for the server's own handling (Asio's signal_set, the
  // SIGTERM drain); this thread never takes one.
  sigset_t all;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, nullptr);
  std::unique_lock lock(timer_mutex_);
  while (!timer_wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
    lock.unlock();
    flush();
    lock.lock();
  }
}

}  // namespace cscx::http::internal
