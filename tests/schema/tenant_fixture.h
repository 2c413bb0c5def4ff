// Two CSMs, A and B, each with one customer and one row in every
// customer-scoped table, at fixed ids: tenant_id('a', kCustomer) and so on.
#pragma once

#include <string>

#include "db/connection.h"

namespace cscx::testing {

enum TenantRow {
  kUser = 1,
  kCustomer = 10,
  kStakeholder = 11,
  kContract = 12,
  kEntitlement = 13,
  kSession = 14,
  kMessage = 15,
  kApproval = 16,
  kMeeting = 17,
  kTranscript = 18,
  kInsight = 19,
  kProgress = 20,
  kActivity = 21,
};

// "a0000000-0000-0000-0000-0000000000NN" for tenant 'a' and row NN.
std::string tenant_id(char tenant, TenantRow row);

// The shared training module, and a public and a private article.
inline constexpr const char* kModuleId = "c0000000-0000-0000-0000-000000000001";
inline constexpr const char* kPublicArticleId = "c0000000-0000-0000-0000-000000000002";
inline constexpr const char* kPrivateArticleId = "c0000000-0000-0000-0000-000000000003";

// Inserts both tenants (as superuser).
void load_two_tenants(db::Connection& conn);

}  // namespace cscx::testing
