// The offline-intelligence subcommands of `cscx`: `contract parse` and
// `transcript analyze`. Each adder registers its subcommand on `app` and,
// when the user picks it, stores the work to run in `run`.
#pragma once

#include <functional>

#include <CLI/CLI.hpp>

#include "core/error.h"

namespace cscx::cli::internal {

using CommandRun = std::function<Result<void>()>;

void add_contract_commands(CLI::App& app, CommandRun& run);
void add_transcript_commands(CLI::App& app, CommandRun& run);

}  // namespace cscx::cli::internal
