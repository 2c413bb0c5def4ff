// The contract parser's vocabulary, in one place so it can be read and
// extended without touching the rules. Every entry is lowercase (matching is
// done on the ASCII-lowercased text) unless a comment says otherwise. To
// teach the parser a new word, add it here and a dev-set case that needs it
// (tests/data/contracts/), then run the scorer (docs/contracts.md).
#pragma once

#include <string_view>

namespace cscx::contracts::lexicon {

struct MonthName {
  std::string_view name;
  int month;
};
inline constexpr MonthName kMonths[] = {
    {"january", 1},   {"february", 2}, {"march", 3},     {"april", 4},     {"may", 5},
    {"june", 6},      {"july", 7},     {"august", 8},    {"september", 9}, {"october", 10},
    {"november", 11}, {"december", 12}, {"jan", 1},      {"feb", 2},       {"mar", 3},
    {"apr", 4},       {"jun", 6},      {"jul", 7},       {"aug", 8},       {"sept", 9},
    {"sep", 9},       {"oct", 10},     {"nov", 11},      {"dec", 12},
    // German and French, for European contracts.
    {"januar", 1},    {"februar", 2},  {"m\xc3\xa4rz", 3}, {"juni", 6},    {"juli", 7},
    {"oktober", 10},  {"dezember", 12}, {"janvier", 1},  {"f\xc3\xa9vrier", 2}, {"mars", 3},
    {"avril", 4},     {"mai", 5},      {"juin", 6},      {"juillet", 7},   {"ao\xc3\xbbt", 8},
    {"septembre", 9}, {"octobre", 10}, {"novembre", 11}, {"d\xc3\xa9""cembre", 12},
};

struct NumberWord {
  std::string_view word;
  int value;
};
inline constexpr NumberWord kNumberWords[] = {
    {"one", 1},        {"two", 2},        {"three", 3},     {"four", 4},      {"five", 5},
    {"six", 6},        {"seven", 7},      {"eight", 8},     {"nine", 9},      {"ten", 10},
    {"eleven", 11},    {"twelve", 12},    {"thirteen", 13}, {"fourteen", 14}, {"fifteen", 15},
    {"sixteen", 16},   {"eighteen", 18},  {"twenty", 20},   {"twenty-four", 24},
    {"thirty", 30},    {"thirty-six", 36}, {"forty", 40},   {"forty-five", 45},
    {"fifty", 50},     {"sixty", 60},     {"seventy-five", 75}, {"ninety", 90},
    {"one hundred twenty", 120}, {"one hundred and twenty", 120}, {"a", 1}, {"an", 1},
};

struct CurrencyMark {
  std::string_view mark;  // as written (case-sensitive)
  std::string_view code;
};
// Symbols and codes; longer marks first so "US$" wins over "$".
inline constexpr CurrencyMark kCurrencyMarks[] = {
    {"US$", "USD"}, {"CA$", "CAD"}, {"C$", "CAD"},  {"AU$", "AUD"}, {"A$", "AUD"},
    {"NZ$", "NZD"}, {"S$", "SGD"},  {"HK$", "HKD"}, {"$", "USD"},   {"\xe2\x82\xac", "EUR"},
    {"\xc2\xa3", "GBP"}, {"\xc2\xa5", "JPY"}, {"\xe2\x82\xb9", "INR"},
    {"USD", "USD"}, {"EUR", "EUR"}, {"GBP", "GBP"}, {"CHF", "CHF"}, {"CAD", "CAD"},
    {"AUD", "AUD"}, {"JPY", "JPY"}, {"SEK", "SEK"}, {"NOK", "NOK"}, {"DKK", "DKK"},
    {"INR", "INR"}, {"SGD", "SGD"}, {"NZD", "NZD"}, {"PLN", "PLN"}, {"BRL", "BRL"},
    {"MXN", "MXN"}, {"ZAR", "ZAR"}, {"CNY", "CNY"}, {"HKD", "HKD"},
};
// Currency words written after an amount ("5,000 euros").
inline constexpr CurrencyMark kCurrencyWords[] = {
    {"euros", "EUR"}, {"euro", "EUR"}, {"pounds sterling", "GBP"}, {"swiss francs", "CHF"},
    {"us dollars", "USD"}, {"u.s. dollars", "USD"}, {"dollars", "USD"},
};

enum class Side { kUnknown, kCustomer, kVendor, kReseller };

struct RoleWord {
  std::string_view word;
  Side side;
};
// Defined-term roles ("Acme Inc. (the \"Customer\")") and labels.
inline constexpr RoleWord kRoles[] = {
    {"customer", Side::kCustomer},     {"client", Side::kCustomer},
    {"licensee", Side::kCustomer},     {"subscriber", Side::kCustomer},
    {"buyer", Side::kCustomer},        {"purchaser", Side::kCustomer},
    {"end customer", Side::kCustomer}, {"end user", Side::kCustomer},
    {"end-user", Side::kCustomer},     {"customer name", Side::kCustomer},
    {"customer legal name", Side::kCustomer}, {"client name", Side::kCustomer},
    {"bill to", Side::kCustomer},      {"sold to", Side::kCustomer},
    {"ship to", Side::kCustomer},      {"auftraggeber", Side::kCustomer},
    {"kunde", Side::kCustomer},        {"provider", Side::kVendor},
    {"service provider", Side::kVendor}, {"vendor", Side::kVendor},
    {"supplier", Side::kVendor},       {"licensor", Side::kVendor},
    {"seller", Side::kVendor},         {"consultant", Side::kVendor},
    {"contractor", Side::kVendor},     {"host", Side::kVendor},
    {"developer", Side::kVendor},      {"company", Side::kUnknown},
    {"auftragnehmer", Side::kVendor},  {"anbieter", Side::kVendor},
    {"reseller", Side::kReseller},     {"distributor", Side::kReseller},
    {"partner", Side::kReseller},      {"var", Side::kReseller},
    {"channel partner", Side::kReseller}, {"solution provider", Side::kReseller},
};

// Words that end a company name ("Acme Holdings GmbH").
inline constexpr std::string_view kLegalSuffixes[] = {
    "inc",  "inc.", "incorporated", "corp", "corp.", "corporation", "llc", "l.l.c.", "ltd",
    "ltd.", "limited", "plc", "gmbh", "ag", "sa", "s.a.", "sas", "sarl", "bv", "b.v.", "nv",
    "n.v.", "oy", "ab", "as", "a/s", "spa", "s.p.a.", "srl", "pty", "co", "co.", "lp", "llp",
    "kg", "se", "pte", "kk", "p.c.", "pc", "l.p.", "n.a.", "s.l.", "s.r.l.", "a.g.", "pllc",
    "s.a.s.", "k.k.", "pty.", "e.v.",
};

// Field labels ("Start Date: ...", "Billing Frequency | Annual").
enum class Label {
  kNone, kStartDate, kEndDate, kTerm, kAutoRenew, kRenewalNotice, kBilling, kPaymentTerms,
  kCurrency, kAnnualFee, kMonthlyFee, kQuarterlyFee, kTotalValue, kOneTimeFee, kSignedDate,
};
struct LabelWord {
  std::string_view label;
  Label kind;
};
inline constexpr LabelWord kLabels[] = {
    {"effective date", Label::kStartDate},      {"start date", Label::kStartDate},
    {"subscription start date", Label::kStartDate}, {"subscription start", Label::kStartDate},
    {"service start date", Label::kStartDate},  {"commencement date", Label::kStartDate},
    {"term start", Label::kStartDate},          {"term start date", Label::kStartDate},
    {"contract start date", Label::kStartDate}, {"go-live date", Label::kNone},
    {"end date", Label::kEndDate},              {"subscription end date", Label::kEndDate},
    {"subscription end", Label::kEndDate},      {"expiration date", Label::kEndDate},
    {"expiry date", Label::kEndDate},           {"term end", Label::kEndDate},
    {"term end date", Label::kEndDate},         {"contract end date", Label::kEndDate},
    {"service end date", Label::kEndDate},      {"term", Label::kTerm},
    {"contract period", Label::kTerm},          {"period", Label::kTerm},
    {"agreement term", Label::kTerm},           {"term of agreement", Label::kTerm},
    {"dur\xc3\xa9""e", Label::kTerm},            {"date de d\xc3\xa9""but", Label::kStartDate},
    {"project start", Label::kStartDate},       {"project start date", Label::kStartDate},
    {"project end", Label::kEndDate},           {"project end date", Label::kEndDate},
    {"completion date", Label::kEndDate},       {"target completion", Label::kEndDate},
    {"target completion date", Label::kEndDate}, {"go-live", Label::kNone},
    {"subscription term", Label::kTerm},        {"initial term", Label::kTerm},
    {"contract term", Label::kTerm},            {"duration", Label::kTerm},
    {"service period", Label::kTerm},           {"subscription period", Label::kTerm},
    {"laufzeit", Label::kTerm},                 {"amended term", Label::kTerm},
    {"renewal term", Label::kTerm},             {"new term", Label::kTerm},
    {"auto-renewal", Label::kAutoRenew},        {"auto renewal", Label::kAutoRenew},
    {"automatic renewal", Label::kAutoRenew},   {"auto-renew", Label::kAutoRenew},
    {"renewal", Label::kAutoRenew},             {"renews automatically", Label::kAutoRenew},
    {"renewal notice", Label::kRenewalNotice},  {"notice period", Label::kRenewalNotice},
    {"non-renewal notice", Label::kRenewalNotice}, {"renewal notice period", Label::kRenewalNotice},
    {"billing frequency", Label::kBilling},     {"billing", Label::kBilling},
    {"billing cycle", Label::kBilling},         {"invoicing", Label::kBilling},
    {"invoice frequency", Label::kBilling},     {"billing period", Label::kBilling},
    {"payment frequency", Label::kBilling},     {"payment terms", Label::kPaymentTerms},
    {"payment", Label::kPaymentTerms},          {"zahlungsziel", Label::kPaymentTerms},
    {"currency", Label::kCurrency},             {"w\xc3\xa4hrung", Label::kCurrency},
    {"annual fee", Label::kAnnualFee},          {"annual subscription fee", Label::kAnnualFee},
    {"annual recurring revenue", Label::kAnnualFee}, {"arr", Label::kAnnualFee},
    {"acv", Label::kAnnualFee},                 {"annual contract value", Label::kAnnualFee},
    {"total annual fee", Label::kAnnualFee},    {"total annual fees", Label::kAnnualFee},
    {"annual total", Label::kAnnualFee},        {"annual subscription", Label::kAnnualFee},
    {"yearly fee", Label::kAnnualFee},          {"annual license fee", Label::kAnnualFee},
    {"jahresgeb\xc3\xbchr", Label::kAnnualFee}, {"monthly fee", Label::kMonthlyFee},
    {"monthly subscription fee", Label::kMonthlyFee}, {"monthly total", Label::kMonthlyFee},
    {"monthly subscription", Label::kMonthlyFee}, {"total monthly fee", Label::kMonthlyFee},
    {"total monthly fees", Label::kMonthlyFee}, {"monatliche geb\xc3\xbchr", Label::kMonthlyFee},
    {"quarterly fee", Label::kQuarterlyFee},    {"quarterly subscription fee", Label::kQuarterlyFee},
    {"total quarterly fee", Label::kQuarterlyFee}, {"total contract value", Label::kTotalValue},
    {"tcv", Label::kTotalValue},                {"total value", Label::kTotalValue},
    {"total fees", Label::kTotalValue},         {"total price", Label::kTotalValue},
    {"contract value", Label::kTotalValue},     {"grand total", Label::kTotalValue},
    {"total", Label::kTotalValue},              {"gesamtwert", Label::kTotalValue},
    {"one-time fee", Label::kOneTimeFee},       {"one time fee", Label::kOneTimeFee},
    {"setup fee", Label::kOneTimeFee},          {"set-up fee", Label::kOneTimeFee},
    {"implementation fee", Label::kOneTimeFee}, {"onboarding fee", Label::kOneTimeFee},
    {"fixed fee", Label::kOneTimeFee},          {"date signed", Label::kSignedDate},
    {"signature date", Label::kSignedDate},     {"order date", Label::kSignedDate},
};

// Context cues that say how often an amount recurs.
inline constexpr std::string_view kAnnualCues[] = {
    "per year", "per annum", "annual", "annually", "yearly", "/year", "/yr", "p.a.",
    "each year", "a year", "per contract year", "each contract year", "jährlich", "pro jahr",
};
inline constexpr std::string_view kMonthlyCues[] = {
    "per month", "monthly", "/month", "/mo", "a month", "each month", "per calendar month",
    "monatlich", "pro monat", "par mois", "mensuel",
};
inline constexpr std::string_view kQuarterlyCues[] = {
    "per quarter", "quarterly", "/quarter", "each quarter", "per calendar quarter",
    "vierteljährlich", "pro quartal",
};
inline constexpr std::string_view kOneTimeCues[] = {
    "one-time", "one time", "one-off", "once-off", "setup", "set-up", "implementation",
    "onboarding", "professional services", "fixed fee", "fixed price", "training",
    "migration", "consulting", "non-recurring", "einmalig", "upon signature", "workshop",
};
inline constexpr std::string_view kTotalCues[] = {
    "total contract value", "tcv", "total fees", "total value", "total price", "aggregate",
    "in total", "total of", "total amount", "grand total", "for the entire term",
    "over the term", "for the term", "for the initial term", "contract value", "gesamt",
};
// "$10 per user per month" is a unit price, not a fee.
inline constexpr std::string_view kUnitPriceCues[] = {
    "per user", "per seat", "per license", "per licence", "per unit", "per named user",
    "/user", "/seat", "per additional", "per hour", "/hour", "hourly", "per gb", "per tb",
    "per device", "per agent", "per location", "per api call", "per 1,000", "per 1000",
    "per transaction", "per record", "overage", "each additional", "per employee",
    "per member", "per site", "per instance", "late", "interest", "liability",
    "insurance", "penalty", "not exceed", "cap", "credit", "per day", "per diem",
};

// Units an entitlement is counted in; the first word is how we report it.
struct UnitWord {
  std::string_view word;
  std::string_view unit;
};
inline constexpr UnitWord kUnits[] = {
    {"named users", "users"}, {"named user", "users"}, {"users", "users"}, {"user", "users"},
    {"seats", "seats"}, {"seat", "seats"}, {"licenses", "licenses"}, {"license", "licenses"},
    {"licences", "licenses"}, {"licence", "licenses"}, {"agents", "agents"}, {"agent", "agents"},
    {"admins", "admins"}, {"administrators", "admins"}, {"tb", "TB"}, {"gb", "GB"},
    {"terabytes", "TB"}, {"gigabytes", "GB"}, {"hours", "hours"}, {"hour", "hours"},
    {"api calls", "API calls"}, {"calls", "API calls"}, {"requests", "requests"},
    {"instances", "instances"}, {"instance", "instances"}, {"sites", "sites"},
    {"site", "sites"}, {"locations", "locations"}, {"location", "locations"},
    {"devices", "devices"}, {"device", "devices"}, {"endpoints", "endpoints"},
    {"projects", "projects"}, {"environments", "environments"}, {"environment", "environments"},
    {"workspaces", "workspaces"}, {"workspace", "workspaces"}, {"credits", "credits"},
    {"messages", "messages"}, {"emails", "emails"}, {"contacts", "contacts"},
    {"records", "records"}, {"employees", "employees"}, {"members", "members"},
    {"servers", "servers"}, {"server", "servers"}, {"nodes", "nodes"}, {"cores", "cores"},
    {"vcpus", "vCPUs"}, {"days", "days"}, {"sessions", "sessions"}, {"modules", "modules"},
    {"units", "units"}, {"unit", "units"}, {"accounts", "accounts"}, {"stores", "stores"},
    {"transactions", "transactions"}, {"documents", "documents"}, {"minutes", "minutes"},
    {"nutzer", "users"}, {"lizenzen", "licenses"}, {"stunden", "hours"},
};

// Headings of sections whose bullets and rows are entitlements.
inline constexpr std::string_view kEntitlementHeadings[] = {
    "entitlements", "products", "subscriptions", "licensed products", "services ordered",
    "order details", "line items", "included", "subscription services", "products and services",
    "licensed software", "order summary", "scope of subscription", "purchased services",
    "leistungsumfang", "ordered products", "subscription details", "usage limits",
    "subscribed services", "subscribed products", "services", "subscribed modules", "modules",
    "product", "licenses", "licences", "quantities",
};
// Headings of sections whose bullets are technical requirements.
inline constexpr std::string_view kTechnicalHeadings[] = {
    "technical requirements", "technical specifications", "integration requirements",
    "security requirements", "implementation requirements", "technical environment",
    "system requirements", "integrations", "technical and security requirements",
    "technische anforderungen", "hosting requirements", "infrastructure requirements",
    "technical", "security and compliance", "service levels", "sla", "security", "data protection",
    "hosting", "integration", "compliance",
};
// Headings that start a contact section; the side comes from their words.
inline constexpr std::string_view kContactHeadings[] = {
    "contacts", "contact", "key contacts", "customer contacts", "notices", "stakeholders",
    "points of contact", "ansprechpartner", "project team", "contact information",
};
// Words of a job title; a line holding one of these is a title.
inline constexpr std::string_view kTitleWords[] = {
    "ceo", "cfo", "cto", "coo", "cio", "ciso", "cmo", "cro", "cpo", "vp", "svp", "evp",
    "president", "vice", "director", "manager", "head", "chief", "officer", "lead", "owner",
    "founder", "partner", "counsel", "engineer", "administrator", "admin", "architect",
    "analyst", "controller", "treasurer", "secretary", "procurement", "buyer", "specialist",
    "coordinator", "executive", "principal", "chair", "chairman", "representative",
    "consultant", "geschäftsführer", "leiter", "leiterin", "einkauf", "champion", "sponsor",
    "signatory", "member", "associate", "supervisor", "agent", "directeur", "directrice",
    "responsable", "g\xc3\xa9rant", "pr\xc3\xa9sident", "leiterin", "gesch\xc3\xa4""ftsf\xc3\xbchrerin",
};

// The words the rules look up across the whole document (term_rules,
// money_rules, list_rules, party_rules). TextIndex finds every occurrence of
// all of them in one pass over the text instead of one memmem scan per word
// and per hit; a word missing here is still found, by a scan of its own.
// At least three bytes each.
inline constexpr std::string_view kAnchorWords[] = {
    // term_rules: the term's length, renewal cues and notice anchors.
    "term", "period", "laufzeit", "duration", "in effect", "in force", "continue for",
    "renew", "extend", "verl", "tacit", "may be renewed", "renewal requires", "will not renew",
    "not automatic", "shall not renew", "no automatic", "does not renew", "not automatically renew",
    "renewal shall be subject to", "not to renew", "intention not to",
    // money_rules: billing frequency and payment terms.
    "billed", "invoiced", "invoice", "payable", "billing", "paid", "in advance", "abgerechnet",
    "factur", "net", "payment within", "payable within", "due within", "paid within",
    "zahlbar innerhalb", "paiement",
    // list_rules and party_rules.
    "number of", "between",
};

}  // namespace cscx::contracts::lexicon
