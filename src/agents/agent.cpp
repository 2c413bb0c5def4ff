#include "agents/agent.h"

#include <libstemmer.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <memory>
#include <set>

namespace cscx::agents {
namespace {

namespace json = boost::json;

// Curated lexicons, written as people say them and stemmed at first use.
struct Lexicon {
  Intent intent;
  std::vector<std::string_view> words;
};

const std::vector<Lexicon>& raw_lexicons() {
  static const std::vector<Lexicon> kLexicons{
      {Intent::kHealth, {"health", "healthy", "score", "doing"}},
      {Intent::kRenewal, {"renewal", "renew", "contract", "expire", "arr", "revenue"}},
      {Intent::kStakeholders, {"stakeholder", "contact", "champion", "sponsor", "who"}},
      {Intent::kInsights, {"insight", "signal", "concern", "feedback", "recent", "latest"}},
      {Intent::kTasks, {"task", "todo", "outstanding"}},
      {Intent::kKnowledge,
       {"how", "guide", "article", "playbook", "practice", "explain", "documentation"}},
      {Intent::kMeeting, {"meeting", "meet", "schedule", "call", "qbr", "sync"}},
      {Intent::kEmail, {"email", "mail", "draft", "write"}},
      {Intent::kStage, {"stage", "move", "mark"}},
      {Intent::kStakeholderUpdate, {"update", "unhappy", "frustrated", "happy", "detractor"}},
      {Intent::kTask, {"create", "open", "add", "remind", "follow"}},
  };
  return kLexicons;
}

struct StemmerDeleter {
  void operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }
};

std::string stem(std::string_view word) {
  thread_local std::unique_ptr<sb_stemmer, StemmerDeleter> stemmer(
      sb_stemmer_new("english", "UTF_8"));
  if (!stemmer) return std::string(word);
  const sb_symbol* s = sb_stemmer_stem(stemmer.get(),
                                       reinterpret_cast<const sb_symbol*>(word.data()),
                                       static_cast<int>(word.size()));
  if (s == nullptr) return std::string(word);
  return std::string(reinterpret_cast<const char*>(s),
                     static_cast<std::size_t>(sb_stemmer_length(stemmer.get())));
}

// Lower-cased ASCII words; anything else separates them.
std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::string current;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '_') {
      current += static_cast<char>(std::tolower(u));
    } else if (!current.empty()) {
      out.push_back(std::move(current));
      current.clear();
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

std::set<std::string> stems(std::string_view text) {
  std::set<std::string> out;
  for (const std::string& w : words(text)) out.insert(stem(w));
  return out;
}

std::string text_of(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) return {};
  if (v->is_string()) return std::string(v->as_string());
  if (v->is_int64()) return std::to_string(v->as_int64());
  if (v->is_double()) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.0f", v->as_double());
    return buffer;
  }
  if (v->is_bool()) return v->as_bool() ? "true" : "false";
  return {};
}

const json::object& object_at(const json::object& o, std::string_view key) {
  static const json::object kEmpty;
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_object() ? v->as_object() : kEmpty;
}

const json::array& array_at(const json::object& o, std::string_view key) {
  static const json::array kEmpty;
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_array() ? v->as_array() : kEmpty;
}

// "YYYY-MM-DD" plus `days`, as "YYYY-MM-DD" ("" when `date` is not one).
std::string add_days(const std::string& date, int days) {
  int y = 0;
  unsigned m = 0;
  unsigned d = 0;
  if (std::sscanf(date.c_str(), "%d-%u-%u", &y, &m, &d) != 3) return {};
  namespace chr = std::chrono;
  const chr::year_month_day ymd{chr::sys_days{chr::year{y} / chr::month{m} / chr::day{d}} +
                                chr::days{days}};
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buffer;
}

// The stage the message asks for, "" when it names none.
std::string target_stage(const std::set<std::string>& message_stems) {
  if (message_stems.count("risk")) return "at_risk";
  if (message_stems.count("churn")) return "churned";
  for (std::string_view stage : {"prospect", "trial", "onboarding", "active", "renewal"}) {
    if (message_stems.count(stem(stage))) return std::string(stage);
  }
  return {};
}

