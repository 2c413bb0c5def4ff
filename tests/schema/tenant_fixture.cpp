#include "schema/tenant_fixture.h"

#include <cstdio>

#include "support/test_database.h"

namespace cscx::testing {

std::string tenant_id(char tenant, TenantRow row) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%c0000000-0000-0000-0000-0000000000%02d", tenant,
                static_cast<int>(row));
  return buf;
}

void load_two_tenants(db::Connection& conn) {
  std::string sql = "BEGIN;\n";
  sql += std::string("INSERT INTO training_modules (id, title) VALUES ('") + kModuleId +
         "', 'Onboarding 101');\n";
  sql += std::string("INSERT INTO knowledge_base (id, title, content, is_public) VALUES ('") +
         kPublicArticleId + "', 'Public', 'text', true), ('" + kPrivateArticleId +
         "', 'Private', 'text', false);\n";
  for (char t : {'a', 'b'}) {
    auto id = [t](TenantRow r) { return "'" + tenant_id(t, r) + "'"; };
    sql += "INSERT INTO auth.users (id, email) VALUES (" + id(kUser) + ", '" + t +
           "@example.com');\n";
    sql += "INSERT INTO customers (id, name, arr, csm_id) VALUES (" + id(kCustomer) +
           ", 'Customer " + t + "', 1000, " + id(kUser) + ");\n";
    sql += "INSERT INTO stakeholders (id, customer_id, name) VALUES (" + id(kStakeholder) +
           ", " + id(kCustomer) + ", 'Stake');\n";
    sql += "INSERT INTO contracts (id, customer_id) VALUES (" + id(kContract) + ", " +
           id(kCustomer) + ");\n";
    sql += "INSERT INTO entitlements (id, contract_id, name) VALUES (" + id(kEntitlement) +
           ", " + id(kContract) + ", 'Seats');\n";
    sql += "INSERT INTO agent_sessions (id, customer_id, user_id) VALUES (" + id(kSession) +
           ", " + id(kCustomer) + ", " + id(kUser) + ");\n";
    sql += "INSERT INTO agent_messages (id, session_id, role, content) VALUES (" +
           id(kMessage) + ", " + id(kSession) + ", 'user', 'hello');\n";
    sql += "INSERT INTO approvals (id, session_id, agent_id, action) VALUES (" +
           id(kApproval) + ", " + id(kSession) + ", 'agent', 'send_email');\n";
    sql += "INSERT INTO meetings (id, customer_id, session_id, title) VALUES (" +
           id(kMeeting) + ", " + id(kCustomer) + ", " + id(kSession) + ", 'Kickoff');\n";
    sql += "INSERT INTO transcripts (id, meeting_id, content) VALUES (" + id(kTranscript) +
           ", " + id(kMeeting) + ", 'A: hi');\n";
    sql += "INSERT INTO insights (id, customer_id, meeting_id, source, type, content) VALUES (" +
           id(kInsight) + ", " + id(kCustomer) + ", " + id(kMeeting) +
           ", 'meeting', 'concern', 'pricing');\n";
    sql += "INSERT INTO training_progress (id, customer_id, stakeholder_id, module_id, progress) "
           "VALUES (" + id(kProgress) + ", " + id(kCustomer) + ", " + id(kStakeholder) + ", '" +
           kModuleId + "', 50);\n";
    sql += "INSERT INTO activity_log (id, user_id, customer_id, action) VALUES (" +
           id(kActivity) + ", " + id(kUser) + ", " + id(kCustomer) + ", 'created');\n";
  }
  sql += "COMMIT;\nSELECT 1";
  query_value(conn, sql);
}

}  // namespace cscx::testing
