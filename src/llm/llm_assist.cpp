#include "llm/llm_assist.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <functional>
#include <memory>
#include <set>
#include <utility>

namespace cscx::llm {
namespace asio = boost::asio;
namespace json = boost::json;
using contracts::ContractExtraction;
using contracts::Evidence;
using meetings::TranscriptAnalysis;

namespace {

// Readers for one field of the model's answer: a value only when it is
// present, non-null and of the expected type and range.
std::optional<std::string> text_of(const json::value* v) {
  if (!v || !v->is_string()) return std::nullopt;
  std::string s(v->as_string());
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return std::nullopt;
  s.erase(0, first);
  s.erase(s.find_last_not_of(" \t\r\n") + 1);
  return s;
}

std::optional<double> amount_of(const json::value* v) {
  if (!v || !v->is_number()) return std::nullopt;
  const double d = v->to_number<double>();
  if (!std::isfinite(d) || d < 0 || d > 1e15) return std::nullopt;
  return d;
}

std::optional<long long> integer_of(const json::value* v, long long min, long long max) {
  if (!v || !v->is_number()) return std::nullopt;
  const double d = v->to_number<double>();
  if (!std::isfinite(d) || d != std::floor(d) || d < static_cast<double>(min) ||
      d > static_cast<double>(max)) {
    return std::nullopt;
  }
  return static_cast<long long>(d);
}

std::optional<bool> flag_of(const json::value* v) {
  if (!v || !v->is_bool()) return std::nullopt;
  return v->as_bool();
}

std::optional<std::string> date_of(const json::value* v) {
  auto s = text_of(v);
  if (!s || !meetings::parse_iso_date(*s)) return std::nullopt;
  return s;
}

std::optional<std::string> currency_of(const json::value* v) {
  auto s = text_of(v);
  if (!s || s->size() != 3 ||
      !std::all_of(s->begin(), s->end(), [](char c) { return c >= 'A' && c <= 'Z'; })) {
    return std::nullopt;
  }
  return s;
}

const json::value* field(const json::object& o, std::string_view key) { return o.if_contains(key); }

const json::object* object_of(const json::value* v) {
  return v && v->is_object() ? &v->as_object() : nullptr;
}

// A non-empty array whose every element `read` accepts; nullopt otherwise,
// so one bad element discards the model's list rather than half of it. An
// empty list is no answer: "nothing found" never erases what the rules found.
template <class T>
std::optional<std::vector<T>> list_of(const json::value* v,
                                      const std::function<std::optional<T>(const json::value&)>& read,
                                      std::size_t max_items = 100) {
  if (!v || !v->is_array() || v->as_array().empty() || v->as_array().size() > max_items) {
    return std::nullopt;
  }
  std::vector<T> out;
  for (const json::value& item : v->as_array()) {
    auto x = read(item);
    if (!x) return std::nullopt;
    out.push_back(std::move(*x));
  }
  return out;
}

// --- contracts --------------------------------------------------------------

// Evidence for a value the model gave: where it occurs verbatim in the text
// (offsets in code points, as the parser's), else no span. The model's
// answer is not checked against the document beyond that, so confidence
// stays at or below 0.5 ("check it").
class ContractMerge {
 public:
  explicit ContractMerge(ContractExtraction& x) : x_(x) {}

  int taken() const { return taken_; }

  void note(const std::string& path, std::string_view value) {
    Evidence e;
    e.source = "llm";
    e.confidence = 0.3;
    if (auto old = x_.evidence.find(path); old != x_.evidence.end()) e.page = old->second.page;
    const std::size_t at = value.empty() ? std::string::npos : x_.text.find(value);
    if (at != std::string::npos) {
      e.confidence = 0.5;
      e.start = code_points(at);
      e.end = e.start + code_points_in(value);
    }
    x_.evidence[path] = e;
  }

  template <class T>
  void take(const std::string& path, std::optional<T>& into, const std::optional<T>& value,
            std::string_view located = {}) {
    if (!value || into == value) return;
    into = value;
    note(path, located);
    ++taken_;
  }

  // Replaces a list and its evidence entries ("name[i]...").
  void drop_evidence(const std::string& list) {
    const std::string prefix = list + "[";
    for (auto it = x_.evidence.begin(); it != x_.evidence.end();) {
      it = it->first.starts_with(prefix) ? x_.evidence.erase(it) : std::next(it);
    }
    ++taken_;
  }

 private:
  std::size_t code_points(std::size_t bytes) const {
    return code_points_in(std::string_view(x_.text).substr(0, bytes));
  }
  static std::size_t code_points_in(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
  }

