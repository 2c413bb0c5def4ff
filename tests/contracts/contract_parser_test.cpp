#include "contracts/contract_parser.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <chrono>
#include <string>

namespace cscx::contracts {
namespace {

ContractExtraction parse(std::string_view text) {
  auto r = parse_contract(text);
  EXPECT_TRUE(r) << r.error().message;
  return r ? *r : ContractExtraction{};
}

// The text between two code-point offsets.
std::string slice_code_points(const std::string& text, std::size_t start, std::size_t end) {
  std::size_t cp = 0, b = std::string::npos, e = text.size();
  for (std::size_t i = 0; i <= text.size(); ++i) {
    bool boundary = i == text.size() || (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80;
    if (!boundary) continue;
    if (cp == start && b == std::string::npos) b = i;
    if (cp == end) {
      e = i;
      break;
    }
    ++cp;
  }
  return text.substr(b, e - b);
}

std::string evidence_text(const ContractExtraction& x, const std::string& path) {
  const Evidence& e = x.evidence.at(path);
  return slice_code_points(x.text, e.start, e.end);
}

TEST(ContractArr, MultipliesAMonthlyFeeByTwelve) {
  auto x = parse("Customer will pay a monthly subscription fee of $2,500.");
  EXPECT_EQ(x.arr, 30000);
}

TEST(ContractArr, MultipliesAQuarterlyFeeByFour) {
  auto x = parse("Fees: $12,500 per quarter, billed quarterly in advance.");
  EXPECT_EQ(x.arr, 50000);
  EXPECT_EQ(x.pricing_terms.billing_frequency, "quarterly");
}

TEST(ContractArr, DividesATotalByTheTermInYears) {
  auto x = parse(
      "The initial term is thirty-six (36) months.\n\nThe total fees for the entire term are $360,000.");
  EXPECT_EQ(x.contract_term.months, 36);
  EXPECT_EQ(x.arr, 120000);
  EXPECT_EQ(x.pricing_terms.total_value, 360000);
}

TEST(ContractArr, IsNullForOneOffServices) {
  auto x = parse("The Client shall pay a one-time fixed fee of $48,000, payable upon signature.");
  EXPECT_FALSE(x.arr);
  EXPECT_EQ(x.pricing_terms.total_value, 48000);
}

TEST(ContractArr, KeepsTheContractCurrencyAndEuropeanNumbers) {
  auto x = parse("The Customer shall pay a monthly fee of EUR 4.250,00.");
  EXPECT_EQ(x.arr, 51000);
  EXPECT_EQ(x.currency, "EUR");
}

TEST(ContractArr, PrefersAnExplicitAnnualTotalToLineItems) {
  auto x = parse(
      "| Product | Qty | Annual Fee |\n| Platform | 10 | $9,000 |\n| Support | 1 | $1,000 |\n"
      "| Total Annual Fees | | $10,000 |\n");
  EXPECT_EQ(x.arr, 10000);
}

TEST(ContractArr, SumsRecurringLineItemsAndSkipsOneTimeOnes) {
  auto x = parse(
      "Item | Qty | Monthly Fee\nSeats | 50 | $2,500\nAnalytics | 1 | $500\n"
      "Onboarding (one-time) | 1 | $5,000\n");
  EXPECT_EQ(x.arr, 36000);
}

TEST(ContractArr, IgnoresUnitPrices) {
  auto x = parse("Additional users cost $10 per user per month.");
  EXPECT_FALSE(x.arr);
}

TEST(ContractCompany, IsTheCustomerNotTheVendor) {
  auto x = parse(
      "This Agreement is made between Northwind Analytics Inc., a Delaware corporation "
      "(\"Provider\"), and BrightPath Logistics LLC (the \"Customer\").");
  EXPECT_EQ(x.company_name, "BrightPath Logistics LLC");
}

TEST(ContractCompany, IsTheEndCustomerNotTheReseller) {
  auto x = parse("Vendor: Orbit CX Ltd\nReseller: Summit Channel Partners Ltd\nEnd Customer: Lakeside Retail Group plc\n");
  EXPECT_EQ(x.company_name, "Lakeside Retail Group plc");
}

TEST(ContractCompany, IsTheLicenseeOfALicence) {
  auto x = parse(
      "by and between QUANTUM CODE LABS INC., a California corporation (hereinafter \"Licensor\"), and "
      "ATLAS ENGINEERING CORP., a Texas corporation (hereinafter referred to as \"Licensee\").");
  EXPECT_EQ(x.company_name, "ATLAS ENGINEERING CORP.");
}

TEST(ContractCompany, IsTheOtherPartyWhenOnlyTheVendorHasARole) {
  auto x = parse("This agreement is between SmileOps Inc. (\"Vendor\") and Evergreen Dental Group (\"Evergreen\").");
  EXPECT_EQ(x.company_name, "Evergreen Dental Group");
  EXPECT_LT(x.evidence.at("company_name").confidence, 0.9);
}

TEST(ContractStakeholders, KeepsOnlyTheCustomersPeople) {
  auto x = parse(
      "Vendor: CloudCo Inc.\nCustomer: Acme Corp\n\n"
      "VENDOR: CloudCo Inc.\nBy: /s/ Bob Seller\nName: Bob Seller\nTitle: Sales Director\n\n"
      "CUSTOMER: Acme Corp\nBy: /s/ Jane Buyer\nName: Jane Buyer\nTitle: CFO\nEmail: jane@acme.com\n");
  ASSERT_EQ(x.stakeholders.size(), 1u);
  EXPECT_EQ(x.stakeholders[0].name, "Jane Buyer");
  EXPECT_EQ(x.stakeholders[0].title, "CFO");
  EXPECT_EQ(x.stakeholders[0].email, "jane@acme.com");
}

TEST(ContractStakeholders, ReadsSideBySideSignatureBlocks) {
  auto x = parse(
      "between SmileOps Inc. (\"Vendor\") and Evergreen Dental (the \"Customer\").\n\n"
      "SMILEOPS INC.                    EVERGREEN DENTAL\n"
      "By: /s/ Marcus Lee               By: /s/ Jennifer Walsh\n"
      "Title: Chief Executive Officer   Title: Operations Director\n");
  ASSERT_EQ(x.stakeholders.size(), 1u);
  EXPECT_EQ(x.stakeholders[0].name, "Jennifer Walsh");
  EXPECT_EQ(x.stakeholders[0].title, "Operations Director");
}

TEST(ContractStakeholders, ReadsContactLinesAndDropsTheVendorsAccountTeam) {
  auto x = parse(
      "Customer: BrightPath Logistics LLC\n\nCustomer Contacts:\n"
      "- Maria Gonzalez, VP of Operations, maria@brightpath.com, +1 410 555 0142\n\n"
      "Your account executive: Tom Baker, Account Executive, tom@northwind.com\n");
  ASSERT_EQ(x.stakeholders.size(), 1u);
  EXPECT_EQ(x.stakeholders[0].phone, "+1 410 555 0142");
}

TEST(ContractEvidence, PointsAtTheTextInCodePoints) {
  auto x = parse("Kunde: Müller Maschinenbau AG\nAnnual Fee: €48.000,00\nStart Date: 01.04.2024\n");
  EXPECT_EQ(x.arr, 48000);
  EXPECT_EQ(evidence_text(x, "arr"), "€48.000,00");
  EXPECT_EQ(evidence_text(x, "company_name"), "Müller Maschinenbau AG");
  EXPECT_EQ(evidence_text(x, "contract_term.start_date"), "01.04.2024");
  EXPECT_EQ(x.evidence.at("arr").page, 1);
  EXPECT_GT(x.evidence.at("arr").confidence, 0.8);
}

TEST(ContractEvidence, NamesListItemsByIndex) {
  auto x = parse("Customer: Acme Inc\n\nCustomer Contacts:\n- Jane Roe, CTO, jane@acme.com\n- John Poe, CFO, john@acme.com\n");
  ASSERT_EQ(x.stakeholders.size(), 2u);
  EXPECT_EQ(evidence_text(x, "stakeholders[1].email"), "john@acme.com");
}

TEST(ContractTerm, UsesTheAmendedTermInAnAmendment) {
  auto x = parse(
      "AMENDMENT NO. 2\n\nThe original term of the Agreement runs from January 1, 2023 through December 31, "
      "2023.\n\n1. Term. The term of the Agreement is hereby extended from January 1, 2024 through "
      "December 31, 2025.\n");
  EXPECT_EQ(x.contract_term.start_date, "2024-01-01");
  EXPECT_EQ(x.contract_term.end_date, "2025-12-31");
  EXPECT_EQ(x.contract_term.months, 24);
}

TEST(ContractTerm, DerivesTheEndFromTheStartAndLength) {
  auto x = parse("Subscription Start Date: March 1, 2024\nSubscription Term: 12 months\n");
  EXPECT_EQ(x.contract_term.end_date, "2025-02-28");
}

TEST(ContractTerm, ReadsADottedRange) {
  auto x = parse("The Agreement starts on 01.04.2024 and ends on 31.03.2026.");
  EXPECT_EQ(x.contract_term.start_date, "2024-04-01");
  EXPECT_EQ(x.contract_term.end_date, "2026-03-31");
  EXPECT_EQ(x.contract_term.months, 24);
}

TEST(ContractTerm, ReadsAutoRenewalAndItsNotice) {
  auto x = parse(
      "This Agreement shall automatically renew for successive twelve-month periods unless either party "
      "notifies the other at least thirty (30) days prior to the end of the then-current term.");
  EXPECT_EQ(x.contract_term.auto_renew, true);
  EXPECT_EQ(x.contract_term.renewal_notice_days, 30);
}

TEST(ContractTerm, ReadsANegatedAutoRenewal) {
  auto x = parse("The Agreement will not renew automatically after the Extended Term.");
  EXPECT_EQ(x.contract_term.auto_renew, false);
}

TEST(ContractPricing, ReadsNetPaymentTerms) {
  EXPECT_EQ(parse("Payment Terms: Net 30").pricing_terms.payment_terms_days, 30);
  EXPECT_EQ(parse("Invoices are payable within forty-five (45) days after receipt of invoice.")
                .pricing_terms.payment_terms_days,
            45);
}

TEST(ContractEntitlements, ReadsAnOrderFormTable) {
  auto x = parse(
      "| Product | Quantity | Unit | Annual Fee |\n|---|---|---|---|\n"
      "| Analytics Platform | 250 | users | $90,000 |\n| Total | | | $90,000 |\n");
  ASSERT_EQ(x.entitlements.size(), 1u);
  EXPECT_EQ(x.entitlements[0].name, "Analytics Platform");
  EXPECT_EQ(x.entitlements[0].quantity, 250);
  EXPECT_EQ(x.entitlements[0].unit, "users");
}

TEST(ContractEntitlements, ReadsBulletsUnderAnEntitlementHeading) {
  auto x = parse("Entitlements:\n- Field Dispatch Pro: 75 technician licenses\n- 10 admin seats\n- Premium Support\n");
  ASSERT_EQ(x.entitlements.size(), 3u);
  EXPECT_EQ(x.entitlements[0].name, "Field Dispatch Pro");
  EXPECT_EQ(x.entitlements[0].quantity, 75);
  EXPECT_EQ(x.entitlements[0].unit, "licenses");
  EXPECT_EQ(x.entitlements[1].quantity, 10);
  EXPECT_FALSE(x.entitlements[2].quantity);
}

TEST(ContractTechnicalRequirements, ReadsBulletsUnderATechnicalHeading) {
  auto x = parse("Technical Requirements\n- SSO via SAML 2.0\n- Data hosted in the EU\n\nFees\nNone.");
  ASSERT_EQ(x.technical_requirements.size(), 2u);
  EXPECT_EQ(x.technical_requirements[1], "Data hosted in the EU");
}

TEST(ContractJson, HasExactlyTheIssueFieldsWithNullsWhereUnknown) {
  auto x = parse("Nothing to see here.");
  auto o = to_json(x);
  for (const char* key : {"company_name", "arr", "currency", "contract_term", "entitlements", "stakeholders",
                          "technical_requirements", "pricing_terms", "evidence"}) {
    EXPECT_TRUE(o.contains(key)) << key;
  }
  EXPECT_EQ(o.size(), 9u);
  EXPECT_TRUE(o.at("arr").is_null());
  EXPECT_TRUE(o.at("contract_term").as_object().at("renewal_notice_days").is_null());
  EXPECT_EQ(o.at("pricing_terms").as_object().size(), 4u);
  EXPECT_EQ(o.at("contract_term").as_object().size(), 5u);
}

TEST(ContractJson, WritesWholeAmountsAsIntegers) {
  auto o = to_json(parse("Annual Fee: $105,000.00"));
  EXPECT_EQ(boost::json::serialize(o.at("arr")), "105000");
}

}  // namespace
}  // namespace cscx::contracts

namespace cscx::contracts {
namespace {

// Regression: one huge line full of dates or amounts once made every lookup
// read the whole line (quadratic; minutes for a megabyte).
double seconds_to_parse(const std::string& text) {
  auto start = std::chrono::steady_clock::now();
  auto r = parse_contract(text);
  EXPECT_TRUE(r);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::string repeat(std::string_view piece, std::size_t times) {
  std::string out;
  out.reserve(piece.size() * times);
  for (std::size_t i = 0; i < times; ++i) out += piece;
  return out;
}

TEST(ContractLimits, ParsesALongLineOfDatesInLinearTime) {
  EXPECT_LT(seconds_to_parse(repeat("1/1/2024 ", 40000)), 5.0);
}

TEST(ContractLimits, ParsesALongLineOfAmountsInLinearTime) {
  EXPECT_LT(seconds_to_parse(repeat("$5 ", 100000)), 5.0);
}

}  // namespace
}  // namespace cscx::contracts