// What the reply is being built from, and where it is going.
class Builder {
 public:
  Builder(std::string_view message, const json::object& context)
      : message_(message),
        stems_(stems(message)),
        context_(context),
        customer_(object_at(context, "customer")) {}

  AgentReply build(std::vector<Intent> intents) {
    reply_.intents = std::move(intents);
    for (Intent intent : reply_.intents) answer(intent);
    cite_articles();
    if (!reply_.proposals.empty()) {
      line("Proposed for your approval (nothing runs until you approve it):");
      for (const Proposal& p : reply_.proposals) line("- " + p.details);
    }
    return std::move(reply_);
  }

 private:
  std::string customer_name() const {
    const std::string name = text_of(customer_, "name");
    return name.empty() ? "this customer" : name;
  }
  std::string customer_id() const { return text_of(customer_, "id"); }
  Citation customer_citation() const { return {"customer", customer_id()}; }

  void line(const std::string& text) {
    if (!reply_.text.empty()) reply_.text += '\n';
    reply_.text += text;
  }
  // Cites once, and returns the marker the reply text shows.
  std::string cite(const Citation& citation) {
    const bool seen = std::any_of(reply_.citations.begin(), reply_.citations.end(),
                                  [&](const Citation& c) { return c.id == citation.id; });
    if (!seen && !citation.id.empty()) reply_.citations.push_back(citation);
    return " [" + citation.type + ":" + citation.id + "]";
  }

  const json::object* primary_stakeholder() const {
    const json::object* first = nullptr;
    for (const json::value& s : array_at(context_, "stakeholders")) {
      if (!s.is_object()) continue;
      if (first == nullptr) first = &s.as_object();
      const json::value* p = s.as_object().if_contains("is_primary");
      if (p != nullptr && p->is_bool() && p->as_bool()) return &s.as_object();
    }
    return first;
  }

  void answer(Intent intent) {
    switch (intent) {
      case Intent::kHealth: return health();
      case Intent::kRenewal: return renewal();
      case Intent::kStakeholders: return stakeholders();
      case Intent::kInsights: return insights();
      case Intent::kTasks: return tasks();
      case Intent::kKnowledge: return;  // the articles are cited for every message
      case Intent::kMeeting: return propose_meeting();
      case Intent::kEmail: return propose_email();
      case Intent::kStage: return propose_stage();
      case Intent::kStakeholderUpdate: return propose_stakeholder_update();
      case Intent::kTask: return propose_task();
      case Intent::kSummary: return summary();
    }
  }

  void health() {
    const std::string score = text_of(customer_, "health_score");
    if (score.empty()) {
      line(customer_name() + " has no health score yet." + cite(customer_citation()));
      return;
    }
    const int value = std::atoi(score.c_str());
    const char* band = value >= 70 ? "green" : value >= 40 ? "yellow" : "red";
    line(customer_name() + "'s health score is " + score + " (" + band + ")." +
         cite(customer_citation()));
    if (value < 40) propose_task_titled("Health review: " + customer_name(), {customer_citation()});
  }

  void renewal() {
    const json::object& contract = object_at(context_, "contract");
    std::string text = customer_name() + "'s ARR is " +
                       (text_of(customer_, "arr").empty() ? "unknown" : text_of(customer_, "arr")) +
                       "." + cite(customer_citation());
    if (contract.empty()) {
      line(text + " There is no active contract on file.");
      return;
    }
    line(text + " The active contract renews on " + text_of(contract, "end_date") + "." +
         cite({"contract", text_of(contract, "id")}));
  }

  void stakeholders() {
    const json::array& list = array_at(context_, "stakeholders");
    if (list.empty()) {
      line(customer_name() + " has no stakeholders on file." + cite(customer_citation()));
      return;
    }
    line("Stakeholders of " + customer_name() + ":");
    for (const json::value& s : list) {
      if (!s.is_object()) continue;
      const json::object& o = s.as_object();
      std::string role = text_of(o, "role");
      line("- " + text_of(o, "name") + (role.empty() ? "" : " (" + role + ")") +
           cite({"stakeholder", text_of(o, "id")}));
    }
  }

