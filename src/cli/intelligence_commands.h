// The capability subcommands of `cscx`: `contract parse`, `transcript
// analyze` and `kb reindex`. Each adder registers its subcommand on `app` and,
// when the user picks it, stores the work to run in `run`.
#pragma once

#include <functional>
#include <memory>

#include <CLI/CLI.hpp>

#include "core/error.h"

namespace cscx::cli::internal {

using CommandRun = std::function<Result<void>()>;

void add_contract_commands(CLI::App& app, CommandRun& run);
void add_transcript_commands(CLI::App& app, CommandRun& run);
void add_kb_commands(CLI::App& app, CommandRun& run);

}  // namespace cscx::cli::internal
