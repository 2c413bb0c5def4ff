// Money: every amount is classified by the words around it (its row, its
// column header, its label or its clause) as annual, monthly, quarterly,
// one-time, a unit price or a total. ARR is then, in order: an explicit annual
// figure; the sum of recurring line items; a single recurring amount in prose
// (monthly x 12, quarterly x 4); a total divided by the term in years. One-off
// fees never make ARR. Currencies are never converted.
#include <algorithm>
#include <cmath>
#include <map>
#include <string>

#include "contracts/contract_rules.h"

namespace cscx::contracts::internal {
namespace {

using lexicon::Label;

enum class Period { kUnknown, kAnnual, kSemiAnnual, kMonthly, kQuarterly, kOneTime, kUnitPrice };

struct Amount {
  MoneyHit hit;
  Period period = Period::kUnknown;
  bool total = false;
  bool structured = false;  // a table row, bullet or label
  bool labelled = false;
};

bool has_any(std::string_view hay, const std::string_view* begin, const std::string_view* end) {
  return std::any_of(begin, end, [&](std::string_view w) { return hay.find(w) != std::string_view::npos; });
}
template <std::size_t N>
bool has_any(std::string_view hay, const std::string_view (&words)[N]) {
  return has_any(hay, words, words + N);
}

// The nearest period cue in `s` (searching from `from_end` backwards when true).
Period period_in(std::string_view s, bool from_end) {
  Period found = Period::kUnknown;
  std::size_t best = std::string_view::npos;
  auto consider = [&](std::string_view cue, Period p) {
    std::size_t at = from_end ? rfind_in(s, cue) : find_in(s, cue);
    if (at == std::string_view::npos) return;
    std::size_t key = from_end ? s.size() - at : at;
    if (best == std::string_view::npos || key < best) {
      best = key;
      found = p;
    }
  };
  for (std::string_view c : {"semi-annual", "semiannual", "half-year", "twice a year", "every six months"}) {
    consider(c, Period::kSemiAnnual);
  }
  for (std::string_view c : lexicon::kAnnualCues) consider(c, Period::kAnnual);
  for (std::string_view c : lexicon::kMonthlyCues) consider(c, Period::kMonthly);
  for (std::string_view c : lexicon::kQuarterlyCues) consider(c, Period::kQuarterly);
  for (std::string_view c : {"first year", "year 1", "per contract year"}) consider(c, Period::kAnnual);
  // "semi-annual" also contains "annual": let the longer cue win.
  if (found == Period::kAnnual && (s.find("semi-annual") != std::string_view::npos ||
                                   s.find("semiannual") != std::string_view::npos)) {
    found = Period::kSemiAnnual;
  }
  return found;
}

double per_year(Period p) {
  switch (p) {
    case Period::kAnnual:
      return 1;
    case Period::kSemiAnnual:
      return 2;
    case Period::kQuarterly:
      return 4;
    case Period::kMonthly:
      return 12;
    default:
      return 0;
  }
}

// The header cell above column `column` of the table row at `line`.
std::string_view column_header(const TextIndex& ix, std::size_t line, std::size_t column,
                               std::size_t cells) {
  for (std::size_t k = line; k > 0 && line - k < 30; --k) {
    std::string_view prev = ix.line_lower(k - 1);
    if (is_blank(prev)) break;
    std::vector<Span> pc = split_cells(prev);
    if (pc.size() != cells) break;
    bool has_digit = std::any_of(prev.begin(), prev.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!has_digit || k - 1 == 0 || is_blank(ix.line_text(k - 2)) ||
        split_cells(ix.line_text(k - 2)).size() != cells) {
      if (column < pc.size()) return prev.substr(pc[column].begin, pc[column].end - pc[column].begin);
      return {};
    }
  }
  return {};
}

class MoneyRules {
 public:
  MoneyRules(const Scan& scan, Draft& draft) : scan_(scan), draft_(draft) {}
  void run();

 private:
  void classify();
  void choose_arr();
  void choose_currency();
  void choose_total();
  void choose_billing();
  void choose_payment_terms();

