// The customer's people: signature blocks ("By:", "Name:", "Title:", side by
// side or stacked), contact sections (tables, "Name, Title, email, phone"
// lines) and contact labels ("Executive Sponsor: Jane Roe, CFO"). Each person
// is given a side from the nearest party header, section heading or label,
// else from their e-mail domain; only the customer's side is reported.
#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <string>

#include "contracts/contract_rules.h"

namespace cscx::contracts::internal {
namespace {

using lexicon::Side;

enum class Field { kNone, kBy, kName, kTitle, kEmail, kPhone, kCompany };

Field field_of(std::string_view key) {
  static constexpr std::pair<std::string_view, Field> kKeys[] = {
      {"by", Field::kBy}, {"signature", Field::kBy}, {"signed", Field::kBy},
      {"signed by", Field::kBy}, {"name", Field::kName}, {"printed name", Field::kName},
      {"print name", Field::kName}, {"full name", Field::kName}, {"contact name", Field::kName},
      {"name of signatory", Field::kName}, {"title", Field::kTitle}, {"position", Field::kTitle},
      {"job title", Field::kTitle}, {"role", Field::kTitle}, {"designation", Field::kTitle},
      {"funktion", Field::kTitle}, {"its", Field::kTitle}, {"email", Field::kEmail},
      {"e-mail", Field::kEmail}, {"mail", Field::kEmail}, {"email address", Field::kEmail},
      {"phone", Field::kPhone}, {"telephone", Field::kPhone}, {"tel", Field::kPhone},
      {"mobile", Field::kPhone}, {"cell", Field::kPhone}, {"phone number", Field::kPhone},
      {"telefon", Field::kPhone}, {"direct", Field::kPhone}, {"company", Field::kCompany},
      {"organization", Field::kCompany}, {"organisation", Field::kCompany},
      {"party", Field::kCompany}, {"side", Field::kCompany}, {"firma", Field::kCompany},
  };
  for (const auto& [k, f] : kKeys) {
    if (k == key) return f;
  }
  return Field::kNone;
}

struct Value {
  std::string text;
  Span span;
};

struct Person {
  std::optional<Value> name, title, email, phone;
  Side side = Side::kUnknown;
  bool side_explicit = false;
  bool signature = false;
  bool empty() const { return !name && !title && !email && !phone; }
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool looks_like_email(std::string_view v) {
  std::size_t at = v.find('@');
  return at != std::string_view::npos && at > 0 && v.find('.', at) != std::string_view::npos;
}

Span email_span(std::string_view text, Span s) {
  std::string_view v = text.substr(s.begin, s.end - s.begin);
  std::size_t at = v.find('@');
  std::size_t b = at, e = at;
  auto ok = [](char c) {
    return is_word_char(c) || c == '.' || c == '-' || c == '+' || c == '_';
  };
  while (b > 0 && ok(v[b - 1])) --b;
  while (e + 1 < v.size() && ok(v[e + 1])) ++e;
  while (e > at && v[e] == '.') --e;
  return {s.begin + b, s.begin + e + 1};
}

bool looks_like_phone(std::string_view v) {
  std::size_t digits = 0;
  for (char c : v) {
    if (is_digit(c)) {
      ++digits;
    } else if (!(c == ' ' || c == '+' || c == '(' || c == ')' || c == '-' || c == '.' ||
                 c == '/' || c == 'x' || c == 'X')) {
      return false;
    }
  }
  return digits >= 7 && digits <= 16;
}

bool has_title_word(std::string_view v) {
  std::string lower = lower_ascii(v);
  return std::any_of(std::begin(lexicon::kTitleWords), std::end(lexicon::kTitleWords),
                     [&](std::string_view w) { return contains_word(lower, w); });
}

// "Jane Roe", "Dr. Anna-Lena van der Berg": 2 to 5 words, capitalised, no
// digits, not a title.
bool looks_like_person(std::string_view v) {
  v = trim_value(v);
  if (v.size() < 3 || v.size() > 60) return false;
  if (std::any_of(v.begin(), v.end(), [](char c) { return is_digit(c) || c == '@'; })) return false;
  std::size_t words = 0, capitalised = 0;
  std::size_t i = 0;
  while (i < v.size()) {
    while (i < v.size() && v[i] == ' ') ++i;
    if (i >= v.size()) break;
    std::size_t b = i;
    while (i < v.size() && v[i] != ' ') ++i;
    std::string_view w = v.substr(b, i - b);
    ++words;
    if ((w[0] >= 'A' && w[0] <= 'Z') || static_cast<unsigned char>(w[0]) >= 0x80) ++capitalised;
    else if (w != "van" && w != "von" && w != "de" && w != "der" && w != "da" && w != "la") {
      return false;
    }
  }
  if (words < 2 || words > 5 || capitalised < 2) return false;
  std::string lower = lower_ascii(v);
  for (std::string_view role : {"customer", "vendor", "provider", "inc", "corp", "gmbh", "llc",
                                "ltd", "limited", "team", "department", "support", "services"}) {
    if (contains_word(lower, role)) return false;
  }
  return !has_title_word(v) || words >= 2;
}

std::string clean_signed_name(std::string_view v) {
  v = trim_value(v);
  if (v.rfind("/s/", 0) == 0) v = trim_value(v.substr(3));
  std::string out;
  for (char c : v) {
    if (c != '_') out.push_back(c);
  }
  return std::string(trim_value(out));
}

class PeopleFinder {
 public:
  PeopleFinder(const Scan& scan, Draft& draft) : scan_(scan), draft_(draft) {
    for (const Party& p : scan.parties) {
      std::string key = name_key(p.name);
      if (key.size() >= 3) keys_.push_back({key, p.side});
    }
  }

