// Committing a parsed contract: the service behind
// `POST /api/contracts/parse` with "commit": true (issue 6).
//
// Everything runs in one transaction as the caller (`db::RequestIdentity`),
// so row-level security decides which customers exist for them. What a
// commit writes:
//   - the customer: the oldest customer the caller can see whose name equals
//     the extraction's company_name, compared case-insensitively; its arr is
//     set when the contract states one. When none is visible, a customer is
//     inserted with that name, the arr and csm_id = auth.uid() (the caller
//     becomes the CSM; for service_role, `csm_id` below or NULL).
//     Consequence of RLS: a CSM whose contract names another CSM's customer
//     never sees nor touches it; a new customer owned by the caller is
//     created instead (docs/contracts.md, "HTTP API").
//   - one `contracts` row: file_name, raw_text = ContractExtraction::text
//     (the text the evidence offsets refer to), company_name, arr,
//     contract_term ("24 months"), start/end dates, status ('expired' when
//     the end date has passed, else 'active'), parsed_data = to_json(),
//     pricing_terms and technical_requirements;
//   - one `entitlements` row per entitlement (metadata.position keeps the
//     order);
//   - one `stakeholders` row per stakeholder, except those whose email or
//     name (case-insensitive) the customer already has.
// Commits naming the same company are serialised (a transaction-scoped
// advisory lock on the lower-cased name), so two concurrent commits never
// create the customer twice. The audit triggers log every row written.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "contracts/contract_parser.h"
#include "core/error.h"
#include "db/pool.h"

namespace cscx::contracts {

struct CommitOptions {
  std::optional<std::string> file_name;  // contracts.file_name; NULL when absent
  // The CSM of a customer the commit creates, and the only CSM whose
  // customers are matched. Meant for service_role; for a signed-in user any
  // id but their own fails RLS (kPermissionDenied).
  std::optional<std::string> csm_id;  // a uuid (the caller validated its form)
};

// Stores `extraction` as described above, as `who`. Returns the response
// body, built by PostgreSQL:
//   {"extraction": <to_json()>, "customer": <row>,
//    "contract": <row without raw_text and parsed_data>,
//    "entitlements": [<rows, in document order>],
//    "stakeholders": [<the customer's rows for the contract's people, new or
//                      already there>]}
// Fails with kInvalidArgument when the extraction has no company_name
// (nothing is written), and with the pool's errors (kUnavailable,
// kPermissionDenied for a role without write privileges or a foreign
// csm_id, ...). On any failure nothing is written. `pool`, `who`,
// `extraction` and `options` must outlive the returned awaitable.
// Thread-safe (the pool is).
boost::asio::awaitable<Result<std::string>> commit_contract(
    db::Pool& pool, const db::RequestIdentity& who, const ContractExtraction& extraction,
    const CommitOptions& options);

}  // namespace cscx::contracts