  void insights() {
    const json::array& list = array_at(context_, "insights");
    if (list.empty()) {
      line("No recent insights for " + customer_name() + ".");
      return;
    }
    line("Recent insights:");
    for (const json::value& i : list) {
      if (!i.is_object()) continue;
      const json::object& o = i.as_object();
      line("- " + text_of(o, "type") + ": " + text_of(o, "content") +
           cite({"insight", text_of(o, "id")}));
    }
  }

  void tasks() {
    const json::array& list = array_at(context_, "tasks");
    if (list.empty()) {
      line(customer_name() + " has no open tasks.");
      return;
    }
    line("Open tasks:");
    for (const json::value& t : list) {
      if (!t.is_object()) continue;
      const json::object& o = t.as_object();
      std::string due = text_of(o, "due_date");
      line("- " + text_of(o, "title") + (due.empty() ? "" : " (due " + due + ")") +
           cite({"task", text_of(o, "id")}));
    }
  }

  void summary() {
    line(customer_name() + " is in stage " + text_of(customer_, "stage") + "." +
         cite(customer_citation()));
    health();
    renewal();
    tasks();
  }

  void cite_articles() {
    const json::array& list = array_at(context_, "articles");
    if (list.empty()) return;
    line("From the knowledge base:");
    for (const json::value& a : list) {
      if (!a.is_object()) continue;
      const json::object& o = a.as_object();
      line("- " + text_of(o, "title") + cite({"article", text_of(o, "id")}));
    }
  }

  void propose_meeting() {
    json::array attendees;
    std::vector<Citation> evidence{customer_citation()};
    std::string with;
    if (const json::object* s = primary_stakeholder()) {
      attendees.emplace_back(text_of(*s, "id"));
      evidence.push_back({"stakeholder", text_of(*s, "id")});
      with = " with " + text_of(*s, "name");
    }
    const std::string day = add_days(text_of(context_, "today"), 7);
    if (day.empty()) return;
    const std::string title =
        (stems_.count("renew") ? "Renewal review: " : "Check-in: ") + customer_name();
    json::object payload{{"customer_id", customer_id()},
                         {"title", title},
                         {"scheduled_at", day + "T15:00:00Z"},
                         {"duration", 30},
                         {"attendees", std::move(attendees)}};
    propose("schedule_meeting",
            "Schedule \"" + title + "\"" + with + " on " + day + " at 15:00 UTC (30 minutes)",
            std::move(payload), std::move(evidence));
  }

  void propose_email() {
    const json::object* s = primary_stakeholder();
    if (s == nullptr || text_of(*s, "email").empty()) {
      line("I cannot draft an email: " + customer_name() + " has no stakeholder with an email.");
      return;
    }
    const std::string subject = "Following up: " + customer_name();
    const std::string body = "Hi " + text_of(*s, "name") +
                             ",\n\nThank you for your time. I wanted to follow up on our "
                             "recent conversations and see how we can help.\n\nBest regards";
    json::object payload{{"customer_id", customer_id()},
                         {"to", text_of(*s, "email")},
                         {"subject", subject},
                         {"body", body}};
    propose("draft_email", "Draft an email to " + text_of(*s, "name") + ": \"" + subject + "\"",
            std::move(payload), {customer_citation(), {"stakeholder", text_of(*s, "id")}});
  }

  void propose_stage() {
    const std::string stage = target_stage(stems_);
    if (stage.empty()) {
      line("Which stage should " + customer_name() +
           " move to? (prospect, trial, onboarding, active, at_risk, renewal, churned)");
      return;
    }
    if (stage == text_of(customer_, "stage")) {
      line(customer_name() + " is already in stage " + stage + "." + cite(customer_citation()));
      return;
    }
    propose("change_stage",
            "Change " + customer_name() + "'s stage from " + text_of(customer_, "stage") +
                " to " + stage,
            json::object{{"customer_id", customer_id()}, {"stage", stage}}, {customer_citation()});
  }

