// `cscx contract parse FILE [--json]`: runs the contract parser on a file.
#include <fmt/core.h>

#include <boost/json/serialize.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "cli/intelligence_commands.h"
#include "contracts/contract_parser.h"
#include "llm/llm_assist.h"

namespace cscx::cli::internal {
namespace {

struct ContractParseOptions {
  std::string file;
  bool json = false;
};

Result<std::string> read_file(const std::string& path, std::size_t limit) {
  std::error_code ec;
  auto size = std::filesystem::file_size(path, ec);
  if (ec) return make_error(Code::kNotFound, "cannot read " + path + ": " + ec.message());
  if (size > limit) {
    return make_error(Code::kPayloadTooLarge, fmt::format("{} is {} bytes; the limit is {}", path,
                                                          size, limit));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Code::kNotFound, "cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string or_dash(const std::optional<std::string>& v) { return v ? *v : "-"; }

void print_summary(const contracts::ContractExtraction& x) {
  auto confidence = [&](const std::string& path) -> std::string {
    auto it = x.evidence.find(path);
    return it == x.evidence.end() ? "" : fmt::format("  ({:.0f}%)", it->second.confidence * 100);
  };
  fmt::print("format:        {} ({} page{})\n", contracts::format_name(x.format), x.pages,
             x.pages == 1 ? "" : "s");
  fmt::print("company:       {}{}\n", or_dash(x.company_name), confidence("company_name"));
  fmt::print("ARR:           {}{}\n",
             x.arr ? fmt::format("{:.2f} {}", *x.arr, x.currency.value_or("")) : "-",
             confidence("arr"));
  const auto& t = x.contract_term;
  fmt::print("term:          {} to {}, {} months\n", or_dash(t.start_date), or_dash(t.end_date),
             t.months ? std::to_string(*t.months) : "?");
  fmt::print("auto-renew:    {}{}\n", t.auto_renew ? (*t.auto_renew ? "yes" : "no") : "-",
             t.renewal_notice_days
                 ? fmt::format(", {} days' notice", *t.renewal_notice_days)
                 : "");
  const auto& p = x.pricing_terms;
  fmt::print("total value:   {}\n",
             p.total_value ? fmt::format("{:.2f} {}", *p.total_value, p.currency.value_or("")) : "-");
  fmt::print("billing:       {}, payment {}\n", or_dash(p.billing_frequency),
             p.payment_terms_days ? fmt::format("net {} days", *p.payment_terms_days) : "-");
  fmt::print("entitlements:  {}\n", x.entitlements.size());
  for (const auto& e : x.entitlements) {
    fmt::print("  - {}{}\n", e.name,
               e.quantity ? fmt::format(": {} {}", *e.quantity, e.unit.value_or("")) : "");
  }
  fmt::print("stakeholders:  {}\n", x.stakeholders.size());
  for (const auto& s : x.stakeholders) {
    fmt::print("  - {}, {}, {}, {}\n", s.name, or_dash(s.title), or_dash(s.email), or_dash(s.phone));
  }
  fmt::print("technical requirements: {}\n", x.technical_requirements.size());
  for (const auto& r : x.technical_requirements) fmt::print("  - {}\n", r);
}

Result<void> contract_parse(const ContractParseOptions& o) {
  contracts::ParseLimits limits;
  auto bytes = read_file(o.file, limits.max_bytes);
  if (!bytes) return bytes.error();
  auto parsed = contracts::parse_contract(*bytes, limits);
  if (!parsed) return parsed.error();
  // Off unless CSCX_LLM_* are set; any provider failure keeps the parser's
  // result, but a CSCX_LLM_URL that can never work is the operator's to fix.
  auto llm_config = llm::llm_config_from_env();
  if (!llm_config) return llm_config.error();
  llm::refine_contract_blocking(*llm_config, *parsed);
  if (o.json) {
    fmt::print("{}\n", boost::json::serialize(contracts::to_json(*parsed)));
  } else {
    print_summary(*parsed);
  }
  return ok();
}

}  // namespace

void add_contract_commands(CLI::App& app, CommandRun& run) {
  auto options = std::make_shared<ContractParseOptions>();
  CLI::App* contract = app.add_subcommand("contract", "offline contract intelligence");
  contract->require_subcommand(1);
  CLI::App* parse = contract->add_subcommand(
      "parse", "extract customer, ARR, term, entitlements and stakeholders from FILE");
  parse->add_option("FILE", options->file, "contract as text, PDF or DOCX")->required();
  parse->add_flag("--json", options->json, "print the extraction as one JSON object");
  parse->callback([&run, options] { run = [options] { return contract_parse(*options); }; });
}

}  // namespace cscx::cli::internal