  ContractExtraction& x_;
  int taken_ = 0;
};

std::optional<contracts::Entitlement> entitlement_of(const json::value& v) {
  const json::object* o = object_of(&v);
  if (!o) return std::nullopt;
  auto name = text_of(field(*o, "name"));
  if (!name) return std::nullopt;
  contracts::Entitlement e{*name, std::nullopt, std::nullopt};
  const json::value* quantity = field(*o, "quantity");
  if (quantity && !quantity->is_null()) {
    e.quantity = integer_of(quantity, 0, 1'000'000'000'000LL);
    if (!e.quantity) return std::nullopt;
  }
  e.unit = text_of(field(*o, "unit"));
  return e;
}

std::optional<contracts::Stakeholder> stakeholder_of(const json::value& v) {
  const json::object* o = object_of(&v);
  if (!o) return std::nullopt;
  auto name = text_of(field(*o, "name"));
  if (!name) return std::nullopt;
  contracts::Stakeholder s{*name, text_of(field(*o, "title")), text_of(field(*o, "email")),
                           text_of(field(*o, "phone"))};
  if (s.email && s.email->find('@') == std::string::npos) return std::nullopt;
  return s;
}

std::optional<std::string> requirement_of(const json::value& v) { return text_of(&v); }

void merge_lists(const json::object& answer, ContractExtraction& x, ContractMerge& m) {
  auto entitlements = list_of<contracts::Entitlement>(field(answer, "entitlements"), entitlement_of);
  if (entitlements) {
    m.drop_evidence("entitlements");
    x.entitlements = std::move(*entitlements);
    for (std::size_t i = 0; i < x.entitlements.size(); ++i) {
      m.note("entitlements[" + std::to_string(i) + "]", x.entitlements[i].name);
    }
  }
  auto stakeholders = list_of<contracts::Stakeholder>(field(answer, "stakeholders"), stakeholder_of);
  if (stakeholders) {
    m.drop_evidence("stakeholders");
    x.stakeholders = std::move(*stakeholders);
    for (std::size_t i = 0; i < x.stakeholders.size(); ++i) {
      const auto& s = x.stakeholders[i];
      const std::string prefix = "stakeholders[" + std::to_string(i) + "]";
      m.note(prefix + ".name", s.name);
      if (s.title) m.note(prefix + ".title", *s.title);
      if (s.email) m.note(prefix + ".email", *s.email);
      if (s.phone) m.note(prefix + ".phone", *s.phone);
    }
  }
  auto requirements =
      list_of<std::string>(field(answer, "technical_requirements"), requirement_of);
  if (requirements) {
    m.drop_evidence("technical_requirements");
    x.technical_requirements = std::move(*requirements);
    for (std::size_t i = 0; i < x.technical_requirements.size(); ++i) {
      m.note("technical_requirements[" + std::to_string(i) + "]", x.technical_requirements[i]);
    }
  }
}

const std::set<std::string_view> kBillingFrequencies = {"annual", "semi-annual", "quarterly",
                                                         "monthly", "one-time"};

// --- transcripts ------------------------------------------------------------

std::optional<meetings::Sentiment> sentiment_of(const json::value* v) {
  auto s = text_of(v);
  if (!s) return std::nullopt;
  for (auto x : {meetings::Sentiment::kPositive, meetings::Sentiment::kNeutral,
                 meetings::Sentiment::kNegative, meetings::Sentiment::kMixed}) {
    if (*s == meetings::sentiment_name(x)) return x;
  }
  return std::nullopt;
}

std::optional<meetings::RiskType> risk_type_of(const json::value* v) {
  auto s = text_of(v);
  if (!s) return std::nullopt;
  for (auto x : {meetings::RiskType::kChurnRisk, meetings::RiskType::kBudgetCut,
                 meetings::RiskType::kChampionLeaving, meetings::RiskType::kCompetitorMention,
                 meetings::RiskType::kRenewalAtRisk,
                 meetings::RiskType::kExpansionOpportunity}) {
    if (*s == meetings::risk_type_name(x)) return x;
  }
  return std::nullopt;
}

std::optional<meetings::ActionItem> action_item_of(const json::value& v) {
  const json::object* o = object_of(&v);
  if (!o) return std::nullopt;
  auto description = text_of(field(*o, "description"));
  if (!description) return std::nullopt;
  meetings::ActionItem item;
  item.description = *description;
  item.sentence = *description;
  item.owner = text_of(field(*o, "owner"));
  const json::value* due = field(*o, "due_date");
  if (due && !due->is_null()) {
    auto date = date_of(due);
    if (!date) return std::nullopt;
    item.due_date = *meetings::parse_iso_date(*date);
  }
  return item;
}

std::optional<meetings::KeyQuote> key_quote_of(const json::value& v) {
  const json::object* o = object_of(&v);
  if (!o) return std::nullopt;
  auto quote = text_of(field(*o, "quote"));
  if (!quote) return std::nullopt;
  return meetings::KeyQuote{text_of(field(*o, "speaker")).value_or(""), *quote};
}

std::optional<meetings::RiskSignal> risk_signal_of(const json::value& v) {
  const json::object* o = object_of(&v);
  if (!o) return std::nullopt;
  auto type = risk_type_of(field(*o, "type"));
  auto sentence = text_of(field(*o, "sentence"));
  if (!type || !sentence) return std::nullopt;
  return meetings::RiskSignal{*type, *sentence, text_of(field(*o, "speaker")).value_or("")};
}

std::string cut(std::string_view text) {
  if (text.size() <= kMaxDocumentBytes) return std::string(text);
  std::size_t end = kMaxDocumentBytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return std::string(text.substr(0, end)) + "\n[... cut ...]";
}

// stderr, never stdout: `cscx contract parse --json` prints its answer there.
spdlog::logger& logger() {
  static const auto instance =
      std::make_shared<spdlog::logger>("llm", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  return *instance;
}

void log_failure(std::string_view what, const Error& error) {
  logger().warn("LLM provider not used for this {}; keeping the built-in result: {}", what,
               error.to_string());
}

}  // namespace

std::string contract_system_prompt() {
  return R"(You extract structured data from a customer contract. Answer with exactly one JSON object and nothing else, with these keys:
"company_name": the customer (not the vendor or a reseller), string or null;
"arr": annual recurring revenue as a number in the contract's own currency (monthly fee x 12, quarterly x 4, total / term years), null for one-off services;
"currency": ISO 4217 code such as "USD", or null;
"contract_term": {"start_date": "YYYY-MM-DD" or null, "end_date": "YYYY-MM-DD" or null, "months": integer or null, "auto_renew": true/false or null, "renewal_notice_days": integer or null};
"entitlements": [{"name": string, "quantity": integer or null, "unit": string or null}];
"stakeholders": [{"name": string, "title": string or null, "email": string or null, "phone": string or null}] (the customer's people only);
"technical_requirements": [string];
"pricing_terms": {"total_value": number or null, "billing_frequency": "annual"|"semi-annual"|"quarterly"|"monthly"|"one-time" or null, "payment_terms_days": integer or null, "currency": ISO 4217 code or null}.
Use null where the document does not say. A draft made by a rule-based parser is given; correct it where the document says otherwise.)";
}

std::string contract_user_prompt(const ContractExtraction& draft) {
  json::object d = contracts::to_json(draft);
  d.erase("evidence");
  return "Draft:\n" + json::serialize(d) + "\n\nContract:\n" + cut(draft.text);
}

std::string transcript_system_prompt() {
  return R"(You analyse a customer meeting transcript. Answer with exactly one JSON object and nothing else, with these keys:
"summary": a few sentences, string;
"decisions": [string];
"action_items": [{"description": string, "owner": the person who committed or null, "due_date": "YYYY-MM-DD" or null when vague}];
"concerns": [string];
"sentiment": {"overall": "positive"|"neutral"|"negative"|"mixed", "per_speaker": {"<speaker>": "positive"|"neutral"|"negative"|"mixed"}};
"key_quotes": [{"speaker": string, "quote": string}];
"risk_signals": [{"type": "churn_risk"|"budget_cut"|"champion_leaving"|"competitor_mention"|"renewal_at_risk"|"expansion_opportunity", "sentence": the sentence that shows it, "speaker": string}].
A draft made by a rule-based analyser is given; correct it where the transcript says otherwise.)";
}

std::string transcript_user_prompt(std::string_view transcript, const TranscriptAnalysis& draft) {
  json::object d = meetings::to_json(draft);
  d.erase("talk_time");
  d.erase("sources");
  return "Draft:\n" + json::serialize(d) + "\n\nTranscript:\n" + cut(transcript);
}

int merge_contract_answer(const json::object& answer, ContractExtraction& x) {
  ContractMerge m(x);
  auto company = text_of(field(answer, "company_name"));
  m.take("company_name", x.company_name, company, company.value_or(""));
  m.take("arr", x.arr, amount_of(field(answer, "arr")));
  auto currency = currency_of(field(answer, "currency"));
  m.take("currency", x.currency, currency, currency.value_or(""));
  if (const json::object* t = object_of(field(answer, "contract_term"))) {
    auto& term = x.contract_term;
    m.take("contract_term.start_date", term.start_date, date_of(field(*t, "start_date")));
    m.take("contract_term.end_date", term.end_date, date_of(field(*t, "end_date")));
    auto months = integer_of(field(*t, "months"), 1, 1200);
    m.take("contract_term.months", term.months,
           months ? std::optional<int>(static_cast<int>(*months)) : std::nullopt);
    m.take("contract_term.auto_renew", term.auto_renew, flag_of(field(*t, "auto_renew")));
    auto notice = integer_of(field(*t, "renewal_notice_days"), 0, 3650);
    m.take("contract_term.renewal_notice_days", term.renewal_notice_days,
           notice ? std::optional<int>(static_cast<int>(*notice)) : std::nullopt);
  }
  merge_lists(answer, x, m);
  if (const json::object* p = object_of(field(answer, "pricing_terms"))) {
    auto& pricing = x.pricing_terms;
    m.take("pricing_terms.total_value", pricing.total_value, amount_of(field(*p, "total_value")));
    auto billing = text_of(field(*p, "billing_frequency"));
    if (billing && !kBillingFrequencies.contains(*billing)) billing.reset();
    m.take("pricing_terms.billing_frequency", pricing.billing_frequency, billing);
    auto days = integer_of(field(*p, "payment_terms_days"), 0, 3650);
    m.take("pricing_terms.payment_terms_days", pricing.payment_terms_days,
           days ? std::optional<int>(static_cast<int>(*days)) : std::nullopt);
    m.take("pricing_terms.currency", pricing.currency, currency_of(field(*p, "currency")));
  }
  return m.taken();
}

int merge_transcript_answer(const json::object& answer, TranscriptAnalysis& a) {
  int taken = 0;
  auto mark = [&](const char* name) {
    a.sources[name] = "llm";
    ++taken;
  };
  if (auto summary = text_of(field(answer, "summary"))) {
    a.summary = *summary;
    mark("summary");
  }
  if (auto decisions = list_of<std::string>(field(answer, "decisions"), requirement_of)) {
    a.decisions = std::move(*decisions);
    mark("decisions");
  }
  if (auto items = list_of<meetings::ActionItem>(field(answer, "action_items"), action_item_of)) {
    a.action_items = std::move(*items);
    mark("action_items");
  }
  if (auto concerns = list_of<std::string>(field(answer, "concerns"), requirement_of)) {
    a.concerns = std::move(*concerns);
    mark("concerns");
  }
  if (const json::object* s = object_of(field(answer, "sentiment"))) {
    if (auto overall = sentiment_of(field(*s, "overall"))) {
      a.overall_sentiment = *overall;
      mark("sentiment.overall");
    }
    // Only speakers the transcript has: talk time stays measured, not judged.
    if (const json::object* per = object_of(field(*s, "per_speaker"))) {
      for (auto& speaker : a.speakers) {
        if (auto value = sentiment_of(per->if_contains(speaker.name))) {
          speaker.sentiment = *value;
          a.sources["sentiment.per_speaker"] = "llm";
        }
      }
    }
  }
  if (auto quotes = list_of<meetings::KeyQuote>(field(answer, "key_quotes"), key_quote_of)) {
    a.key_quotes = std::move(*quotes);
    mark("key_quotes");
  }
  if (auto risks = list_of<meetings::RiskSignal>(field(answer, "risk_signals"), risk_signal_of)) {
    a.risk_signals = std::move(*risks);
    mark("risk_signals");
  }
  return taken;
}

asio::awaitable<void> refine_contract(const std::optional<LlmConfig>& config,
                                      ContractExtraction& extraction) {
  if (!config) co_return;
  auto answer = co_await ask_json(*config, contract_system_prompt(),
                                  contract_user_prompt(extraction));
  if (!answer) {
    log_failure("contract", answer.error());
    co_return;
  }
  const int taken = merge_contract_answer(*answer, extraction);
  logger().info("LLM provider changed {} contract field(s)", taken);
}

void refine_contract_blocking(const std::optional<LlmConfig>& config,
                              ContractExtraction& extraction) {
  if (!config) return;
  auto answer = ask_json_blocking(*config, contract_system_prompt(),
                                  contract_user_prompt(extraction));
  if (!answer) return log_failure("contract", answer.error());
  merge_contract_answer(*answer, extraction);
}

asio::awaitable<void> refine_transcript(const std::optional<LlmConfig>& config,
                                        std::string_view transcript,
                                        TranscriptAnalysis& analysis) {
  if (!config) co_return;
  auto answer = co_await ask_json(*config, transcript_system_prompt(),
                                  transcript_user_prompt(transcript, analysis));
  if (!answer) {
    log_failure("transcript", answer.error());
    co_return;
  }
  const int taken = merge_transcript_answer(*answer, analysis);
  logger().info("LLM provider changed {} transcript field(s)", taken);
}

void refine_transcript_blocking(const std::optional<LlmConfig>& config,
                                std::string_view transcript, TranscriptAnalysis& analysis) {
  if (!config) return;
  auto answer = ask_json_blocking(*config, transcript_system_prompt(),
                                  transcript_user_prompt(transcript, analysis));
  if (!answer) return log_failure("transcript", answer.error());
  merge_transcript_answer(*answer, analysis);
}

}  // namespace cscx::llm