  const Scan& scan_;
  Draft& draft_;
  std::vector<Amount> amounts_;
  std::string currency_;
  std::optional<Span> arr_span_;
  std::string arr_currency_;
  std::optional<double> total_from_arr_;
};

void MoneyRules::classify() {
  const TextIndex& ix = scan_.ix;
  std::vector<MoneyHit> hits = scan_.money;
  // Fee labels without a currency sign: "Annual Fee: 48.000,00".
  for (const auto& l : scan_.labels) {
    if (l.kind != Label::kAnnualFee && l.kind != Label::kMonthlyFee && l.kind != Label::kQuarterlyFee &&
        l.kind != Label::kTotalValue && l.kind != Label::kOneTimeFee) {
      continue;
    }
    bool covered = std::any_of(hits.begin(), hits.end(), [&](const MoneyHit& h) {
      return h.begin >= l.value.begin && h.begin < l.value.end;
    });
    if (covered) continue;
    std::string_view v = ix.slice(l.value);
    std::size_t d = v.find_first_of("0123456789");
    if (d == std::string_view::npos) continue;
    if (auto n = scan_number(ix.text(), l.value.begin + d); n && n->value > 0) {
      hits.push_back({n->value, "", n->begin, n->end});
    }
  }
  std::sort(hits.begin(), hits.end(), [](const MoneyHit& a, const MoneyHit& b) { return a.begin < b.begin; });
  // A contract states a few dozen amounts; thousands are a price list, and
  // only the first ones are read.
  if (hits.size() > 5000) hits.resize(5000);
  std::map<std::size_t, std::vector<const LabelLine*>> labels_of_line;
  for (const auto& l : scan_.labels) labels_of_line[l.line].push_back(&l);
  for (std::size_t i = 0; i < hits.size(); ++i) {
    const MoneyHit& h = hits[i];
    Amount a;
    a.hit = h;
    std::size_t li = ix.line_of(h.begin);
    std::string_view line = ix.line_text(li);
    Span ctx = ix.context_around(h.begin);
    std::size_t prev_end = i > 0 && hits[i - 1].end > ctx.begin ? hits[i - 1].end : ctx.begin;
    std::size_t next_begin = i + 1 < hits.size() && hits[i + 1].begin < ctx.end ? hits[i + 1].begin : ctx.end;
    bool table = line.size() <= 2000 && (line.find('|') != std::string_view::npos ||
                                         line.find('\t') != std::string_view::npos || split_cells(line).size() >= 3);
    std::string header;
    std::string row_name;  // the first cell of a table row
    if (table) {
      // In a table the words that count are the amount's own cell, its column
      // header and the row's name, never the neighbouring cells.
      std::vector<Span> cells = split_cells(line);
      std::size_t rel = h.begin - ix.line(li).begin;
      std::size_t base = ix.line(li).begin;
      for (std::size_t c = 0; c < cells.size(); ++c) {
        if (rel >= cells[c].begin && rel < cells[c].end) {
          header = std::string(column_header(ix, li, c, cells.size()));
          prev_end = std::max(prev_end, base + cells[c].begin);
          next_begin = std::min(next_begin, base + cells[c].end);
        }
      }
      if (!cells.empty() && cells[0].end <= rel) {
        row_name = std::string(ix.line_lower(li).substr(cells[0].begin, cells[0].end - cells[0].begin));
      }
    }
    auto flat = [](std::string_view s) {
      std::string out(s);
      for (char& c : out) {
        if (c == '\n' || c == '\t') c = ' ';
      }
      return out;
    };
    std::string before_text = flat(ix.lower().substr(prev_end, h.begin - std::min(h.begin, prev_end)));
    if (before_text.size() > 120) before_text = before_text.substr(before_text.size() - 120);
    std::string after_text = flat(ix.lower().substr(h.end, next_begin - std::min(next_begin, h.end)));
    if (!table) {
      std::size_t stop = after_text.find_first_of(",;(");
      if (stop != std::string::npos) after_text.resize(stop);
    }
    if (after_text.size() > 60) after_text.resize(60);
    std::string_view before = before_text, after = after_text;
    const LabelLine* label = nullptr;
    if (auto it = labels_of_line.find(li); it != labels_of_line.end()) {
      for (const LabelLine* l : it->second) {
        if (h.begin >= l->value.begin && h.begin < l->value.end) label = l;
      }
    }
    a.structured = table || label != nullptr || bullet_length(line) > 0;
    std::string near = std::string(before) + " " + std::string(after) + " " + header;
    std::string_view after_head = after.substr(0, std::min<std::size_t>(after.size(), 40));
    bool unit_price = has_any(after_head, lexicon::kUnitPriceCues) ||
                      has_any(header, {"unit price", "price per", "list price", "rate", "unit cost"}) ||
                      has_any(before.substr(before.size() > 40 ? before.size() - 40 : 0),
                              lexicon::kUnitPriceCues);
    if (label != nullptr && label->kind != Label::kNone) {
      a.labelled = true;
      switch (label->kind) {
        case Label::kAnnualFee:
          a.period = Period::kAnnual;
          a.total = true;
          break;
        case Label::kMonthlyFee:
          a.period = Period::kMonthly;
          a.total = true;
          break;
        case Label::kQuarterlyFee:
          a.period = Period::kQuarterly;
          a.total = true;
          break;
        case Label::kOneTimeFee:
          a.period = Period::kOneTime;
          break;
        case Label::kTotalValue:
          a.total = true;
          a.period = period_in(std::string(label->label) + " " + std::string(after), false);
          if (has_any(after, lexicon::kOneTimeCues)) a.period = Period::kOneTime;
          break;
        default:
          a.labelled = false;
          break;
      }
      if (a.labelled) {
        amounts_.push_back(a);
        continue;
      }
    }
    if (unit_price) {
      a.period = Period::kUnitPrice;
    } else if (has_any(near, lexicon::kOneTimeCues) || has_any(row_name, lexicon::kOneTimeCues)) {
      a.period = Period::kOneTime;
    } else {
      Period p = period_in(after, false);
      if (p == Period::kUnknown) p = period_in(before, true);
      if (p == Period::kUnknown) p = period_in(header, false);
      if (p == Period::kUnknown) p = period_in(row_name, false);
      a.period = p;
    }
    // A "Total" row sums the table; a "Monthly Total" column is a line's own total.
    std::string_view row_lower = table ? std::string_view(row_name) : before;
    a.total = has_any(row_lower, lexicon::kTotalCues) || contains_word(row_lower, "total");
    if (table && has_any(row_name, {"subtotal", "sub-total", "discount", "tax", "vat"})) {
      a.period = Period::kUnitPrice;  // not a fee of its own
    }
    amounts_.push_back(a);
  }
}

void MoneyRules::choose_arr() {
  std::optional<double> arr;
  double confidence = 0;
  Span span;
  std::string currency;
  // 1. An explicit annual figure (a label or an annual total).
  for (const Amount& a : amounts_) {
    if (a.period == Period::kAnnual && (a.labelled || a.total)) {
      double score = a.labelled ? 0.95 : 0.9;
      if (score > confidence) {
        arr = a.hit.value;
        confidence = score;
        span = {a.hit.begin, a.hit.end};
        currency = a.hit.currency;
      }
    }
  }
  // 2. Recurring line items of a table or list, annualised and summed.
  if (!arr) {
    double sum = 0;
    std::size_t n = 0;
    for (const Amount& a : amounts_) {
      if (!a.structured || a.total || per_year(a.period) == 0) continue;
      sum += a.hit.value * per_year(a.period);
      span = n == 0 ? Span{a.hit.begin, a.hit.end} : Span{span.begin, a.hit.end};
      if (n++ == 0) currency = a.hit.currency;
    }
    if (n > 0) {
      arr = sum;
      confidence = n == 1 ? 0.85 : 0.75;
    }
  }
  // 3. A monthly, quarterly or annual total, or a single recurring amount in prose.
  if (!arr) {
    for (Period p : {Period::kAnnual, Period::kMonthly, Period::kQuarterly, Period::kSemiAnnual}) {
      for (const Amount& a : amounts_) {
        if (a.period != p) continue;
        arr = a.hit.value * per_year(p);
        confidence = a.total || a.labelled ? 0.85 : 0.75;
        span = {a.hit.begin, a.hit.end};
        currency = a.hit.currency;
        break;
      }
      if (arr) break;
    }
  }
  // 4. A total over the term, divided by the term in years.
  const auto& months = draft_.out.contract_term.months;
  if (!arr && months && *months >= 12) {
    for (const Amount& a : amounts_) {
      if (!a.total || a.period != Period::kUnknown) continue;
      arr = a.hit.value * 12.0 / *months;
      confidence = 0.7;
      span = {a.hit.begin, a.hit.end};
      currency = a.hit.currency;
      total_from_arr_ = a.hit.value;
      break;
    }
  }
  if (!arr) return;
  draft_.out.arr = std::round(*arr * 100) / 100;
  draft_.note("arr", span, confidence);
  arr_span_ = span;
  arr_currency_ = currency;
}

void MoneyRules::choose_currency() {
  const TextIndex& ix = scan_.ix;
  std::optional<Span> span;
  double confidence = 0;
  if (!arr_currency_.empty()) {
    currency_ = arr_currency_;
    span = arr_span_;
    confidence = 0.95;
  }
  if (currency_.empty()) {
    if (const LabelLine* l = scan_.label(Label::kCurrency)) {
      std::string_view v = ix.slice(l->value);
      for (const auto& m : lexicon::kCurrencyMarks) {
        if (v.find(m.mark) != std::string_view::npos) {
          currency_ = std::string(m.code);
          span = l->value;
          confidence = 0.95;
          break;
        }
      }
    }
  }
  if (currency_.empty() && !scan_.money.empty()) {
    std::map<std::string, int> votes;
    for (const auto& m : scan_.money) ++votes[m.currency];
    auto best = std::max_element(votes.begin(), votes.end(),
                                 [](const auto& a, const auto& b) { return a.second < b.second; });
    currency_ = best->first;
    for (const auto& m : scan_.money) {
      if (m.currency == currency_) {
        span = Span{m.begin, m.end};
        break;
      }
    }
    confidence = votes.size() == 1 ? 0.85 : 0.6;
  }
  if (currency_.empty()) return;
  draft_.out.currency = currency_;
  draft_.note("currency", *span, confidence);
}

void MoneyRules::choose_total() {
  PricingTerms& p = draft_.out.pricing_terms;
  std::optional<double> total;
  Span span;
  double confidence = 0;
  std::string currency;
  for (const Amount& a : amounts_) {
    if (!a.total || (a.period != Period::kUnknown && a.period != Period::kOneTime)) continue;
    if (!total || a.hit.value > *total) {
      total = a.hit.value;
      span = {a.hit.begin, a.hit.end};
      confidence = a.labelled ? 0.9 : 0.8;
      currency = a.hit.currency;
    }
  }
  double one_time = 0;
  std::optional<Span> one_time_span;
  std::vector<double> seen;
  for (const Amount& a : amounts_) {
    if (a.period != Period::kOneTime) continue;
    if (std::find(seen.begin(), seen.end(), a.hit.value) != seen.end()) continue;
    seen.push_back(a.hit.value);
    one_time += a.hit.value;
    if (!one_time_span) one_time_span = Span{a.hit.begin, a.hit.end};
  }
  const auto& months = draft_.out.contract_term.months;
  if (!total && draft_.out.arr && months) {
    total = *draft_.out.arr * *months / 12.0 + one_time;
    span = *arr_span_;
    confidence = 0.55;
  } else if (!total && !draft_.out.arr && one_time > 0) {
    total = one_time;
    span = *one_time_span;
    confidence = 0.6;
  }
  if (total) {
    p.total_value = std::round(*total * 100) / 100;
    draft_.note("pricing_terms.total_value", span, confidence);
  }
  std::string c = currency.empty() ? currency_ : currency;
  if (!c.empty()) {
    p.currency = c;
    const auto& e = draft_.out.evidence["currency"];
    draft_.note("pricing_terms.currency", {e.start, e.end}, e.confidence);
  }
}

std::optional<std::string> frequency_name(std::string_view s) {
  switch (period_in(s, false)) {
    case Period::kAnnual:
      return "annual";
    case Period::kSemiAnnual:
      return "semi-annual";
    case Period::kQuarterly:
      return "quarterly";
    case Period::kMonthly:
      return "monthly";
    default:
      break;
  }
  for (std::string_view c : {"one-time", "one time", "in full upon", "upon signature", "single payment",
                             "in one installment", "in a single", "upfront in full", "once"}) {
    if (s.find(c) != std::string_view::npos) return "one-time";
  }
  return std::nullopt;
}

void MoneyRules::choose_billing() {
  const TextIndex& ix = scan_.ix;
  if (const LabelLine* l = scan_.label(Label::kBilling)) {
    if (auto f = frequency_name(ix.slice_lower(l->value))) {
      draft_.out.pricing_terms.billing_frequency = *f;
      draft_.note("pricing_terms.billing_frequency", l->value, 0.95);
      return;
    }
  }
  for (std::string_view anchor : {"billed", "invoiced", "invoice", "payable", "billing", "paid",
                                  "in advance", "abgerechnet", "factur"}) {
    std::size_t at = 0;
    int n = 0;
    while ((at = ix.find(anchor, at)) != std::string_view::npos && n++ < 20) {
      std::size_t b = at > 40 ? at - 40 : 0;
      std::size_t e = std::min(ix.lower().size(), at + anchor.size() + 80);
      Span sentence = ix.sentence_around(at);
      b = std::max(b, sentence.begin);
      e = std::min(e, sentence.end);
      std::string_view window = ix.lower().substr(b, e - b);
      std::size_t anchor_at = at;
      at += anchor.size();
      if (window.find("late") != std::string_view::npos || window.find("interest") != std::string_view::npos) continue;
      // The frequency right after "invoiced" is the billing one; one before
      // it may belong to the fee ("an annual fee of $X, invoiced quarterly").
      auto f = frequency_name(ix.lower().substr(anchor_at, e - std::min(e, anchor_at)));
      if (!f) f = frequency_name(window);
      if (f) {
        draft_.out.pricing_terms.billing_frequency = *f;
        draft_.note("pricing_terms.billing_frequency", {b, e}, 0.75);
        return;
      }
    }
  }
}

void MoneyRules::choose_payment_terms() {
  const TextIndex& ix = scan_.ix;
  auto net_days = [&](Span within) -> std::optional<CountHit> {
    std::string_view s = ix.lower().substr(0, within.end);
    std::size_t at = within.begin;
    while ((at = ix.find_word("net", at, within.end)) != std::string_view::npos) {
      std::size_t p = at + 3;
      while (p < s.size() && (s[p] == ' ' || s[p] == '-')) ++p;
      std::size_t e = p;
      while (e < s.size() && e - p < 30 && s[e] != ' ' && s[e] != ')' && s[e] != ',' && s[e] != '.' &&
             s[e] != '\n' && s[e] != ';') {
        ++e;
      }
      if (e < s.size() && s[e] == ')') ++e;
      // The count sits between "net" and the next word: find it by looking back from e.
      if (auto c = count_before(s, e); c && c->begin >= p && c->value > 0 && c->value <= 180) {
        return CountHit{c->value, at, e};
      }
      at += 3;
    }
    return std::nullopt;
  };
  if (const LabelLine* l = scan_.label(Label::kPaymentTerms)) {
    if (auto c = net_days(l->value)) {
      draft_.out.pricing_terms.payment_terms_days = static_cast<int>(c->value);
      draft_.note("pricing_terms.payment_terms_days", {c->begin, c->end}, 0.95);
      return;
    }
    for (const Duration& d : find_durations(ix.lower(), l->value)) {
      if (d.unit == "day") {
        draft_.out.pricing_terms.payment_terms_days = static_cast<int>(d.count);
        draft_.note("pricing_terms.payment_terms_days", {d.begin, d.end}, 0.9);
        return;
      }
    }
  }
  if (auto c = net_days({0, ix.lower().size()})) {
    draft_.out.pricing_terms.payment_terms_days = static_cast<int>(c->value);
    draft_.note("pricing_terms.payment_terms_days", {c->begin, c->end}, 0.85);
    return;
  }
  for (std::string_view anchor : {"invoice", "payment within", "payable within", "due within", "paid within",
                                  "zahlbar innerhalb", "paiement"}) {
    std::size_t at = 0;
    int n = 0;
    while ((at = ix.find(anchor, at)) != std::string_view::npos && n++ < 60) {
      Span sentence = ix.sentence_around(at);
      at += anchor.size();
      std::string_view s = ix.slice_lower(sentence);
      if (s.find("within") == std::string_view::npos && s.find("after") == std::string_view::npos &&
          s.find("due") == std::string_view::npos && s.find("of receipt") == std::string_view::npos &&
          s.find("innerhalb") == std::string_view::npos) {
        continue;
      }
      if (s.find("dispute") != std::string_view::npos || s.find("terminat") != std::string_view::npos ||
          s.find("notice") != std::string_view::npos || s.find("cure") != std::string_view::npos) {
        continue;
      }
      for (const Duration& d : find_durations(ix.lower(), sentence)) {
        if (d.unit != "day" || d.count > 180) continue;
        draft_.out.pricing_terms.payment_terms_days = static_cast<int>(d.count);
        draft_.note("pricing_terms.payment_terms_days", {d.begin, d.end}, 0.75);
        return;
      }
    }
  }
}

void MoneyRules::run() {
  classify();
  choose_arr();
  choose_currency();
  // Amounts written without a sign take the document's currency.
  if (draft_.out.arr && arr_currency_.empty() && !currency_.empty()) arr_currency_ = currency_;
  choose_total();
  choose_billing();
  choose_payment_terms();
  if (total_from_arr_ && !draft_.out.pricing_terms.total_value) {
    draft_.out.pricing_terms.total_value = *total_from_arr_;
  }
}

}  // namespace

void find_money_terms(const Scan& scan, Draft& draft) { MoneyRules(scan, draft).run(); }

}  // namespace cscx::contracts::internal