  void run();

 private:
  Side side_of_text(std::string_view text) const;
  Side side_of_email(std::string_view email) const;
  std::optional<Side> header_side(std::string_view cell) const;
  void flush(std::size_t column);
  void flush_all() {
    for (std::size_t c = 0; c < records_.size(); ++c) flush(c);
  }
  Person& record(std::size_t column) {
    if (records_.size() <= column) records_.resize(column + 1);
    return records_[column];
  }
  Side column_side(std::size_t column) const {
    return column < sides_.size() ? sides_[column] : Side::kUnknown;
  }
  void set_value(Person& p, Field f, std::string text, Span span);
  // Whether line `i` belongs to a signature or contact block ("By:",
  // "Name:", an email...). Each line is asked about by the three lines above
  // it, and may be long prose: read once, remembered in block_lines_.
  bool in_block(std::size_t i);
  bool parse_contact_line(Span line, Side side, bool explicit_side);
  void emit(Person p);

  const Scan& scan_;
  Draft& draft_;
  std::vector<std::pair<std::string, Side>> keys_;
  std::vector<Person> records_;
  std::vector<Side> sides_;
  std::vector<Person> people_;
  std::vector<signed char> block_lines_;  // per line: -1 not read yet, else 0/1
};

Side PeopleFinder::side_of_text(std::string_view text) const {
  std::string lower = lower_ascii(text);
  std::string key = name_key(text);
  // A party's name, making up most of the text.
  for (const auto& [k, side] : keys_) {
    if (side != Side::kUnknown && !key.empty() &&
        ((key.find(k) != std::string::npos && k.size() * 2 >= key.size()) ||
         (key.size() >= 4 && k.find(key) != std::string::npos))) {
      return side;
    }
  }
  // Role words, longest first so "end customer" beats "customer".
  Side found = Side::kUnknown;
  std::size_t best = 0;
  for (const auto& r : lexicon::kRoles) {
    if (r.side != Side::kUnknown && r.word.size() > best && contains_word(lower, r.word)) {
      found = r.side;
      best = r.word.size();
    }
  }
  if (found == Side::kUnknown) {
    for (std::string_view w : {"account team", "account manager", "account executive", "our team",
                               "customer success manager", "your"}) {
      if (contains_word(lower, w)) return Side::kVendor;
    }
  }
  return found;
}

Side PeopleFinder::side_of_email(std::string_view email) const {
  std::size_t at = email.find('@');
  if (at == std::string_view::npos) return Side::kUnknown;
  std::string domain = lower_ascii(email.substr(at + 1));
  std::size_t dot = domain.rfind('.');
  if (dot != std::string::npos) domain.resize(dot);
  std::string key;
  for (char c : domain) {
    if (is_word_char(c)) key.push_back(c);
  }
  if (key.size() < 3) return Side::kUnknown;
  for (const auto& [k, side] : keys_) {
    if (k.find(key) != std::string::npos || key.find(k) != std::string::npos ||
        (k.size() >= 4 && key.size() >= 4 && k.substr(0, 4) == key.substr(0, 4))) {
      return side;
    }
  }
  return Side::kUnknown;
}

// A cell that names whose block follows: "CUSTOMER:", "For the Customer",
// "ACME CORP", "Vendor: CloudCo Inc.", "On behalf of Acme".
std::optional<Side> PeopleFinder::header_side(std::string_view cell) const {
  std::string_view v = trim_value(cell);
  if (v.empty() || v.size() > 80 || v.find('@') != std::string_view::npos) return std::nullopt;
  if (static_cast<std::size_t>(std::count(v.begin(), v.end(), ' ')) >= 7) return std::nullopt;
  std::string lower = lower_ascii(v);
  std::size_t colon = lower.find(':');
  if (colon != std::string::npos) {
    std::string_view key = trim_value(std::string_view(lower).substr(0, colon));
    if (field_of(key) != Field::kNone) return std::nullopt;
    Side s = side_of_role(key);
    if (s != Side::kUnknown) return s;
    if (colon + 1 < lower.size() && !trim(std::string_view(lower).substr(colon + 1)).empty()) {
      return std::nullopt;
    }
  }
  for (std::string_view lead : {"for and on behalf of ", "on behalf of ", "signed for ",
                                "accepted by ", "agreed by ", "for the ", "for "}) {
    if (lower.rfind(lead, 0) == 0) {
      return side_of_text(v.substr(lead.size()));
    }
  }
  Side s = side_of_text(v);
  if (s != Side::kUnknown) return s;
  if (looks_like_name(v) && !looks_like_person(v) && !has_title_word(v)) {
    std::size_t upper = static_cast<std::size_t>(
        std::count_if(v.begin(), v.end(), [](char c) { return c >= 'A' && c <= 'Z'; }));
    std::size_t letters = static_cast<std::size_t>(std::count_if(v.begin(), v.end(), [](char c) {
      return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }));
    if (letters >= 3 && upper * 10 >= letters * 7) return Side::kUnknown;
  }
  return std::nullopt;
}

void PeopleFinder::set_value(Person& p, Field f, std::string text, Span span) {
  if (text.empty()) return;
  switch (f) {
    case Field::kBy:
    case Field::kName:
      if (looks_like_person(text)) p.name = Value{std::move(text), span};
      break;
    case Field::kTitle:
      if (text.size() <= 80) p.title = Value{std::move(text), span};
      break;
    case Field::kEmail:
      if (looks_like_email(text)) {
        Span s = email_span(scan_.ix.text(), span);
        p.email = Value{std::string(scan_.ix.slice(s)), s};
      }
      break;
    case Field::kPhone:
      if (looks_like_phone(text)) p.phone = Value{std::move(text), span};
      break;
    case Field::kCompany:
    case Field::kNone:
      break;
  }
}

void PeopleFinder::flush(std::size_t column) {
  if (column >= records_.size()) return;
  Person p = std::move(records_[column]);
  records_[column] = Person{};
  if (!p.name) return;
  if (!p.side_explicit) p.side = column_side(column);
  p.side_explicit = p.side_explicit || p.side != Side::kUnknown;
  emit(std::move(p));
}

void PeopleFinder::emit(Person p) {
  if (!p.name) return;
  if (!p.side_explicit && p.email) p.side = side_of_email(p.email->text);
  for (Person& q : people_) {
    if (lower_ascii(q.name->text) == lower_ascii(p.name->text)) {
      if (!q.title) q.title = p.title;
      if (!q.email) q.email = p.email;
      if (!q.phone) q.phone = p.phone;
      if (q.side == Side::kUnknown) q.side = p.side;
      return;
    }
  }
  people_.push_back(std::move(p));
}

// "Jane Roe, VP Operations, jane@acme.com, +1 555 0100" (commas, semicolons,
// bars, " - " or parentheses between the parts).
bool PeopleFinder::parse_contact_line(Span line, Side side, bool explicit_side) {
  std::string_view text = scan_.ix.text();
  std::vector<Span> parts;
  std::size_t b = line.begin;
  for (std::size_t i = line.begin; i <= line.end; ++i) {
    bool cut = i == line.end || text[i] == ',' || text[i] == ';' || text[i] == '|' ||
               text[i] == '(' || text[i] == ')' || text[i] == '\t' ||
               (text[i] == '-' && i > line.begin && text[i - 1] == ' ' && i + 1 < line.end &&
                text[i + 1] == ' ');
    if (cut) {
      Span s{b, i};
      while (s.begin < s.end && (text[s.begin] == ' ' || text[s.begin] == '-')) ++s.begin;
      while (s.end > s.begin && (text[s.end - 1] == ' ' || text[s.end - 1] == '.')) --s.end;
      if (!s.empty()) parts.push_back(s);
      b = i + 1;
    }
  }
  Person p;
  std::vector<Value> titles;
  std::size_t name_index = parts.size();
  for (std::size_t k = 0; k < parts.size(); ++k) {
    Span s = parts[k];
    std::string v(scan_.ix.slice(s));
    std::size_t colon = v.find(':');
    if (colon != std::string::npos) {
      std::string key(trim_value(lower_ascii(v.substr(0, colon))));
      Field f = field_of(key);
      Span vs{s.begin + colon + 1, s.end};
      while (vs.begin < vs.end && text[vs.begin] == ' ') ++vs.begin;
      if (f != Field::kNone) {
        set_value(p, f, std::string(scan_.ix.slice(vs)), vs);
        continue;
      }
      // "Customer: Jane Roe" names the side, then the person.
      Side role = side_of_text(key);
      if (role != Side::kUnknown) {
        side = role;
        explicit_side = true;
        s = vs;
        v = std::string(scan_.ix.slice(vs));
      }
    }
    for (std::string_view lead : {"attn.", "attn:", "attn", "attention:", "attention"}) {
      if (lower_ascii(v).rfind(lead, 0) == 0) {
        std::size_t cut = lead.size();
        while (cut < v.size() && v[cut] == ' ') ++cut;
        s.begin += cut;
        v = v.substr(cut);
        break;
      }
    }
    if (looks_like_email(v)) {
      set_value(p, Field::kEmail, v, s);
    } else if (looks_like_phone(v)) {
      set_value(p, Field::kPhone, v, s);
    } else if (!p.name && looks_like_person(v) && !has_title_word(v)) {
      p.name = Value{v, s};
      name_index = k;
    } else if (has_title_word(v) && v.size() <= 80) {
      titles.push_back(Value{v, s});
      if (k > name_index && !p.title) p.title = titles.back();
    }
  }
  if (!p.title && !titles.empty()) p.title = titles.front();
  if (!p.name || (!p.title && !p.email && !p.phone)) return false;
  p.side = side;
  p.side_explicit = explicit_side;
  emit(std::move(p));
  return true;
}

bool is_contact_heading(std::string_view lower) {
  return std::any_of(std::begin(lexicon::kContactHeadings), std::end(lexicon::kContactHeadings),
                     [&](std::string_view h) { return contains_word(lower, h); });
}

bool is_contact_label(std::string_view label) {
  for (std::string_view w : {"contact", "sponsor", "champion", "administrator", "admin", "notices",
                             "attn", "attention", "notice",
                             "decision maker", "signatory", "stakeholder", "project lead",
                             "project manager", "owner", "approver", "ansprechpartner"}) {
    if (contains_word(label, w)) return true;
  }
  return false;
}

bool PeopleFinder::in_block(std::size_t i) {
  if (block_lines_.empty()) block_lines_.assign(scan_.ix.line_count(), -1);
  if (block_lines_[i] < 0) {
    std::string_view next = scan_.ix.line_lower(i);
    // One vectorised find_in per marker beats one byte-by-byte find_any
    // pass: the markers start with common letters.
    block_lines_[i] = find_in(next, "by:") != std::string_view::npos ||
                      find_in(next, "name:") != std::string_view::npos ||
                      find_in(next, "title:") != std::string_view::npos ||
                      find_in(next, "signature") != std::string_view::npos || next.starts_with("by ") ||
                      next.find('@') != std::string_view::npos;
  }
  return block_lines_[i] != 0;
}

void PeopleFinder::run() {
  const TextIndex& ix = scan_.ix;
  bool in_contacts = false;
  Side section_side = Side::kUnknown;
  std::vector<int> table_columns;  // Field per column of a contact table
  std::size_t idle = 0;
  std::vector<std::vector<const LabelLine*>> labels_of_line(ix.line_count());
  for (const LabelLine& l : scan_.labels) labels_of_line[l.line].push_back(&l);
  for (std::size_t i = 0; i < ix.line_count(); ++i) {
    std::string_view line = ix.line_text(i);
    Span line_span = ix.line(i);
    // Signature blocks and contact lines are short; a long line is prose.
    if (line.size() > 400) {
      ++idle;
      continue;
    }
    if (is_blank(line)) {
      table_columns.clear();
      if (++idle >= 3) {
        flush_all();
        sides_.clear();
      }
      continue;
    }
    std::size_t skip = bullet_length(line);
    std::vector<Span> cells = split_cells(line.substr(skip), false, true);
    for (Span& c : cells) {
      c.begin += line_span.begin + skip;
      c.end += line_span.begin + skip;
    }
    // A contact table: a header row naming Name and Email/Title/Phone.
    if (cells.size() >= 2) {
      std::vector<int> columns;
      int named = 0;
      for (Span c : cells) {
        Field f = field_of(trim_value(ix.slice_lower(c)));
        columns.push_back(static_cast<int>(f));
        named += f != Field::kNone;
      }
      bool has_name = std::find(columns.begin(), columns.end(), static_cast<int>(Field::kName)) !=
                      columns.end();
      if (has_name && named >= 2) {
        table_columns = columns;
        continue;
      }
    }
    if (!table_columns.empty() && cells.size() >= 2) {
      Person p;
      Side side = section_side;
      for (std::size_t c = 0; c < cells.size() && c < table_columns.size(); ++c) {
        auto f = static_cast<Field>(table_columns[c]);
        if (f == Field::kCompany) {
          side = side_of_text(ix.slice(cells[c]));
          p.side_explicit = side != Side::kUnknown;
        } else {
          set_value(p, f, std::string(ix.slice(cells[c])), cells[c]);
        }
      }
      p.side = side;
      p.side_explicit = p.side_explicit || side != Side::kUnknown;
      emit(std::move(p));
      continue;
    }
    bool person_line = false;
    bool header_line = false;
    // A party header sits just above a signature or contact block.
    bool block_follows = false;
    for (std::size_t k = i + 1; k < ix.line_count() && k <= i + 3 && !block_follows; ++k) {
      block_follows = in_block(k);
    }
    for (std::size_t c = 0; c < cells.size(); ++c) {
      std::string_view cell = ix.slice(cells[c]);
      std::string_view lower = ix.slice_lower(cells[c]);  // the index's lowercased copy
      std::size_t colon = lower.find(':');
      Field f = Field::kNone;
      if (colon != std::string::npos) f = field_of(trim_value(std::string_view(lower).substr(0, colon)));
      if (f != Field::kNone && f != Field::kCompany) {
        person_line = true;
        Person& p = record(c);
        bool starts_new = (f == Field::kBy || f == Field::kName) && p.name &&
                          !(f == Field::kName && p.name && !p.title && !p.email);
        if (starts_new) flush(c);
        Person& r = record(c);
        r.signature = true;
        Span vs{cells[c].begin + colon + 1, cells[c].end};
        while (vs.begin < vs.end && ix.text()[vs.begin] == ' ') ++vs.begin;
        std::string value = f == Field::kBy || f == Field::kName
                                ? clean_signed_name(ix.slice(vs))
                                : std::string(trim_value(ix.slice(vs)));
        if (f == Field::kName || f == Field::kBy) {
          std::string_view raw = ix.slice(vs);
          std::size_t at = raw.find(value);
          if (at != std::string_view::npos) vs = {vs.begin + at, vs.begin + at + value.size()};
        } else {
          vs = {vs.begin, vs.begin + std::string_view(ix.slice(vs)).find_last_not_of(" ") + 1};
        }
        set_value(r, f, std::move(value), vs);
        continue;
      }
      if (cell.size() > 80 || line.size() > 200 || !block_follows) continue;
      if (auto side = header_side(cell)) {
        header_line = true;
        flush(c);
        if (sides_.size() <= c) sides_.resize(c + 1, Side::kUnknown);
        sides_[c] = *side;
      }
    }
    if (person_line) {
      idle = 0;
      continue;
    }
    // Contact labels anywhere: "Executive Sponsor: Jane Roe, CFO, jane@acme.com".
    bool handled = false;
    for (const LabelLine* lp : labels_of_line[i]) {
      const LabelLine& l = *lp;
      if (!is_contact_label(l.label)) continue;
      Side side = side_of_text(l.label);
      if (side == Side::kUnknown) side = side_of_role(l.role);
      if (side == Side::kUnknown && in_contacts) side = section_side;
      handled = parse_contact_line(l.value, side, side != Side::kUnknown);
    }
    if (handled) continue;
    if (header_line) {
      if (cells.size() == 1 && is_contact_heading(lower_ascii(line))) {
        in_contacts = true;
        section_side = sides_.empty() ? Side::kUnknown : sides_[0];
        sides_.clear();
      }
      idle = 0;
      continue;
    }
    if (scan_.is_heading(i)) {
      flush_all();
      sides_.clear();
      std::string lower = lower_ascii(line);
      in_contacts = is_contact_heading(lower);
      section_side = in_contacts ? side_of_text(line) : Side::kUnknown;
      continue;
    }
    if (in_contacts) {
      Span body{line_span.begin + skip, line_span.end};
      parse_contact_line(body, section_side, section_side != Side::kUnknown);
    }
    ++idle;
  }
  flush_all();

  std::size_t n = 0;
  for (const Person& p : people_) {
    bool keep = p.side == Side::kCustomer;
    double confidence = p.side_explicit ? 0.85 : 0.7;
    if (p.side == Side::kUnknown && !p.signature) {
      keep = true;
      confidence = 0.4;
    }
    if (!keep) continue;
    Stakeholder s;
    s.name = p.name->text;
    std::string prefix = "stakeholders[" + std::to_string(n) + "]";
    draft_.note(prefix + ".name", p.name->span, confidence);
    if (p.title) {
      s.title = p.title->text;
      draft_.note(prefix + ".title", p.title->span, confidence);
    }
    if (p.email) {
      s.email = p.email->text;
      draft_.note(prefix + ".email", p.email->span, confidence);
    }
    if (p.phone) {
      s.phone = p.phone->text;
      draft_.note(prefix + ".phone", p.phone->span, confidence);
    }
    draft_.out.stakeholders.push_back(std::move(s));
    ++n;
  }
}

}  // namespace

void find_stakeholders(const Scan& scan, Draft& draft) { PeopleFinder(scan, draft).run(); }

}  // namespace cscx::contracts::internal
