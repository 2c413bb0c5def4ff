#include "cli/cli.h"

#include <fmt/core.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>

#include "app/database_target.h"
#include "app/demo_data.h"
#include "cli/health_commands.h"
#include "cli/intelligence_commands.h"
#include "app/server_app.h"
#include "auth/keys.h"
#include "db/backup.h"
#include "db/connection.h"
#include "migrate/migrator.h"

namespace cscx::cli {
namespace {

using app::DatabaseTarget;
using db::EmbeddedCluster;

struct Options {
  std::optional<std::string> home;
  bool verbose = false;
  bool migrate_status = false;
  bool force = false;
  bool demo = false;
  bool json = false;
  app::ServeOptions serve;
  std::string file;
};

const char* state_name(EmbeddedCluster::State s) {
  switch (s) {
    case EmbeddedCluster::State::kNotInitialized:
      return "not initialized";
    case EmbeddedCluster::State::kStopped:
      return "stopped";
    case EmbeddedCluster::State::kRunning:
      return "running";
  }
  return "unknown";
}

Result<void> refuse_external(const DatabaseTarget& target) {
  if (target.embedded()) return ok();
  return make_error(Code::kFailedPrecondition,
                    "DATABASE_URL is set: cscx uses that server and does not "
                    "manage it (unset DATABASE_URL to use the embedded cluster)");
}

Result<void> migrate_to_current(const std::string& url, bool quiet) {
  auto conn = db::Connection::open(url);
  if (!conn) return conn.error();
  auto applied = migrate::apply_migrations(*conn, migrate::builtin_migrations());
  if (!applied) return applied.error();
  if (!quiet) {
    for (const std::string& name : *applied) fmt::print("applied {}\n", name);
    if (applied->empty()) fmt::print("database is up to date\n");
  }
  return ok();
}

Result<void> cmd_db_start(const Options& o) {
  auto target = DatabaseTarget::resolve(o.home);
  if (!target) return target.error();
  if (auto r = refuse_external(*target); !r) return r;
  if (auto r = target->ensure_running(); !r) return r;
  if (auto r = migrate_to_current(target->admin_url(), true); !r) return r;
  fmt::print("{}\n", target->admin_url());
  return ok();
}

Result<void> cmd_db_stop(const Options& o) {
  auto target = DatabaseTarget::resolve(o.home);
  if (!target) return target.error();
  if (auto r = refuse_external(*target); !r) return r;
  return target->cluster().stop();
}

Result<void> cmd_db_status(const Options& o) {
  auto target = DatabaseTarget::resolve(o.home);
  if (!target) return target.error();
  if (!target->embedded()) {
    bool up = PQping(target->admin_url().c_str()) == PQPING_OK;
    fmt::print("external {}: {}\n", db::redact_conninfo(target->admin_url()),
               up ? "reachable" : "unreachable");
    return ok();
  }
  auto state = target->cluster().state();
  if (!state) return state.error();
  const auto& layout = target->cluster().layout();
  fmt::print("{}\ndata: {}\n", state_name(*state), layout.data.string());
  if (*state == EmbeddedCluster::State::kRunning) {
    fmt::print("url: {}\n", target->admin_url());
  }
  return ok();
}

Result<void> cmd_db_url(const Options& o) {
  auto target = DatabaseTarget::resolve(o.home);
  if (!target) return target.error();
  if (target->embedded()) {
    auto state = target->cluster().state();
    if (!state) return state.error();
    if (*state != EmbeddedCluster::State::kRunning) {
      return make_error(Code::kFailedPrecondition,
                        "the embedded cluster is not running (cscx db start)");
    }
  }
  fmt::print("{}\n", target->admin_url());
  return ok();
}

Result<void> cmd_migrate(const Options& o) {
  auto target = DatabaseTarget::resolve(o.home);
  if (!target) return target.error();
  if (auto r = target->ensure_running(); !r) return r;
  Result<void> result = ok();
  if (o.migrate_status) {
    auto conn = db::Connection::open(target->admin_url());
    if (!conn) {
      result = conn.error();
    } else if (auto states =
                   migrate::migration_status(*conn, migrate::builtin_migrations());
               !states) {
      result = states.error();
    } else {
      for (const auto& s : *states) {
        fmt::print("{:<28} {:<8} {} {}\n", s.name, s.applied ? "applied" : "pending",
                   s.checksum.substr(0, 16), s.applied_at);
      }
    }
  } else {
    result = migrate_to_current(target->admin_url(), false);
  }
  auto stopped = target->stop_if_started();
  if (!result) return result;
  return stopped;
}

Result<void> cmd_backup(const Options& o) {
  auto target = DatabaseTarget::resolve(o.home);
  if (!target) return target.error();
  if (auto r = target->ensure_running(); !r) return r;
  auto result = db::backup_database(target->admin_url(), o.file);
  auto stopped = target->stop_if_started();
  if (!result) return result;
  fmt::print("backup written to {}\n", o.file);
  return stopped;
}

// Roles are cluster-wide and not part of a database's dump. A fresh
// embedded cluster gets them by migrating a scratch database once.
Result<void> ensure_cluster_roles(EmbeddedCluster& cluster) {
  auto admin = db::Connection::open(cluster.url("postgres"));
  if (!admin) return admin.error();
  auto roles =
      admin->exec_params("count_api_roles",
                         "SELECT count(*) FROM pg_roles WHERE rolname IN "
                         "('anon', 'authenticated', 'service_role', 'authenticator')");
  if (!roles) return roles.error();
  if (roles->value(0, 0) == "4") return ok();
  if (auto r = admin->exec("drop_scratch", "DROP DATABASE IF EXISTS cscx_role_bootstrap");
      !r) {
    return r.error();
  }
  if (auto r = admin->exec("create_scratch", "CREATE DATABASE cscx_role_bootstrap"); !r) {
    return r.error();
  }
  Result<void> result = migrate_to_current(cluster.url("cscx_role_bootstrap"), true);
  (void)admin->exec("drop_scratch", "DROP DATABASE IF EXISTS cscx_role_bootstrap");
  return result;
}

Result<void> restore_into(DatabaseTarget& target, const Options& o) {
  auto conn = db::Connection::open(target.admin_url());
  if (!conn) return conn.error();
  auto relations = db::count_user_relations(*conn);
  if (!relations) return relations.error();
  db::RestoreMode mode = db::RestoreMode::kIntoEmpty;
  if (*relations > 0) {
    if (!o.force) {
      return make_error(Code::kFailedPrecondition,
                        fmt::format("the target database is not empty ({} relations); "
                                    "restore needs an empty database, or --force "
                                    "to replace its contents",
                                    *relations));
    }
    mode = db::RestoreMode::kClean;
  }
  if (target.embedded()) {
    auto& cluster = target.cluster();
    if (auto r = ensure_cluster_roles(cluster); !r) return r;
    if (mode == db::RestoreMode::kClean) {
      // The embedded database is ours: replace it whole rather than
      // leaving objects the archive does not know about.
      conn = db::Connection::open(cluster.url("postgres"));
      if (!conn) return conn.error();
      if (auto r = conn->exec("drop_database", "DROP DATABASE cscx WITH (FORCE)"); !r) {
        return r.error();
      }
      if (auto r = conn->exec("create_database", "CREATE DATABASE cscx"); !r) {
        return r.error();
      }
      mode = db::RestoreMode::kIntoEmpty;
    }
  }
  return db::restore_database(target.admin_url(), o.file, mode);
}

Result<void> cmd_restore(const Options& o) {
  auto target = DatabaseTarget::resolve(o.home);
  if (!target) return target.error();
  if (auto r = target->ensure_running(); !r) return r;
  auto result = restore_into(*target, o);
  auto stopped = target->stop_if_started();
  if (!result) return result;
  fmt::print("restored {}\n", o.file);
  return stopped;
}

Result<void> cmd_serve(const Options& o) {
  // Until the server runs, a SIGINT/SIGTERM must not kill cscx half-way
  // through starting the cluster; held signals are delivered afterwards.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto target = DatabaseTarget::resolve(o.home);
  if (!target) return target.error();
  if (auto r = target->ensure_running(); !r) return r;
  Result<void> result = migrate_to_current(target->admin_url(), true);
  if (result && o.demo) {
    auto loaded =
        app::load_demo_data_if_empty(target->admin_url(), app::api_database_url(*target));
    if (!loaded) {
      result = loaded.error();
    } else if (*loaded) {
      fmt::print("loaded demo data\n");
    }
  }
  if (result) {
    fmt::print("cscx: database ready at {}\n", db::redact_conninfo(target->admin_url()));
    std::fflush(stdout);
    // run_server unblocks SIGINT/SIGTERM once its handler is installed.
    result = app::run_server(*target, db::resolve_home(o.home).string(), o.serve);
  }
  auto stopped = target->stop_if_started();
  if (!result) return result;
  return stopped;
}

Result<void> cmd_keys(const Options& o) {
  auto secret = auth::load_jwt_secret(db::resolve_home(o.home));
  if (!secret) return secret.error();
  const auth::ApiKeys keys = auth::api_keys(*secret);
  if (o.json) {
    fmt::print("{{\"anon_key\":\"{}\",\"service_role_key\":\"{}\"}}\n", keys.anon,
               keys.service_role);
  } else {
    fmt::print("anon_key={}\nservice_role_key={}\n", keys.anon, keys.service_role);
  }
  return ok();
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{"cscx: the CSCX.AI backend"};
  app.require_subcommand(1);
  Options o;
  app.add_flag("-v,--verbose", o.verbose, "print error details");
  auto add_home = [&](CLI::App* cmd) {
    cmd->add_option("--home", o.home,
                    "home directory (default: $CSCX_HOME, else ./.cscx)");
  };
  Result<void> (*command)(const Options&) = nullptr;
  auto on = [&](CLI::App* cmd, Result<void> (*fn)(const Options&)) {
    add_home(cmd);
    cmd->callback([&command, fn] { command = fn; });
  };

  CLI::App* dbcmd = app.add_subcommand("db", "manage the embedded PostgreSQL cluster");
  dbcmd->require_subcommand(1);
  on(dbcmd->add_subcommand("start",
                           "start it (initdb on first use), migrate, print its URL"),
     cmd_db_start);
  on(dbcmd->add_subcommand("stop", "stop it"), cmd_db_stop);
  on(dbcmd->add_subcommand("status", "say whether it runs"), cmd_db_status);
  on(dbcmd->add_subcommand("url", "print a libpq URL for psql"), cmd_db_url);

  CLI::App* mig = app.add_subcommand("migrate", "apply pending migrations");
  mig->add_flag("--status", o.migrate_status, "list applied and pending migrations");
  on(mig, cmd_migrate);

  CLI::App* backup = app.add_subcommand("backup", "pg_dump the whole database to FILE");
  backup->add_option("FILE", o.file, "archive to write (custom format)")->required();
  on(backup, cmd_backup);

  CLI::App* restore =
      app.add_subcommand("restore", "restore FILE into an empty database");
  restore->add_option("FILE", o.file, "archive written by cscx backup")->required();
  restore->add_flag("--force", o.force, "replace a non-empty database");
  on(restore, cmd_restore);

  CLI::App* keys = app.add_subcommand("keys", "print the anon and service_role API keys");
  keys->add_flag("--json", o.json, "print one JSON object");
  on(keys, cmd_keys);

  CLI::App* serve = app.add_subcommand("serve", "run the server");
  serve->add_flag("--demo", o.demo, "load demo data into an empty database");
  CLI::Option* host_opt = serve->add_option(
      "--host", o.serve.host, "listen address (default $CSCX_HOST, else 127.0.0.1)");
  CLI::Option* port_opt = serve->add_option(
      "--port", o.serve.port, "listen port (default $CSCX_PORT, else 8080)");
  on(serve, cmd_serve);

  internal::CommandRun intelligence_command;
  internal::add_contract_commands(app, intelligence_command);
  internal::add_transcript_commands(app, intelligence_command);
  internal::add_health_commands(app, intelligence_command);
  internal::add_kb_commands(app, intelligence_command);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  if (intelligence_command) {
    Result<void> result = intelligence_command();
    if (!result) {
      std::cerr << "cscx: " << result.error().message << "\n";
      return 1;
    }
    return 0;
  }
  if (command == nullptr) return 2;
  if (command == cmd_serve) {
    auto serve_options = app::serve_options_from_env(o.serve, host_opt->count() > 0,
                                                     port_opt->count() > 0);
    if (!serve_options) {
      std::cerr << "cscx: " << serve_options.error().message << "\n";
      return 2;
    }
    o.serve = *serve_options;
  }
  Result<void> result = command(o);
  if (!result) {
    std::cerr << "cscx: " << result.error().message << "\n";
    if (o.verbose && !result.error().detail.empty()) {
      std::cerr << result.error().detail << "\n";
    }
    return 1;
  }
  return 0;
}

}  // namespace cscx::cli
