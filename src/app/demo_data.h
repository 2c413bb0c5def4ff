// The demo data set for `cscx serve --demo`: two CSMs and five customers
// with sessions, meetings, training and knowledge base rows
// (sql/demo_data.sql), and the contracts and meeting transcripts of
// samples/ run through the contract parser and the transcript analyser, so
// the customers' ARR, contracts, entitlements, stakeholders, transcripts
// and insights are what the analysers make of real-looking documents.
// Everything is compiled in.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "core/error.h"

namespace cscx::app {

// A sample document and who stores it: contracts are committed as the
// customer's CSM (so RLS applies exactly as for POST /api/contracts/parse);
// transcripts are posted to `meeting_id` as that meeting's CSM.
struct DemoSample {
  std::string_view file;        // base name under samples/contracts or samples/transcripts
  std::string_view csm_id;      // auth.users id of the demo CSM
  std::string_view meeting_id;  // transcripts only
};
std::span<const DemoSample> demo_contract_samples();
std::span<const DemoSample> demo_transcript_samples();

// Loads the demo data when the database has no customers; returns whether
// it loaded. Three steps: sql/demo_data.sql in one transaction over
// `admin_url` (a superuser connection to a migrated database); the samples,
// each in its own transaction through the API's stores (contract_store.h
// commit_contract, transcript_store.h post_transcript) over a small pool on
// `api_url` (the authenticator role the server uses); then
// sql/demo_links.sql over `admin_url`. A failure stops there and is
// returned; the steps already done stay (a later run sees customers and
// does nothing), so start again from an empty database.
[[nodiscard]] Result<bool> load_demo_data_if_empty(const std::string& admin_url,
                                                   const std::string& api_url);

}  // namespace cscx::app