  void propose_stakeholder_update() {
    const json::object* s = primary_stakeholder();
    if (s == nullptr) return;
    std::string sentiment;
    if (stems_.count("unhappi") || stems_.count("frustrat") || stems_.count("detractor")) {
      sentiment = "negative";
    } else if (stems_.count("happi")) {
      sentiment = "positive";
    }
    json::object fields{{"notes", std::string(message_.substr(0, 2000))}};
    if (!sentiment.empty()) fields["sentiment"] = sentiment;
    propose("update_stakeholder",
            "Update " + text_of(*s, "name") + (sentiment.empty() ? "" : ": sentiment " + sentiment) +
                ", note the message",
            json::object{{"customer_id", customer_id()},
                         {"stakeholder_id", text_of(*s, "id")},
                         {"fields", std::move(fields)}},
            {customer_citation(), {"stakeholder", text_of(*s, "id")}});
  }

  void propose_task() {
    std::string title(message_.substr(0, 200));
    while (!title.empty() && (title.back() == ' ' || title.back() == '\n')) title.pop_back();
    propose_task_titled(title.empty() ? "Follow up with " + customer_name() : title,
                        {customer_citation()});
  }

  void propose_task_titled(const std::string& title, std::vector<Citation> evidence) {
    for (const Proposal& p : reply_.proposals) {
      if (p.action == "open_task") return;  // one task per reply
    }
    const std::string due = add_days(text_of(context_, "today"), 7);
    json::object payload{{"customer_id", customer_id()}, {"title", title}};
    if (!due.empty()) payload["due_date"] = due;
    propose("open_task", "Open a task \"" + title + "\"" + (due.empty() ? "" : " due " + due),
            std::move(payload), std::move(evidence));
  }

  void propose(std::string action, std::string details, json::object payload,
               std::vector<Citation> evidence) {
    for (const Citation& c : evidence) cite(c);
    reply_.proposals.push_back(
        {std::move(action), std::move(details), std::move(payload), std::move(evidence)});
  }

  std::string_view message_;
  std::set<std::string> stems_;
  const json::object& context_;
  const json::object& customer_;
  AgentReply reply_;
};

}  // namespace

std::string_view intent_name(Intent intent) {
  static constexpr std::array<std::string_view, 12> kNames{
      "health", "renewal", "stakeholders", "insights", "tasks", "knowledge",
      "meeting", "email", "stage", "stakeholder_update", "task", "summary"};
  return kNames[static_cast<std::size_t>(intent)];
}

std::vector<Intent> classify(std::string_view message) {
  const std::set<std::string> message_stems = stems(message);
  std::vector<Intent> out;
  for (const Lexicon& lexicon : raw_lexicons()) {
    const bool hit = std::any_of(lexicon.words.begin(), lexicon.words.end(),
                                 [&](std::string_view w) { return message_stems.count(stem(w)); });
    if (hit) out.push_back(lexicon.intent);
  }
  // "open a task" asks for a task, "the open tasks" lists them (so the
  // plural is read before stemming); an update without a person to update
  // is not a stakeholder update.
  const std::vector<std::string> raw = words(message);
  const bool task_word = std::find(raw.begin(), raw.end(), "task") != raw.end() ||
                         message_stems.count("remind") || message_stems.count("follow");
  auto has = [&](Intent i) { return std::find(out.begin(), out.end(), i) != out.end(); };
  if (has(Intent::kTask) && !task_word) std::erase(out, Intent::kTask);
  if (has(Intent::kTask)) std::erase(out, Intent::kTasks);
  if (has(Intent::kStakeholderUpdate) && !has(Intent::kStakeholders) &&
      !message_stems.count("unhappi") && !message_stems.count("frustrat") &&
      !message_stems.count("happi") && !message_stems.count("detractor")) {
    std::erase(out, Intent::kStakeholderUpdate);
  }
  if (has(Intent::kStakeholderUpdate)) std::erase(out, Intent::kStakeholders);
  std::sort(out.begin(), out.end());
  if (out.empty()) out.push_back(Intent::kSummary);
  return out;
}

AgentReply respond(std::string_view message, const json::object& context) {
  return Builder(message, context).build(classify(message));
}

}  // namespace cscx::agents
