// The analyser's word lists. Entries are written as people say them; stem
// sets are Snowball-stemmed at start-up, so "worried" also matches "worry",
// "worries" and "worrying"; "=word" matches that exact word only (for stems
// that collide: "pleased"/"please"). "*" matches any one word. To extend a list, add
// an entry here and a case to tests/meetings/ and re-run the dev-set scorer.
#include "meetings/lexicons.h"

namespace cscx::meetings::internal::lexicon {
namespace {
using M = PhraseSet::Match;
}  // namespace

// Verbs of work someone can commit to; "I'll send", "Sarah will set up".
const PhraseSet& action_verbs() {
  static const PhraseSet set(
      M::kStem,
      {{"send"}, {"share"}, {"schedule"}, {"set up"}, {"follow up"}, {"review"}, {"prepare"},
       {"update"}, {"get back"}, {"look into"}, {"check"}, {"draft"}, {"fix"}, {"deliver"},
       {"provide"}, {"loop in"}, {"book"}, {"call"}, {"email"}, {"confirm"}, {"investigate"},
       {"escalate"}, {"reach out"}, {"circle back"}, {"put together"}, {"run"}, {"migrate"},
       {"train"}, {"organize"}, {"organise"}, {"write"}, {"create"}, {"build"}, {"send over"},
       {"talk to"}, {"speak with"}, {"sync with"}, {"coordinate"}, {"arrange"}, {"invite"},
       {"forward"}, {"ping"}, {"test"}, {"document"}, {"finalize"}, {"finalise"},
       {"complete"}, {"finish"}, {"submit"}, {"present"}, {"walk"}, {"demo"}, {"ship"},
       {"deploy"}, {"enable"}, {"configure"}, {"install"}, {"add"}, {"remove"}, {"clean up"},
       {"compile"}, {"pull"}, {"dig into"}, {"find out"}, {"figure out"}, {"work on"},
       {"take care of"}, {"handle"}, {"own"}, {"drive"}, {"make sure"}, {"get you"},
       {"get back"}, {"get the"}, {"get * to"}, {"get * over"}, {"get * * to"}, {"get * * over"},
       {"double check"}, {"set"}, {"kick off"}, {"open"}, {"file"}, {"log"},
       {"raise"}, {"sign"}, {"approve"}, {"extend"}, {"refund"}, {"credit"}, {"apply"},
       {"introduce"}, {"connect"}, {"nudge"}, {"chase"}, {"research"}, {"look at"},
       {"come back"}, {"write up"}, {"map out"}, {"plan"}, {"resend"}, {"reschedule"},
       {"onboard"}, {"prioritize"}, {"prioritise"}, {"talk with"}, {"meet with"}, {"bring"},
       {"rerun"}, {"restore"}, {"ask"}, {"fill out"}, {"fill in"}, {"fill"}, {"reconnect"},
       {"regroup"}, {"touch base"}, {"meet"}, {"reconvene"}, {"check in"}, {"patch"}, {"post"}, {"attach"}, {"upload"}, {"export"}});
  return set;
}

// Said when a group settles something. Exact words, because tense matters:
// "we decided" is a decision, "we decide" usually is not.
const PhraseSet& decision_phrases() {
  static const PhraseSet set(
      M::kExact,
      {{"we decided"}, {"we've decided"}, {"we have decided"}, {"i've decided"},
       {"decided to"}, {"decided that"}, {"decision is"}, {"the decision"}, {"we agreed"},
       {"we've agreed"}, {"we have agreed"}, {"agreed to"}, {"agreed that"}, {"we all agree"},
       {"we're going with"}, {"we are going with"}, {"we'll go with"}, {"we will go with"},
       {"let's go with"}, {"let's go ahead with"},
       {"going to go with"}, {"gonna go with"}, {"we'll move forward with"},
       {"we will move forward with"}, {"move forward with"}, {"moving forward with"},
       {"we're moving ahead"}, {"settled on"}, {"signed off"}, {"sign off on"},
       {"we'll proceed with"}, {"let's proceed with"}, {"we will proceed"},
       {"final decision"}, {"we'll stick with"}, {"let's stick with"}, {"we will stick with"},
       {"it's a go"}, {"green light"}, {"we'll switch to"}, {"we're switching to"},
       {"let's lock in"}, {"locked in"}, {"is approved"}, {"are approved"}, {"approved the"},
       {"we'll keep"}, {"let's keep"}, {"we're going to keep"}, {"we are going to keep"},
       {"we'll use"}, {"let's use"}, {"we're going to use"}, {"it's decided"},
       {"we'll postpone"}, {"let's postpone"}, {"we'll push"}, {"we will push"},
       {"we'll drop"}, {"let's drop"}, {"we'll pause"}, {"the plan is to"},
       {"we'll do the"}, {"we'll take the"}, {"we'll commit to"}, {"we're committing to"},
       {"we'll include"}, {"let's include"}, {"we'll have the"}, {"we're going for"},
       {"let's move the"}, {"let's push the"}, {"let's plan the"}, {"let's plan for"},
       {"let's shift the"}, {"let's set the"}, {"let's keep the"}, {"going forward we'll"},
       {"going forward we will"}, {"from now on we'll"}, {"moving forward we'll"}});
  return set;
}

// Worries and problems, including politely voiced ones.
const PhraseSet& concern_phrases() {
  static const PhraseSet set(
      M::kStem,
      {{"worried"}, {"worry"}, {"concerned"}, {"concern"}, {"anxious"}, {"nervous"},
       {"afraid"}, {"fear"}, {"uneasy"}, {"hesitant"}, {"hesitation"}, {"frustrated"},
       {"frustrating"}, {"disappointed"}, {"disappointing"}, {"annoyed"}, {"unhappy"},
       {"struggling"}, {"confusing"}, {"confused"}, {"problem"}, {"issue"}, {"risk"},
       {"risky"}, {"blocker"}, {"blocked"}, {"outage"}, {"downtime"}, {"bug"}, {"crash"},
       {"broken"}, {"keeps breaking"}, {"too expensive"}, {"too slow"}, {"too complicated"},
       {"too much"}, {"pricey"}, {"not sure"}, {"not convinced"}, {"not confident"},
       {"not comfortable"}, {"unclear"}, {"doubt"}, {"skeptical"}, {"sceptical"},
       {"pushback"}, {"push back"}, {"complaint"}, {"complain"}, {"delay"}, {"behind schedule"},
       {"hard to justify"}, {"gives me pause"}, {"give me pause"}, {"wonder if"},
       {"wonder whether"}, {"don't see the value"}, {"not seeing the value"},
       {"not getting value"}, {"doesn't work"}, {"don't work"}, {"isn't working"},
       {"not working"}, {"stopped working"}, {"painful"}, {"pain point"}, {"slow"},
       {"sluggish"}, {"difficult"}, {"hard to use"}, {"lost data"}, {"data loss"},
       {"is missing"}, {"are missing"}, {"still missing"}, {"unreliable"}, {"unacceptable"}, {"nightmare"}, {"drop the ball"},
       {"dropped the ball"}, {"falling behind"}, {"fell behind"}, {"low adoption"},
       {"adoption is low"}, {"not using"}, {"stopped using"}, {"nobody uses"},
       {"timeouts"}, {"timing out"}, {"errors"}, {"failing"}, {"fails"}, {"failed"},
       {"cancel"}, {"my only hesitation"}, {"we're behind"}, {"we are behind"},
       {"running behind"}, {"gone down"}, {"went down"}, {"goes down"}, {"going down"},
       {"keeps going down"}, {"third time"}, {"alternatives"}, {"other options"},
       {"nobody really uses"}, {"no one uses"}, {"nobody is using"}, {"barely use"},
       {"hardly use"}, {"not guaranteed"}, {"isn't guaranteed"}, {"no guarantee"}, {"a little uneasy"},
       {"keeps me up"}, {"on the fence"}, {"second thoughts"}, {"not thrilled"},
       {"not happy"}, {"not great"}, {"not ideal"}, {"could be better"}, {"overdue"}});
  return set;
}

// Sentences that mention a concern without voicing one.
const PhraseSet& concern_exclusions() {
  static const PhraseSet set(
      M::kStem,
      {{"understand your"}, {"hear your"}, {"address your"}, {"hear you"},
       {"thanks for raising"}, {"thank you for raising"}, {"no problem"}, {"no problems"},
       {"no issue"}, {"no issues"}, {"no concerns"}, {"not a problem"}, {"not an issue"},
       {"not worried"}, {"not concerned"}, {"resolved"}, {"any concerns"}, {"any questions"},
       {"fixed the"}, {"has been fixed"}, {"was fixed"}, {"problem solved"},
       {"not a concern"}, {"no worries"}, {"don't worry"}, {"no risk"}, {"de-risk"},
       {"mitigate"}, {"happy to"}, {"solve"}, {"solves"}, {"fair concern"},
       {"valid concern"}, {"good concern"}, {"fair point"}, {"great question"}});
  return set;
}

// Polarity words; weights are signed. Negation flips them (see sentiment.cpp).
const PhraseSet& sentiment_words() {
  static const PhraseSet set(
      M::kStem,
      {{"great", 1}, {"good", 1}, {"love", 1.5}, {"excellent", 1.5}, {"happy", 1},
       {"=pleased", 1}, {"glad", 1}, {"fantastic", 1.5}, {"amazing", 1.5}, {"awesome", 1.5},
       {"impressed", 1.5}, {"impressive", 1.5}, {"=helpful", 1}, {"valuable", 1},
       {"smooth", 1}, {"smoothly", 1}, {"easy", 0.5}, {"thrilled", 2}, {"delighted", 2},
       {"=excited", 1}, {"exciting", 1}, {"perfect", 1}, {"=wonderful", 1.5}, {"appreciate", 1},
       {"thank", 0.5}, {"thanks", 0.5}, {"works well", 1}, {"improved", 1},
       {"improvement", 1}, {"success", 1}, {"successful", 1}, {"reliable", 1},
       {"saved", 1}, {"intuitive", 1}, {"recommend", 1}, {"nice", 0.5}, {"solid", 1},
       {"enjoy", 1}, {"confident", 1}, {"huge fan", 2}, {"game changer", 2},
       {"well done", 1.5}, {"kudos", 1.5}, {"exceeded", 1.5}, {"productive", 1},
       {"win", 1}, {"wins", 1}, {"cool", 0.5}, {"brilliant", 1.5}, {"better", 0.5},
       {"best", 1}, {"love it", 1}, {"on track", 1}, {"looking forward", 1},
       {"bad", -1}, {"terrible", -2}, {"awful", -2}, {"horrible", -2}, {"frustrated", -1.5},
       {"frustrating", -1.5}, {"disappointed", -1.5}, {"disappointing", -1.5}, {"angry", -2},
       {"upset", -1.5}, {"unhappy", -1.5}, {"annoyed", -1.5}, {"annoying", -1.5},
       {"hate", -2}, {"slow", -1}, {"broken", -1.5}, {"bug", -1}, {"outage", -1.5},
       {"crash", -1.5}, {"fail", -1}, {"failure", -1.5}, {"problem", -1}, {"issue", -0.5},
       {"worried", -1}, {"concerned", -1}, {"concern", -1}, {"confusing", -1},
       {"difficult", -1}, {"painful", -1.5}, {"unacceptable", -2}, {"poor", -1.5},
       {"worse", -1.5}, {"worst", -2}, {"useless", -2}, {"waste", -1.5}, {"expensive", -1},
       {"overpriced", -1.5}, {"complaint", -1}, {"unreliable", -1.5}, {"nightmare", -2},
       {"ridiculous", -2}, {"struggling", -1}, {"stuck", -1}, {"blocked", -1},
       {"delayed", -1}, {"delay", -1}, {"downtime", -1.5}, {"errors", -1}, {"error", -1},
       {"risk", -0.5}, {"disaster", -2}, {"mess", -1.5}, {"pain", -1}, {"lost", -1},
       {"sorry", -0.5}, {"hard to justify", -1.5}, {"not sure", -0.5}, {"cancel", -1},
       {"unfortunately", -1}, {"behind", -0.5}, {"down again", -1.5}, {"uneasy", -1},
       {"nervous", -1}, {"skeptical", -1}, {"=missing", -0.5}, {"tough", -1}, {"budget cuts", -1}, {"fell behind", -1},
       {"escalate", -1}, {"escalation", -1}, {"lack", -0.5}});
  return set;
}

// Multipliers for the next polarity word.
const PhraseSet& intensifiers() {
  static const PhraseSet set(
      M::kExact,
      {{"very", 1.5}, {"really", 1.5}, {"extremely", 2}, {"super", 1.5}, {"so", 1.3},
       {"incredibly", 2}, {"absolutely", 1.5}, {"totally", 1.5}, {"truly", 1.5},
       {"completely", 1.5}, {"a bit", 0.6}, {"a little", 0.6}, {"slightly", 0.5},
       {"somewhat", 0.6}, {"kind of", 0.7}, {"sort of", 0.7}});
  return set;
}

// Sarcasm. Weight 2: sarcastic on its own ("yeah right"); weight 1: only
// beside trouble ("oh great, another outage", but not "oh great, thanks").
const PhraseSet& sarcasm_markers() {
  static const PhraseSet set(
      M::kExact,
      {{"yeah right", 2}, {"thanks for nothing", 2}, {"what a surprise", 2},
       {"big surprise", 2}, {"so much for", 2}, {"just what we needed", 2},
       {"just what i needed", 2}, {"oh great", 1}, {"oh wonderful", 1}, {"oh perfect", 1},
       {"oh fantastic", 1}, {"oh joy", 1}, {"oh brilliant", 1}, {"oh lovely", 1},
       {"just great", 1}, {"just perfect", 1}, {"just wonderful", 1}, {"love it when", 1},
       {"love how", 1}, {"great job", 1}, {"thanks a lot", 1}, {"nice work", 1}});
  return set;
}

// Repetition that, with praise and trouble in one sentence, marks sarcasm:
// "Great, the dashboard is down again."
const PhraseSet& sarcasm_context() {
  static const PhraseSet set(
      M::kStem,
      {{"again"}, {"another"}, {"yet another"}, {"once again"}, {"third time"},
       {"second time"}, {"every time"}, {"every single time"}, {"as usual"}});
  return set;
}

// A listener taking on a request ("Can you send it?" "Sure, will do.").
const PhraseSet& acceptances() {
  static const PhraseSet set(
      M::kExact,
      {{"sure"}, {"yes"}, {"yeah"}, {"yep"}, {"will do"}, {"absolutely"}, {"of course"},
       {"no problem"}, {"ok"}, {"okay"}, {"on it"}, {"i can do that"}, {"happy to"},
       {"definitely"}, {"certainly"}, {"can do"}, {"i'll do that"}, {"i will"}, {"got it"}});
  return set;
}

const std::unordered_set<std::string>& stopwords() {
  static const std::unordered_set<std::string> set = {
      "a", "about", "above", "after", "again", "all", "also", "am", "an", "and", "any",
      "are", "as", "at", "be", "because", "been", "before", "being", "below", "between",
      "both", "but", "by", "can", "could", "did", "do", "does", "doing", "down", "during",
      "each", "few", "for", "from", "further", "had", "has", "have", "having", "he", "her",
      "here", "hers", "him", "his", "how", "i", "if", "in", "into", "is", "it", "its",
      "itself", "just", "me", "more", "most", "my", "no", "nor", "not", "now", "of", "off",
      "on", "once", "only", "or", "other", "our", "ours", "out", "over", "own", "same",
      "she", "should", "so", "some", "such", "than", "that", "the", "their", "them", "then",
      "there", "these", "they", "this", "those", "through", "to", "too", "under", "until",
      "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who",
      "whom", "why", "will", "with", "would", "you", "your", "yours", "i'm", "i'll", "we'll",
      "we're", "it's", "that's", "don't", "can't", "okay", "ok", "yeah", "yes", "right",
      "well", "like", "gonna", "kind", "sort", "really", "think", "know", "mean", "thing",
      "things", "get", "got", "go", "going", "one", "two", "actually", "maybe", "let's",
      "you're", "there's", "they're", "oh", "alright", "sure", "lot", "bit", "see", "say",
      "said", "want", "need", "make", "way", "good", "great", "thanks", "thank", "hi",
      "hello", "guess", "probably", "something", "anything", "everything", "would", "'s"};
  return set;
}

const std::vector<RiskRule>& risk_rules() {
  static const PhraseSet churn(
      M::kStem,
      {{"cancel"}, {"cancellation"}, {"churn"}, {"terminate"}, {"termination"},
       {"walk away"}, {"pull the plug"}, {"stop using"}, {"move off"}, {"moving off"},
       {"switch away"}, {"looking at alternatives"}, {"look at alternatives"},
       {"evaluating alternatives"}, {"evaluate other"}, {"evaluating other"},
       {"exit the contract"}, {"get out of the contract"}, {"shut it down"},
       {"offboard"}, {"rip it out"}, {"replace you"}, {"replacing you"}, {"leave you"},
       {"consider leaving"}, {"considering leaving"}, {"other options"},
       {"wind down"}, {"sunset"}, {"last straw"}});
  static const PhraseSet budget(
      M::kStem,
      {{"budget cut"}, {"budget cuts"}, {"cut the budget"}, {"cut our budget"},
       {"budget freeze"}, {"budget is frozen"}, {"budgets are frozen"}, {"spending freeze"},
       {"hiring freeze"}, {"cost cutting"}, {"cost-cutting"}, {"cost reduction"},
       {"reduce spend"}, {"reduce our spend"}, {"cut spend"}, {"cut costs"}, {"cut back"},
       {"tighten"}, {"belt tightening"}, {"layoffs"}, {"laid off"}, {"headcount reduction"},
       {"reduce seats"}, {"reduce the number of seats"}, {"fewer seats"}, {"downsize"},
       {"downgrade"}, {"smaller budget"}, {"less budget"}, {"no budget"},
       {"austerity"}, {"savings target"}});
  static const PhraseSet budget_anchor(M::kStem, {{"budget"}, {"spend"}, {"funding"}});
  static const PhraseSet budget_companion(
      M::kStem, {{"cut"}, {"slash"}, {"frozen"}, {"freeze"}, {"reduce"}, {"shrink"}, {"lower"},
                 {"squeeze"}, {"tight"}, {"pull back"}, {"trim"}, {"halve"},
                 {"not convinced"}, {"not sure"}, {"worried"}, {"concerned"}, {"doubt"},
                 {"uncertain"}, {"at risk"}});
  static const PhraseSet champion(
      M::kStem,
      {{"leaving the company"}, {"leaving acme"}, {"last day"}, {"new role"}, {"new job"},
       {"new position"}, {"step down"}, {"stepping down"}, {"resigned"}, {"resigning"},
       {"my replacement"}, {"her replacement"}, {"his replacement"}, {"their replacement"},
       {"handing over"}, {"hand over my"}, {"transition out"}, {"transitioning out"},
       {"no longer be"}, {"won't be your point of contact"}, {"moving on from"},
       {"leaving the team"}, {"leaving at the end"}, {"leaving next"}, {"retire"},
       {"retiring"}, {"moving to another team"}, {"moving to a different team"},
       {"taking a job"}, {"left the company"}, {"is leaving"}, {"am leaving"},
       {"i'm leaving"}, {"she's leaving"}, {"he's leaving"}, {"our champion"},
       {"new point of contact"}});
  static const PhraseSet competitor(
      M::kStem,
      {{"competitor"}, {"competitors"}, {"competition"}, {"another vendor"},
       {"other vendor"}, {"other vendors"}, {"alternative vendor"}, {"different vendor"},
       {"other platform"}, {"other tool"}, {"other tools"}, {"cheaper alternative"},
       {"cheaper option"}, {"alternative solution"}, {"gainsight"}, {"totango"},
       {"churnzero"}, {"vitally"}, {"planhat"}, {"clientsuccess"}, {"custify"},
       {"pitched us"}, {"demo from"}, {"quote from"}, {"their pricing"}});
  static const PhraseSet renewal_trigger(
      M::kStem,
      {{"not renew"}, {"won't renew"}, {"will not renew"}, {"not renewing"},
       {"renewal is at risk"}, {"renewal at risk"}, {"hold off on the renewal"},
       {"reconsider the renewal"}, {"renewal on hold"}, {"pause the renewal"},
       {"hard to justify the renewal"}, {"don't renew"}, {"let it lapse"},
       {"let the contract lapse"}, {"not going to renew"}, {"may not renew"},
       {"might not renew"}});
  static const PhraseSet renewal_anchor(M::kStem, {{"renewal"}, {"renew"}});
  static const PhraseSet renewal_companion(
      M::kStem,
      {{"not sure"}, {"unsure"}, {"reconsider"}, {"hold off"}, {"at risk"}, {"justify"},
       {"question"}, {"pause"}, {"delay"}, {"rethink"}, {"whether"}, {"might not"},
       {"may not"}, {"can't"}, {"won't"}, {"hesitant"}, {"tough"}, {"hard"}, {"difficult"},
       {"in jeopardy"}, {"on the table"}, {"uncertain"}, {"doubt"}, {"push back"},
       {"not guaranteed"}, {"isn't guaranteed"}, {"no guarantee"}, {"defend"}});
  static const PhraseSet expansion(
      M::kStem,
      {{"more seats"}, {"additional seats"}, {"add seats"}, {"extra seats"},
       {"more licenses"}, {"more licences"}, {"additional licenses"}, {"additional licences"},
       {"expand"}, {"expansion"}, {"roll out to"}, {"rollout to"}, {"roll it out to"},
       {"other teams"}, {"another team"}, {"other departments"}, {"another department"},
       {"upgrade"}, {"upsell"}, {"add-on"}, {"enterprise tier"}, {"enterprise plan"},
       {"premium tier"}, {"premium plan"}, {"more users"}, {"another region"},
       {"other regions"}, {"second team"}, {"grow our usage"}, {"increase our usage"},
       {"sister company"}, {"other offices"}, {"another business unit"},
       {"add the module"}, {"buy more"}, {"scale up"},
       {"whole company"}, {"company-wide"}, {"across the org"}});
  static const std::vector<RiskRule> rules = {
      {RiskType::kChurnRisk, &churn, nullptr, nullptr, 0, false},
      {RiskType::kBudgetCut, &budget, &budget_anchor, &budget_companion, 4, false},
      {RiskType::kChampionLeaving, &champion, nullptr, nullptr, 0, false},
      {RiskType::kCompetitorMention, &competitor, nullptr, nullptr, 0, false},
      {RiskType::kRenewalAtRisk, &renewal_trigger, &renewal_anchor, &renewal_companion, 8,
       true},
      {RiskType::kExpansionOpportunity, &expansion, nullptr, nullptr, 0, false},
  };
  return rules;
}

}  // namespace cscx::meetings::internal::lexicon
