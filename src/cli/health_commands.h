// `cscx health refresh` and `cscx health backtest`: health scoring run by
// hand against the database of `--home` (or $DATABASE_URL), as its owner.
#pragma once

#include <CLI/CLI.hpp>

#include "cli/intelligence_commands.h"

namespace cscx::cli::internal {

void add_health_commands(CLI::App& app, CommandRun& run);

}  // namespace cscx::cli::internal
