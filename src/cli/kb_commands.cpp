// `cscx kb reindex`: recompute every stored embedding with the embedder the
// environment chooses (the built-in one, or the provider CSCX_EMBEDDING_*
// configure) and have running servers rebuild their index
// (knowledge/reindex.h).
#include <fmt/core.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>

#include "app/database_target.h"
#include "cli/intelligence_commands.h"
#include "knowledge/embedder.h"
#include "knowledge/embedding_provider.h"
#include "knowledge/reindex.h"

namespace cscx::cli::internal {
namespace {

// "[#######.............]  35%  3500/10000" redrawn in place; only on a
// terminal, so logs and pipes get the one summary line.
void draw_progress(std::size_t done, std::size_t total) {
  constexpr int kWidth = 30;
  const double share = total == 0 ? 1.0 : double(done) / double(total);
  const int filled = static_cast<int>(share * kWidth);
  fmt::print("\r[{}{}] {:3.0f}%  {}/{}", std::string(filled, '#'),
             std::string(kWidth - filled, '.'), share * 100, done, total);
  std::fflush(stdout);
}

Result<void> reindex(const std::optional<std::string>& home) {
  // The same choice `cscx serve` makes: run it with the servers' settings.
  // Read first: an unusable setting is reported before a database starts.
  const auto provider = knowledge::embedding_provider_from_env();
  if (!provider) return provider.error();
  const knowledge::EmbeddingProviderConfig* use = *provider ? &**provider : nullptr;
  auto target = app::DatabaseTarget::resolve(home);
  if (!target) return target.error();
  if (auto r = target->ensure_running(); !r) return r;
  Result<knowledge::ReindexCounts> done = make_error(Code::kInternal, "not run");
  if (auto conn = db::Connection::open(target->admin_url()); !conn) {
    done = conn.error();
  } else {
    const bool tty = ::isatty(STDOUT_FILENO) == 1;
    done = knowledge::reindex_all(*conn,
                                  tty ? knowledge::ReindexProgress(draw_progress)
                                      : knowledge::ReindexProgress(),
                                  use);
    if (tty) fmt::print("\n");
  }
  auto stopped = target->stop_if_started();
  if (!done) return done.error();
  fmt::print("reindexed {} articles with {}\n", done->stored, knowledge::embedder_name(use));
  if (done->refused > 0) {
    fmt::print("{} articles the provider refused were left as they were (their ids are in "
               "the log)\n",
               done->refused);
  }
  if (done->read > done->stored + done->refused) {
    fmt::print("{} articles changed while it ran and keep the vector their write stored\n",
               done->read - done->stored - done->refused);
  }
  return stopped;
}

}  // namespace

void add_kb_commands(CLI::App& app, CommandRun& run) {
  CLI::App* kb = app.add_subcommand("kb", "manage the knowledge base");
  kb->require_subcommand(1);
  auto home = std::make_shared<std::optional<std::string>>();
  CLI::App* reindex_cmd = kb->add_subcommand(
      "reindex", "recompute every article's embedding and rebuild the search index");
  reindex_cmd->add_option("--home", *home,
                          "home directory (default: $CSCX_HOME, else ./.cscx)");
  reindex_cmd->callback([&run, home] { run = [home] { return reindex(*home); }; });
}

}  // namespace cscx::cli::internal
