// The contract term: start and end dates from labels ("Start Date: ..."),
// ranges ("1 March 2024 - 28 February 2025") and prose cues ("commencing on",
// "until"); its length in months; automatic renewal and the notice to stop
// it. In an amendment, sentences that extend or amend the term win over the
// ones that recall the original term.
#include <algorithm>
#include <cmath>
#include <string>

#include "contracts/contract_rules.h"

namespace cscx::contracts::internal {
namespace {

using lexicon::Label;

struct DateCandidate {
  const DateHit* hit = nullptr;
  double score = 0;
};

enum class Role { kNone, kStart, kEnd, kAgreement };

struct Cue {
  std::string_view word;
  Role role;
};
constexpr Cue kDateCues[] = {
    {"effective", Role::kStart},  {"commenc", Role::kStart},    {"beginning", Role::kStart},
    {"begins", Role::kStart},     {"begin on", Role::kStart},   {"starting", Role::kStart},
    {"starts", Role::kStart},     {"start", Role::kStart},      {"from", Role::kStart},
    {"with effect", Role::kStart}, {"as of", Role::kAgreement}, {"dated", Role::kAgreement},
    {"entered into", Role::kAgreement}, {"made on", Role::kAgreement}, {"ab dem", Role::kStart},
    {"vom", Role::kStart},        {"until", Role::kEnd},        {"through", Role::kEnd},
    {"thru", Role::kEnd},         {"ending", Role::kEnd},       {"ends", Role::kEnd},
    {"end on", Role::kEnd},       {"expire", Role::kEnd},       {"expiring", Role::kEnd},
    {"expiration", Role::kEnd},   {"terminate", Role::kEnd},    {"terminating", Role::kEnd},
    {"till", Role::kEnd},         {"bis", Role::kEnd},          {" to", Role::kEnd},
    {"extended to", Role::kEnd},  {"end date", Role::kEnd},     {"start date", Role::kStart},
    {"expiry", Role::kEnd},       {"and end", Role::kEnd},
};

constexpr std::string_view kNotTermDates[] = {
    "invoice", "paid by", "due on", "due by", "go-live", "kick-off", "kickoff", "delivered",
    "launch", "milestone", "deliver", "payment", "warranty", "insurance", "no later than",
    "birth", "signature", "workshop", "training",
};

bool contains_any(std::string_view hay, std::initializer_list<std::string_view> words) {
  return std::any_of(words.begin(), words.end(),
                     [&](std::string_view w) { return hay.find(w) != std::string_view::npos; });
}

double amendment_adjust(const Scan& scan, std::string_view sentence) {
  if (!scan.amendment) return 0;
  double adjust = 0;
  if (contains_any(sentence, {"extend", "amended", "renewal term", "new term", "revised",
                              "hereby", "replaced", "renewed", "now", "amendment term"})) {
    adjust += 0.2;
  }
  if (contains_any(sentence, {"original", "previously", "prior", "currently", "existing",
                              "was scheduled", "dated"})) {
    adjust -= 0.3;
  }
  return adjust;
}

const LabelLine* label_at(const Scan& scan, std::size_t offset) {
  std::size_t li = scan.ix.line_of(offset);
  for (const auto& l : scan.labels) {
    if (l.line == li && offset >= l.value.begin && offset < l.value.end) return &l;
    if (l.line + 1 == li && offset >= l.value.begin && offset < l.value.end) return &l;
  }
  return nullptr;
}

// The role a prose cue gives the date at `begin`: the nearest cue before it
// in the same sentence.
Role prose_role(std::string_view before) {
  Role role = Role::kNone;
  std::size_t best = std::string_view::npos;
  for (const Cue& c : kDateCues) {
    std::size_t at = rfind_in(before, c.word);
    if (at == std::string_view::npos) continue;
    std::size_t end = at + c.word.size();
    if (c.word == " to" && before.size() - end > 3) continue;
    if (best == std::string_view::npos || end > best) {
      best = end;
      role = c.role;
    }
  }
  return role;
}

int months_between(const Date& start, const Date& end) {
  long days = end.days_since_epoch() + 1 - start.days_since_epoch();
  if (days <= 0) return 0;
  int guess = static_cast<int>(std::lround(days / 30.4375));
  for (int m = std::max(1, guess - 1); m <= guess + 1; ++m) {
    long span = start.add_months(m).days_since_epoch() - start.days_since_epoch();
    if (std::labs(span - days) <= 3) return m;
  }
  return 0;
}

// Terms longer than a century are not terms.
std::optional<int> months_of(const Duration& d) {
  if (d.unit == "month" && d.count <= 1200) return static_cast<int>(d.count);
  if (d.unit == "year" && d.count <= 100) return static_cast<int>(d.count * 12);
  return std::nullopt;
}

std::optional<int> days_of(const Duration& d) {
  if (d.count > 3650) return std::nullopt;
  if (d.unit == "day") return static_cast<int>(d.count);
  if (d.unit == "week") return static_cast<int>(d.count * 7);
  if (d.unit == "month") return static_cast<int>(d.count * 30);
  return std::nullopt;
}

void find_dates_of_term(const Scan& scan, Draft& draft) {
  const TextIndex& ix = scan.ix;
  DateCandidate start, end, agreement;
  auto offer = [](DateCandidate& slot, const DateHit& h, double score) {
    if (score > slot.score) slot = {&h, score};
  };
  // A contract names a few dozen dates; past a few thousand it is a data
  // listing, and reading each date's clause would only cost time.
  const std::size_t n = std::min<std::size_t>(scan.dates.size(), 3000);
  for (std::size_t i = 0; i < n; ++i) {
    const DateHit& h = scan.dates[i];
    const LabelLine* label = label_at(scan, h.begin);
    if (label != nullptr && label->kind != Label::kNone) {
      std::string_view lab = label->label;
      double adjust = amendment_adjust(scan, lab);
      if (lab.find("original") != std::string_view::npos) adjust -= 0.4;
      switch (label->kind) {
        case Label::kStartDate:
          offer(start, h, 0.95 + adjust);
          break;
        case Label::kEndDate:
          offer(end, h, 0.95 + adjust);
          break;
        case Label::kTerm: {
          // A range: the first date starts it, a later one on the same label ends it.
          bool first = i == 0 || scan.dates[i - 1].end < label->value.begin;
          offer(first ? start : end, h, 0.9 + adjust);
          break;
        }
        case Label::kSignedDate:
          offer(agreement, h, 0.4);
          break;
        default:
          break;
      }
      continue;
    }
    if (label != nullptr && (label->label == "date" || label->label == "dated")) {
      offer(agreement, h, label->label == "dated" ? 0.5 : 0.3);
      continue;
    }
    Span sentence = ix.sentence_around(h.begin);
    std::string_view s = ix.slice_lower(sentence);
    std::string_view before = ix.lower().substr(sentence.begin, h.begin - sentence.begin);
    if (before.size() > 90) before = before.substr(before.size() - 90);
    bool excluded = std::any_of(std::begin(kNotTermDates), std::end(kNotTermDates),
                                [&](std::string_view w) { return before.find(w) != std::string_view::npos; });
    Role role = prose_role(before);
    if (role == Role::kNone || (excluded && role != Role::kAgreement)) continue;
    double score = 0.7 + amendment_adjust(scan, s);
    if (s.find("term") != std::string_view::npos || s.find("subscription") != std::string_view::npos) {
      score += 0.1;
    } else if (!contains_any(s, {"agreement", "effective", "commenc", "period", "service", "contract",
                                 "order", "license", "licence", "renew", "expire"})) {
      // "from December 31, 1999" in a clause about something else.
      score -= 0.3;
    }
    // A date that directly follows a start date ("from X to Y", "X - Y") ends it.
    if (role == Role::kStart || role == Role::kAgreement) {
      if (role == Role::kAgreement) {
        // The preamble's date ("entered into as of ...") is the usual start.
        double agreement_score = s.find("effective") != std::string_view::npos ? 0.6 : 0.5;
        if (h.begin < 2000) agreement_score += 0.05;
        offer(agreement, h, agreement_score);
      } else {
        offer(start, h, score);
      }
    } else {
      offer(end, h, score);
    }
    if (i + 1 < n) {
      const DateHit& next = scan.dates[i + 1];
      std::string_view between = ix.lower().substr(h.end, next.begin - std::min(next.begin, h.end));
      std::string_view t = trim(between);
      if (next.begin > h.end && between.size() <= 16 &&
          (t == "-" || t == "to" || t == "through" || t == "until" || t == "and" || t == "bis" ||
           t == "thru" || t == "-" || t == "to and including")) {
        if (role == Role::kStart || role == Role::kAgreement) offer(start, h, score);
        offer(end, next, score);
        ++i;
      }
    }
  }
  if (!start.hit && agreement.hit) start = agreement;
  if (start.hit && end.hit && end.hit->date.days_since_epoch() <= start.hit->date.days_since_epoch()) {
    end = {};
  }
  ContractTerm& term = draft.out.contract_term;
  if (start.hit) {
    term.start_date = start.hit->date.iso();
    draft.note("contract_term.start_date", {start.hit->begin, start.hit->end},
               std::min(start.score, 0.98));
  }
  if (end.hit) {
    term.end_date = end.hit->date.iso();
    draft.note("contract_term.end_date", {end.hit->begin, end.hit->end}, std::min(end.score, 0.98));
  }
}

void find_months(const Scan& scan, Draft& draft) {
  const TextIndex& ix = scan.ix;
  std::optional<Duration> best;
  double best_score = 0;
  for (const auto& l : scan.labels) {
    if (l.kind != Label::kTerm) continue;
    for (const Duration& d : find_durations(ix.lower(), l.value)) {
      double score = 0.9 + amendment_adjust(scan, l.label) -
                     (l.label.find("original") != std::string_view::npos ? 0.4 : 0);
      if (months_of(d) && score > best_score) {
        best = d;
        best_score = score;
      }
    }
  }
  if (!best) {
    for (std::string_view key : {"term", "period", "laufzeit", "duration", "in effect", "in force",
                                 "continue for"}) {
      std::size_t p = 0;
      std::size_t seen = 0;
      std::size_t last_sentence = std::string_view::npos;
      while ((p = ix.find_word(key, p)) != std::string_view::npos && seen++ < 400) {
        Span sentence = ix.sentence_around(p);
        std::string_view s = ix.slice_lower(sentence);
        p += key.size();
        if (sentence.begin == last_sentence) continue;  // already read
        last_sentence = sentence.begin;
        if (contains_any(s, {"payment", "warranty", "confidential", "surviv", "liabil",
                             "after termination", "invoice", "retain"})) {
          continue;
        }
        for (const Duration& d : find_durations(ix.lower(), sentence)) {
          std::size_t distance = d.begin > p ? d.begin - p : p - d.end;
          if (!months_of(d) || distance > 80) continue;
          // "90 days' notice", "within 12 months", "12 months prior" are not the term.
          std::string_view after = ix.lower().substr(d.end, std::min<std::size_t>(25, sentence.end - d.end));
          std::string_view before = ix.lower().substr(d.begin >= 12 ? d.begin - 12 : 0, std::min<std::size_t>(12, d.begin));
          if (contains_any(after, {"notice", "prior", "before", "after", "following"}) ||
              contains_any(before, {"within", "notice of"})) {
            continue;
          }
          double score = 0.75 + amendment_adjust(scan, s) - distance / 1000.0;
          if (score > best_score) {
            best = d;
            best_score = score;
          }
        }
      }
    }
  }
  ContractTerm& term = draft.out.contract_term;
  auto parse_iso = [](const std::string& iso) {
    return Date{std::stoi(iso.substr(0, 4)), std::stoi(iso.substr(5, 2)), std::stoi(iso.substr(8, 2))};
  };
  if (term.start_date && term.end_date) {
    int m = months_between(parse_iso(*term.start_date), parse_iso(*term.end_date));
    if (m > 0) {
      term.months = m;
      const Evidence& a = draft.out.evidence["contract_term.start_date"];
      const Evidence& b = draft.out.evidence["contract_term.end_date"];
      draft.note("contract_term.months", {std::min(a.start, b.start), std::max(a.end, b.end)},
                 std::min(a.confidence, b.confidence) * 0.95);
      return;
    }
  }
  if (!best) return;
  term.months = *months_of(*best);
  draft.note("contract_term.months", {best->begin, best->end}, std::min(best_score, 0.95));
  // Fill the missing end of the range from the length.
  Span span{best->begin, best->end};
  if (term.start_date && !term.end_date) {
    Date end = Date::from_days(parse_iso(*term.start_date).add_months(*term.months).days_since_epoch() - 1);
    term.end_date = end.iso();
    draft.note("contract_term.end_date", span, 0.6);
  } else if (term.end_date && !term.start_date) {
    Date start = Date::from_days(parse_iso(*term.end_date).days_since_epoch() + 1).add_months(-*term.months);
    term.start_date = start.iso();
    draft.note("contract_term.start_date", span, 0.5);
  }
}

void find_renewal(const Scan& scan, Draft& draft) {
  const TextIndex& ix = scan.ix;
  ContractTerm& term = draft.out.contract_term;
  if (const LabelLine* l = scan.label(Label::kAutoRenew)) {
    std::string_view v = trim_value(ix.slice_lower(l->value));
    std::optional<bool> value;
    if (v.rfind("yes", 0) == 0 || v.rfind("true", 0) == 0 || v.find("automatic") == 0 ||
        v.rfind("oui", 0) == 0 ||
        v.rfind("auto", 0) == 0 || v.find("renews automatically") != std::string_view::npos ||
        v.rfind("ja", 0) == 0) {
      value = true;
    }
    if ((v.rfind("no", 0) == 0 && !v.starts_with("notice")) || v.rfind("false", 0) == 0 || contains_word(v, "not") ||
        v.find("manual") != std::string_view::npos || v.find("mutual") != std::string_view::npos ||
        v.rfind("nein", 0) == 0 || v == "none") {
      value = false;
    }
    if (value) {
      term.auto_renew = value;
      draft.note("contract_term.auto_renew", l->value, 0.95);
    }
  }
  static constexpr std::string_view kRenewCues[] = {
      "automatically renew", "auto-renew", "automatic renewal", "renew automatically",
      "automatically be renewed", "automatically extend", "renews automatically",
      "shall renew for", "will renew for", "automatically for successive", "auto renew",
      "verl\xc3\xa4ngert sich automatisch", "tacitly renewed", "automatically be extended",
      "shall be renewed for", "renewed automatically"};
  // Every cue holds "renew", "extend", "verl" or "tacit": look for the cues
  // only around those, not over the whole document once per cue.
  std::size_t first = std::string_view::npos;
  std::string_view cue;
  for (std::string_view stem : {"renew", "extend", "verl", "tacit"}) {
    int seen = 0;
    for (std::size_t at = ix.find(stem); at != std::string_view::npos && at < first && seen++ < 200;
         at = ix.find(stem, at + stem.size())) {
      std::size_t from = at > 40 ? at - 40 : 0;
      std::string_view window = ix.lower().substr(from, 100);
      for (std::string_view c : kRenewCues) {
        std::size_t hit = window.find(c);
        if (hit != std::string_view::npos && from + hit < first) {
          first = from + hit;
          cue = c;
        }
      }
    }
  }
  std::size_t notice_anchor = std::string_view::npos;
  if (first != std::string_view::npos) {
    notice_anchor = first;
    if (!term.auto_renew) {
      Span sentence = ix.sentence_around(first);
      std::string_view before = ix.lower().substr(sentence.begin, first - sentence.begin);
      if (before.size() > 50) before = before.substr(before.size() - 50);
      bool negated = contains_word(before, "not") || contains_word(before, "no") ||
                     contains_word(before, "never") || contains_word(before, "without") ||
                     contains_word(before, "neither");
      term.auto_renew = !negated;
      draft.note("contract_term.auto_renew", {first, first + cue.size()}, 0.85);
    }
  } else if (!term.auto_renew) {
    for (std::string_view c : {"may be renewed", "renewal requires", "will not renew", "not automatic",
                               "shall not renew", "no automatic", "does not renew",
                               "not automatically renew", "renewal shall be subject to"}) {
      std::size_t at = ix.find(c);
      if (at == std::string_view::npos) continue;
      term.auto_renew = false;
      draft.note("contract_term.auto_renew", {at, at + c.size()}, 0.65);
      break;
    }
  }
  // Notice of non-renewal.
  if (const LabelLine* l = scan.label(Label::kRenewalNotice)) {
    for (const Duration& d : find_durations(ix.lower(), l->value)) {
      if (auto days = days_of(d)) {
        term.renewal_notice_days = *days;
        draft.note("contract_term.renewal_notice_days", {d.begin, d.end}, 0.95);
        return;
      }
    }
  }
  std::vector<std::size_t> anchors;
  if (notice_anchor != std::string_view::npos) anchors.push_back(notice_anchor);
  // "renew" also finds "renewal" and "non-renewal".
  for (std::string_view c : {"not to renew", "intention not to", "renew"}) {
    std::size_t at = 0;
    int n = 0;
    while ((at = ix.find(c, at)) != std::string_view::npos && n++ < 50) {
      anchors.push_back(at);
      at += c.size();
    }
  }
  std::size_t last_sentence = std::string_view::npos;
  for (std::size_t anchor : anchors) {
    Span sentence = ix.sentence_around(anchor);
    if (sentence.begin == last_sentence) continue;
    last_sentence = sentence.begin;
    std::string_view s = ix.slice_lower(sentence);
    std::size_t notice = std::string_view::npos;
    for (std::string_view w : {"notice", "notif", "k\xc3\xbc" "ndigung"}) notice = std::min(notice, s.find(w));
    if (notice == std::string_view::npos) continue;
    std::optional<Duration> best;
    std::size_t best_distance = std::string_view::npos;
    for (const Duration& d : find_durations(ix.lower(), sentence)) {
      if (!days_of(d) || d.unit == "year") continue;
      std::size_t at = sentence.begin + notice;
      // Months are usually the renewal period ("for 12-month periods"), days
      // the notice: prefer days.
      std::size_t distance = (d.begin > at ? d.begin - at : at - d.end) + (d.unit == "month" ? 100 : 0);
      if (distance < best_distance) {
        best = d;
        best_distance = distance;
      }
    }
    if (best && best_distance < 120) {
      term.renewal_notice_days = *days_of(*best);
      draft.note("contract_term.renewal_notice_days", {best->begin, best->end}, 0.8);
      return;
    }
  }
}

}  // namespace

void find_term(const Scan& scan, Draft& draft) {
  find_dates_of_term(scan, draft);
  find_months(scan, draft);
  find_renewal(scan, draft);
}

}  // namespace cscx::contracts::internal
