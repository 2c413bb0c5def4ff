// `cscx transcript analyze FILE [--meeting-date YYYY-MM-DD] [--json]`.
#include <fmt/core.h>

#include <boost/json.hpp>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include "cli/intelligence_commands.h"
#include "llm/llm_assist.h"
#include "meetings/transcript_analyzer.h"
#include "meetings/transcript_document.h"

namespace cscx::cli::internal {
namespace {

struct TranscriptOptions {
  std::string file;
  std::string meeting_date;
  bool json = false;
};

Result<std::string> read_file(const std::string& path, std::size_t limit) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Code::kNotFound, fmt::format("cannot read {}", path));
  std::string data;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    data.append(buf, static_cast<std::size_t>(in.gcount()));
    // Stop reading once over the limit; transcript_text() names the limit.
    if (data.size() > limit) break;
  }
  if (in.bad()) return make_error(Code::kInternal, fmt::format("error reading {}", path));
  return data;
}

void print_readable(const meetings::TranscriptAnalysis& a) {
  fmt::print("Format: {}   words: {}\n", meetings::format_name(a.format), a.word_count);
  fmt::print("\nSummary\n  {}\n", a.summary);
  fmt::print("\nSentiment: {}\n", meetings::sentiment_name(a.overall_sentiment));
  for (const auto& s : a.speakers) {
    fmt::print("  {:<24} {:>5.1f}% of talk time, {}\n", s.name, s.talk_share * 100,
               meetings::sentiment_name(s.sentiment));
  }
  fmt::print("\nDecisions ({})\n", a.decisions.size());
  for (const auto& d : a.decisions) fmt::print("  - {}\n", d);
  fmt::print("\nAction items ({})\n", a.action_items.size());
  for (const auto& item : a.action_items) {
    fmt::print("  - {} [owner: {}, due: {}]\n", item.description, item.owner.value_or("?"),
               item.due_date ? meetings::format_iso_date(*item.due_date) : "-");
  }
  fmt::print("\nConcerns ({})\n", a.concerns.size());
  for (const auto& c : a.concerns) fmt::print("  - {}\n", c);
  fmt::print("\nRisk signals ({})\n", a.risk_signals.size());
  for (const auto& r : a.risk_signals) {
    fmt::print("  - {}: {}\n", meetings::risk_type_name(r.type), r.sentence);
  }
  fmt::print("\nKey quotes\n");
  for (const auto& q : a.key_quotes) {
    fmt::print("  \"{}\"{}\n", q.quote, q.speaker.empty() ? "" : " - " + q.speaker);
  }
}

Result<void> analyze(const TranscriptOptions& o) {
  meetings::AnalyzeOptions options;
  if (!o.meeting_date.empty()) {
    auto date = meetings::parse_iso_date(o.meeting_date);
    if (!date) return date.error();
    options.meeting_date = *date;
  }
  auto file = read_file(o.file, meetings::kMaxTranscriptFileBytes);
  if (!file) return file.error();
  auto text = meetings::transcript_text(std::move(*file));
  if (!text) return text.error();
  auto analysis = meetings::analyze_transcript(*text, options);
  if (!analysis) return analysis.error();
  // Off unless CSCX_LLM_* are set; any provider failure keeps the analyser's
  // result, but a CSCX_LLM_URL that can never work is the operator's to fix.
  auto llm_config = llm::llm_config_from_env();
  if (!llm_config) return llm_config.error();
  llm::refine_transcript_blocking(*llm_config, *text, *analysis);
  if (o.json) {
    fmt::print("{}\n", boost::json::serialize(meetings::to_json(*analysis)));
  } else {
    print_readable(*analysis);
  }
  return ok();
}

}  // namespace

void add_transcript_commands(CLI::App& app, CommandRun& run) {
  auto options = std::make_shared<TranscriptOptions>();
  CLI::App* transcript = app.add_subcommand("transcript", "Meeting transcripts (offline)");
  transcript->require_subcommand(1);
  CLI::App* analyze_cmd = transcript->add_subcommand(
      "analyze", "Summary, decisions, action items, concerns, sentiment and risk signals");
  analyze_cmd->add_option("FILE", options->file, "transcript: Name: lines, VTT or SRT")
      ->required();
  analyze_cmd->add_option("--meeting-date", options->meeting_date,
                          "YYYY-MM-DD; resolves relative due dates such as 'by Friday'");
  analyze_cmd->add_flag("--json", options->json, "print the analysis as JSON");
  analyze_cmd->callback([options, &run] { run = [options] { return analyze(*options); }; });
}

}  // namespace cscx::cli::internal
