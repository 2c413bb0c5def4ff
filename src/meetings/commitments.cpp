// Decisions and action items.
//
// An action item is a commitment: a subject ("I'll", "Sarah will", "let's",
// "can you" answered by "sure"), optional adverbs, then a verb of work from
// lexicon::action_verbs(). The owner is whoever committed: the speaker for
// "I"/"we", the named person for "Sarah will", the listener who accepted a
// request, nobody for "let's" and "he/she/they".
#include <algorithm>
#include <array>
#include <cctype>
#include <unordered_set>

#include "meetings/lexicons.h"
#include "meetings/transcript_internal.h"

namespace cscx::meetings::internal {
namespace {

enum class Subject { kSpeaker, kProposal, kNobody, kAddressee, kNamed };

// Subjects of a commitment, matched on exact lower-case words.
struct SubjectSets {
  PhraseSet speaker{PhraseSet::Match::kExact,
                    {{"i'll"}, {"i will"}, {"i shall"}, {"i'm going to"}, {"i am going to"},
                     {"i'm gonna"}, {"i can"}, {"let me"}, {"i need to"}, {"i have to"},
                     {"i've got to"}, {"i'd be happy to"}, {"i'm happy to"}, {"i am happy to"},
                     {"i'll be happy to"}, {"we'll"}, {"we will"}, {"we're going to"},
                     {"we are going to"}, {"we're gonna"}, {"we can"}, {"i'll make sure to"},
                     {"i'll try to"}, {"i'm on it to"}, {"i volunteer to"}, {"i'll be sure to"}}};
  // "Let's schedule ...": the proposer owns it, but only for follow-up
  // work; "let's look at", "let's get started" are about the meeting itself.
  PhraseSet proposal{PhraseSet::Match::kExact, {{"let's"}, {"let us"}}};
  PhraseSet proposal_verbs{PhraseSet::Match::kStem,
                           {{"schedule"}, {"set up"}, {"book"}, {"reconnect"}, {"regroup"},
                            {"meet"}, {"sync"}, {"follow up"}, {"circle back"}, {"touch base"},
                            {"send"}, {"share"}, {"loop in"}, {"reconvene"}, {"check in"}}};
  PhraseSet nobody{PhraseSet::Match::kExact,
                   {{"he'll"}, {"she'll"}, {"they'll"}, {"he will"},
                    {"she will"}, {"they will"}, {"he's going to"}, {"she's going to"},
                    {"they're going to"}}};
  PhraseSet addressee{PhraseSet::Match::kExact,
                      {{"can you"}, {"could you"}, {"would you"}, {"will you"}, {"you'll"},
                       {"you will"}, {"you need to"}, {"can you please"}, {"could you please"},
                       {"would you mind"}, {"please"}}};
  PhraseSet named_modal{PhraseSet::Match::kExact,
                        {{"will"}, {"is going to"}, {"is gonna"}, {"can"}, {"needs to"},
                         {"has to"}, {"to"}, {"will be"}, {"said she'd"}, {"said he'd"},
                         {"offered to"}, {"agreed to"}, {"is going to be"}}};
};

const SubjectSets& subjects() {
  static const SubjectSets sets;
  return sets;
}

// Capitalised words that start sentences but are not people.
const std::unordered_set<std::string>& not_names() {
  static const std::unordered_set<std::string> set = {
      "i", "we", "you", "he", "she", "they", "it", "this", "that", "the", "let's", "okay",
      "so", "and", "but", "great", "sure", "yes", "yeah", "then", "also", "who", "what",
      "which", "someone", "somebody", "everyone", "everybody", "nobody", "team", "there",
      "here", "if", "when", "perfect", "alright", "right", "next", "finally", "legal",
      "finance", "support", "engineering", "product", "ok", "well", "now", "maybe", "plus",
      "action", "item", "one", "each", "both", "all", "our", "your", "their", "my"};
  return set;
}

constexpr std::array<std::string_view, 22> kSkippable = {
    "also", "just", "definitely", "then", "quickly", "personally", "certainly", "absolutely",
    "gladly", "first", "immediately", "now", "happily", "still", "actually", "go", "ahead",
    "and", "try", "to", "be", "sure"};

bool skippable(std::string_view w) {
  return std::find(kSkippable.begin(), kSkippable.end(), w) != kSkippable.end();
}

bool conditional_before(const std::vector<Token>& t, std::size_t pos) {
  for (std::size_t k = 1; k <= 3 && k <= pos; ++k) {
    const std::string& w = t[pos - k].lower;
    if (w == "if" || w == "unless" || w == "whether" || w == "once") return true;
    if (t[pos - k].boundary_before) break;
  }
  return false;
}

struct Commitment {
  Subject subject;
  std::size_t begin = 0;  // subject's first token
  std::size_t verb = 0;   // first token of the verb
  std::string name;       // kNamed
};

// The first token of a person's name ending right before `modal`, or npos.
std::size_t name_start(const std::vector<Token>& t, std::size_t modal) {
  if (modal == 0) return std::string::npos;
  auto is_name = [&](std::size_t k) {
    const std::string& w = t[k].lower;
    // "It's", "That'll": contractions are not names ("O'Brien" is).
    std::size_t apostrophe = w.find('\'');
    bool contraction = apostrophe != std::string::npos && w.size() - apostrophe <= 3;
    return t[k].capitalized && !contraction && !not_names().contains(w) &&
           std::isalpha(static_cast<unsigned char>(w.front()));
  };
  std::size_t k = modal - 1;
  if (!is_name(k)) {
    // "Maria from procurement will", "Mei from our support team to".
    for (std::size_t back = 2; back <= 5 && back < modal; ++back) {
      if (t[modal - back].lower == "from" && is_name(modal - back - 1)) {
        return modal - back - 1;
      }
    }
    return std::string::npos;
  }
  if (k > 0 && is_name(k - 1) && !t[k].boundary_before) --k;  // "Sarah Chen"
  return k;
}

std::vector<Commitment> find_commitments(const Sentence& s) {
  const auto& t = s.tokens;
  const SubjectSets& sets = subjects();
  std::vector<Commitment> out;
  for (std::size_t i = 0; i < t.size(); ++i) {
    Commitment c;
    std::optional<PhraseSet::Hit> hit;
    if ((hit = sets.speaker.match_at(t, i))) {
      c.subject = Subject::kSpeaker;
    } else if ((hit = sets.proposal.match_at(t, i))) {
      c.subject = Subject::kProposal;
    } else if ((hit = sets.nobody.match_at(t, i))) {
      c.subject = Subject::kNobody;
    } else if ((hit = sets.addressee.match_at(t, i))) {
      c.subject = Subject::kAddressee;
    } else if ((hit = sets.named_modal.match_at(t, i))) {
      std::size_t start = name_start(t, i);
      // "Sarah to send" only at the start of a clause (minutes style).
      if (start == std::string::npos ||
          (hit->source == "to" && !t[start].boundary_before)) {
        continue;
      }
      c.subject = Subject::kNamed;
      std::size_t name_end = start + 1;
      if (name_end < i && t[name_end].capitalized && !not_names().contains(t[name_end].lower)) {
        ++name_end;
      }
      for (std::size_t k = start; k < name_end; ++k) {
        if (!c.name.empty()) c.name += ' ';
        c.name += s.text.substr(t[k].begin, t[k].end - t[k].begin);
      }
      c.begin = start;
    } else {
      continue;
    }
    if (c.subject != Subject::kNamed) c.begin = i;
    if (conditional_before(t, c.begin)) continue;
    if (s.question && c.subject != Subject::kAddressee) continue;
    std::size_t j = hit->end;
    for (std::size_t skipped = 0; j < t.size() && skipped < 4 && skippable(t[j].lower); ++j) {
      ++skipped;
    }
    if (j >= t.size() || t[j].lower == "not" || t[j].lower == "never") continue;
    if (!lexicon::action_verbs().match_at(t, j)) continue;
    if (c.subject == Subject::kProposal && !sets.proposal_verbs.match_at(t, j)) continue;
    c.verb = j;
    out.push_back(std::move(c));
    i = j;
  }
  return out;
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "Sarah" -> "Sarah Chen" when a speaker label starts with that name.
std::string resolve_name(const std::string& name, const std::vector<std::string>& speakers) {
  std::string lower = lower_ascii(name);
  for (const std::string& sp : speakers) {
    std::string l = lower_ascii(sp);
    if (l == lower || l.starts_with(lower + " ")) return sp;
  }
  return name;
}

// Who a request is addressed to: a speaker named in it, else the next
// speaker if they accept ("Sure, will do").
struct Acceptance {
  std::string owner;
  std::size_t sentence = 0;  // the reply ("Sure, I'll send it by Friday"), or npos
};

// Who took on a request: the next other speaker if they accept ("Sure, will
// do"), else a speaker named in it ("Raj, can you ...").
std::optional<Acceptance> addressee_of(const std::vector<Sentence>& sentences, std::size_t i,
                                       const std::vector<std::string>& speakers) {
  const Sentence& s = sentences[i];
  std::optional<Acceptance> named;
  for (const Token& tok : s.tokens) {
    if (named || !tok.capitalized || not_names().contains(tok.lower)) continue;
    for (std::size_t k = 0; k < speakers.size(); ++k) {
      if (k == s.speaker) continue;
      std::string l = lower_ascii(speakers[k]);
      if (l == tok.lower || l.starts_with(tok.lower + " ")) {
        named = Acceptance{speakers[k], std::string::npos};
        break;
      }
    }
  }
  for (std::size_t k = i + 1; k < sentences.size() && k <= i + 3; ++k) {
    if (sentences[k].speaker == s.speaker) continue;
    if (sentences[k].speaker == kNoSpeaker || sentences[k].tokens.empty()) break;
    if (lexicon::acceptances().match_at(sentences[k].tokens, 0) &&
        (!named || named->owner == speakers[sentences[k].speaker])) {
      return Acceptance{speakers[sentences[k].speaker], k};
    }
    break;
  }
  return named;
}

// The next sentence of `who` within three, when it accepts ("Yes, I'll ...").
std::optional<std::size_t> reply_of(const std::vector<Sentence>& sentences, std::size_t i,
                                    std::size_t who) {
  for (std::size_t k = i + 1; k < sentences.size() && k <= i + 3; ++k) {
    if (sentences[k].speaker != who) continue;
    if (lexicon::acceptances().match_at(sentences[k].tokens, 0)) return k;
    break;
  }
  return std::nullopt;
}

// "I'll send that over": a reply restating the request it accepts.
bool refers_back(const Sentence& s, std::size_t verb) {
  for (std::size_t k = verb + 1; k < s.tokens.size() && k <= verb + 2; ++k) {
    const std::string& w = s.tokens[k].lower;
    if (w == "that" || w == "it" || w == "this" || w == "those" || w == "them") return true;
  }
  return false;
}

std::string describe(const Sentence& s, std::size_t verb, std::size_t end_token) {
  std::size_t begin = s.tokens[verb].begin;
  std::size_t end = end_token < s.tokens.size() ? s.tokens[end_token].begin : s.text.size();
  std::string d = s.text.substr(begin, end - begin);
  auto strip_tail = [&] {
    while (!d.empty() && (d.back() == ' ' || d.back() == ',' || d.back() == '.' ||
                          d.back() == '!' || d.back() == '?' || d.back() == ';')) {
      d.pop_back();
    }
  };
  strip_tail();
  for (std::string_view tail : {" and", " but", " so", " then", " or"}) {
    if (d.ends_with(tail)) d.resize(d.size() - tail.size());
  }
  strip_tail();
  if (!d.empty()) d[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(d[0])));
  return d;
}

bool is_decision(const Sentence& s) {
  if (s.question || s.tokens.size() < 4) return false;
  for (const auto& hit : lexicon::decision_phrases().find(s.tokens)) {
    if (negated_before(s.tokens, hit.begin) || conditional_before(s.tokens, hit.begin)) continue;
    bool negated_after = hit.end < s.tokens.size() && (s.tokens[hit.end].lower == "not" ||
                                                       s.tokens[hit.end].lower == "yet");
    if (!negated_after) return true;
  }
  return false;
}

}  // namespace

void extract_commitments(const std::vector<Sentence>& sentences,
                         const std::vector<std::string>& speakers,
                         const AnalyzeOptions& options, Extraction& out) {
  std::unordered_set<std::string> seen_decisions, seen_actions;
  std::unordered_set<std::size_t> replies;  // sentences that accepted a request
  for (std::size_t i = 0; i < sentences.size(); ++i) {
    const Sentence& s = sentences[i];
    if (is_decision(s) && out.decisions.size() < options.limits.max_items &&
        seen_decisions.insert(lower_ascii(s.text)).second) {
      out.decisions.push_back(s.text);
      out.is_insight[i] = true;
    }
    std::vector<Commitment> found = find_commitments(s);
    for (std::size_t k = 0; k < found.size(); ++k) {
      const Commitment& c = found[k];
      std::optional<std::string> owner;
      std::size_t reply = std::string::npos;
      switch (c.subject) {
        case Subject::kSpeaker:
        case Subject::kProposal:
          if (replies.contains(i) && refers_back(s, c.verb)) continue;
          if (s.speaker != kNoSpeaker) owner = speakers[s.speaker];
          break;
        case Subject::kNamed: {
          owner = resolve_name(c.name, speakers);
          // "Lisa will send it." "Yes, I'll get that over to you." is one item.
          auto it = std::find(speakers.begin(), speakers.end(), *owner);
          if (it != speakers.end()) {
            auto reply = reply_of(sentences, i, static_cast<std::size_t>(it - speakers.begin()));
            if (reply) replies.insert(*reply);
          }
          break;
        }
        case Subject::kAddressee: {
          auto accepted = addressee_of(sentences, i, speakers);
          if (!accepted) continue;  // a request nobody took on is not an action item
          owner = accepted->owner;
          reply = accepted->sentence;
          if (reply != std::string::npos) replies.insert(reply);
          break;
        }
        case Subject::kNobody:
          break;
      }
      std::size_t end = k + 1 < found.size() ? found[k + 1].begin : s.tokens.size();
      ActionItem item;
      item.description = describe(s, c.verb, end);
      item.owner = std::move(owner);
      std::vector<Token> span(s.tokens.begin() + static_cast<std::ptrdiff_t>(c.verb),
                              s.tokens.begin() + static_cast<std::ptrdiff_t>(end));
      item.due_date = resolve_due_date(span, options.meeting_date);
      // "Can you send it?" "Sure, by Thursday.": the reply may carry the date.
      if (!item.due_date && reply != std::string::npos) {
        item.due_date = resolve_due_date(sentences[reply].tokens, options.meeting_date);
      }
      item.sentence = s.text;
      std::string key = lower_ascii(item.description) + '\n' + item.owner.value_or("");
      if (out.action_items.size() < options.limits.max_items &&
          seen_actions.insert(key).second) {
        out.action_items.push_back(std::move(item));
        out.is_insight[i] = true;
        out.has_action[i] = true;
      }
    }
  }
}

}  // namespace cscx::meetings::internal
