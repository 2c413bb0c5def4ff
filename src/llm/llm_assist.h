// Asking the optional LLM provider for the contract and transcript output
// objects and merging its answer into the built-in result (issue 6).
//
// The built-in engines (contracts/contract_parser.h, meetings/
// transcript_analyzer.h) always run first; their result is sent to the model
// as a draft together with the document. A field the model returns valid and
// well-typed replaces or fills the built-in one and is marked as coming from
// the model (a contract's evidence entry gets source "llm"; a transcript's
// `sources` map names the field). Invalid, missing or null fields keep the
// built-in value. Any failure of the provider (off, unreachable, timeout,
// non-200, malformed or wrongly shaped answer) keeps the built-in result as
// it is and is logged with spdlog: the caller never sees an error.
// docs/llm.md lists the merge rules field by field.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <string_view>

#include "contracts/contract_parser.h"
#include "llm/llm_client.h"
#include "meetings/transcript_analyzer.h"

namespace cscx::llm {

// The prompts sent for a contract or a transcript: the system message
// describes exactly our output object; the user message holds the draft
// (the built-in result) and the document, cut to kMaxDocumentBytes.
inline constexpr std::size_t kMaxDocumentBytes = 200 * 1024;
std::string contract_system_prompt();
std::string contract_user_prompt(const contracts::ContractExtraction& draft);
std::string transcript_system_prompt();
std::string transcript_user_prompt(std::string_view transcript,
                                   const meetings::TranscriptAnalysis& draft);

// Merges a model's answer into `extraction` / `analysis` field by field as
// described above; returns how many fields it took. Pure; never fails.
int merge_contract_answer(const boost::json::object& answer,
                          contracts::ContractExtraction& extraction);
int merge_transcript_answer(const boost::json::object& answer,
                            meetings::TranscriptAnalysis& analysis);

// Asks the provider (when `config` is set) and merges its answer into the
// result. Never fails: on any failure the result stays as the built-in
// engine made it. The awaitable versions run on the caller's executor and
// never block it; the *_blocking versions are for the CLI. References must
// outlive the returned awaitable.
boost::asio::awaitable<void> refine_contract(const std::optional<LlmConfig>& config,
                                             contracts::ContractExtraction& extraction);
void refine_contract_blocking(const std::optional<LlmConfig>& config,
                              contracts::ContractExtraction& extraction);
boost::asio::awaitable<void> refine_transcript(const std::optional<LlmConfig>& config,
                                               std::string_view transcript,
                                               meetings::TranscriptAnalysis& analysis);
void refine_transcript_blocking(const std::optional<LlmConfig>& config,
                                std::string_view transcript,
                                meetings::TranscriptAnalysis& analysis);

}  // namespace cscx::llm
