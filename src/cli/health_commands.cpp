// `cscx health refresh [--json]` recomputes every customer's score (the same
// cscx_health.refresh() as POST /api/health/refresh and the schedule in
// `cscx serve`); `cscx health backtest [--days 90] [--proposed JSON]` asks
// whether the score N days before a contract ended separated renewals from
// churn, for the scorecard in force and, optionally, a proposed one.
#include "cli/health_commands.h"

#include <fmt/core.h>

#include <boost/json.hpp>
#include <memory>
#include <optional>
#include <string>

#include "app/database_target.h"
#include "db/connection.h"

namespace cscx::cli::internal {
namespace {
namespace json = boost::json;

struct HealthOptions {
  std::optional<std::string> home;
  int days = 90;
  std::string proposed;  // a PUT /api/scorecard body; empty: none
  bool json = false;
};

constexpr const char* kRefresh = "SELECT cscx_health.refresh()::text";
constexpr const char* kBacktest = "SELECT cscx_health.backtest($1::integer, $2::jsonb)::text";

// Runs one statement on the target database (started for the command if it
// is the embedded cluster and was stopped) and returns its JSON text.
Result<std::string> run_json(const HealthOptions& o, std::string_view name, const char* sql,
                             const std::vector<db::Param>& params) {
  auto target = app::DatabaseTarget::resolve(o.home);
  if (!target) return target.error();
  if (auto r = target->ensure_running(); !r) return r.error();
  Result<std::string> out = [&]() -> Result<std::string> {
    auto conn = db::Connection::open(target->admin_url());
    if (!conn) return conn.error();
    auto r = conn->exec_params(name, sql, params);
    if (!r) return r.error();
    if (r->rows() == 0 || r->is_null(0, 0)) {
      return make_error(Code::kInternal, std::string(name) + " returned nothing");
    }
    return std::string(r->value(0, 0));
  }();
  auto stopped = target->stop_if_started();
  if (!out) return out.error();
  if (!stopped) return stopped.error();
  return out;
}

Result<void> refresh(const HealthOptions& o) {
  auto out = run_json(o, "health_refresh", kRefresh, {});
  if (!out) return out.error();
  if (o.json) {
    fmt::print("{}\n", *out);
    return ok();
  }
  const json::object r = json::parse(*out).as_object();
  if (r.at("skipped").as_bool()) {
    fmt::print("skipped: {}\n", std::string_view(r.at("reason").as_string()));
    return ok();
  }
  fmt::print(
      "refreshed {} customers in {} ms (scorecard v{}): {} scores changed, {} rule tasks "
      "opened, {} closed, {} renewal tasks opened\n",
      r.at("customers").as_int64(), r.at("milliseconds").to_number<double>(),
      r.at("scorecard_version").as_int64(), r.at("scores_changed").as_int64(),
      r.at("tasks_opened").as_int64(), r.at("tasks_closed").as_int64(),
      r.at("renewal_tasks_opened").as_int64());
  return ok();
}

std::string band_cell(const json::object& bands, std::string_view band) {
  const json::object& b = bands.at(band).as_object();
  return fmt::format("{}/{}", b.at("renewed").as_int64(), b.at("churned").as_int64());
}

Result<void> backtest(const HealthOptions& o) {
  if (o.days < 0) return make_error(Code::kInvalidArgument, "--days must be 0 or more");
  if (!o.proposed.empty()) {
    boost::system::error_code ec;
    json::value v = json::parse(o.proposed, ec);
    if (ec || !v.is_object()) {
      return make_error(Code::kInvalidArgument, "--proposed must be a JSON object");
    }
  }
  auto out = run_json(o, "health_backtest", kBacktest,
                      {std::to_string(o.days),
                       o.proposed.empty() ? db::Param() : db::Param(o.proposed)});
  if (!out) return out.error();
  if (o.json) {
    fmt::print("{}\n", *out);
    return ok();
  }
  const json::object r = json::parse(*out).as_object();
  fmt::print("{} contracts ended ({} renewed, {} churned); score {} days before the end\n",
             r.at("contracts").as_int64(), r.at("renewed").as_int64(),
             r.at("churned").as_int64(), o.days);
  if (r.at("contracts").as_int64() == 0) {
    fmt::print("nothing to judge: no renewed or churned contract has history that old\n");
    return ok();
  }
  fmt::print("{:<10} {:>6}  {:>9} {:>9} {:>9} {:>9}   weights\n", "scorecard", "AUC",
             "red", "yellow", "green", "unknown");
  for (const auto& card : r.at("scorecards").as_array()) {
    const json::object& c = card.as_object();
    const json::object& bands = c.at("bands").as_object();
    const std::string auc =
        c.at("auc").is_null() ? "-" : fmt::format("{:.3f}", c.at("auc").to_number<double>());
    fmt::print("{:<10} {:>6}  {:>9} {:>9} {:>9} {:>9}   {} (missing: {})\n",
               std::string_view(c.at("scorecard").as_string()), auc, band_cell(bands, "red"),
               band_cell(bands, "yellow"), band_cell(bands, "green"),
               band_cell(bands, "unknown"), json::serialize(c.at("weights")),
               std::string_view(c.at("missing").as_string()));
  }
  fmt::print("bands: renewed/churned contracts; AUC 0.5 is a coin toss, 1.0 separates perfectly\n");
  return ok();
}

}  // namespace

void add_health_commands(CLI::App& app, CommandRun& run) {
  auto options = std::make_shared<HealthOptions>();
  CLI::App* health = app.add_subcommand("health", "Health scores: refresh and backtest");
  health->require_subcommand(1);

  CLI::App* refresh_cmd = health->add_subcommand(
      "refresh", "recompute every customer's health score, append history, open tasks");
  refresh_cmd->add_option("--home", options->home,
                          "home directory (default: $CSCX_HOME, else ./.cscx)");
  refresh_cmd->add_flag("--json", options->json, "print the result as JSON");
  refresh_cmd->callback([options, &run] { run = [options] { return refresh(*options); }; });

  CLI::App* backtest_cmd = health->add_subcommand(
      "backtest", "how well the score separated renewed from churned contracts");
  backtest_cmd->add_option("--home", options->home,
                           "home directory (default: $CSCX_HOME, else ./.cscx)");
  backtest_cmd->add_option("--days", options->days,
                           "score this many days before each contract's end (default 90)");
  backtest_cmd->add_option("--proposed", options->proposed,
                           "a scorecard to compare, as for PUT /api/scorecard, e.g. "
                           "'{\"weights\": {\"engagement\": 2, \"adoption\": 1}}'");
  backtest_cmd->add_flag("--json", options->json, "print the result as JSON");
  backtest_cmd->callback([options, &run] { run = [options] { return backtest(*options); }; });
}

}  // namespace cscx::cli::internal
