// `cscx serve --demo` data: the customers' contracts, entitlements,
// stakeholders, transcripts and insights are what the contract parser and
// the transcript analyser make of the sample documents in samples/.
#include "app/demo_data.h"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "contracts/contract_parser.h"
#include "meetings/transcript_analyzer.h"
#include "support/test_database.h"

namespace cscx::testing {
namespace {

std::string read_sample(const std::string& folder, std::string_view file) {
  return source_text("samples/" + folder + "/" + std::string(file));
}

// A SQL literal for text we wrote ourselves (no "$q$" inside).
std::string literal(const std::string& text) { return "$q$" + text + "$q$"; }

class DemoData : public ::testing::Test {
 protected:
  void SetUp() override {
    auto loaded = app::load_demo_data_if_empty(db_.url(), db_.url_as("authenticator"));
    ASSERT_TRUE(loaded) << loaded.error().to_string();
    ASSERT_TRUE(*loaded);
  }
  std::string value(const std::string& sql) { return query_value(admin_, sql); }

  TestDatabase db_;
  db::Connection admin_ = db_.connect();
};

TEST_F(DemoData, StoredContractsAreWhatTheParserSaysOfEachSample) {
  EXPECT_EQ(value("SELECT count(*) FROM customers"), "5") << "every contract matched its customer";
  // One contract per sample document; the others are the ended contracts
  // of the health history (sql/demo_links.sql), which have no document.
  EXPECT_EQ(value("SELECT count(*) FROM contracts WHERE file_name IS NOT NULL"),
            std::to_string(app::demo_contract_samples().size()));
  EXPECT_EQ(value("SELECT count(*) FROM contracts WHERE file_name IS NULL"
                  " AND status NOT IN ('renewed', 'churned')"),
            "0");
  for (const app::DemoSample& sample : app::demo_contract_samples()) {
    SCOPED_TRACE(std::string(sample.file));
    auto x = contracts::parse_contract(read_sample("contracts", sample.file));
    ASSERT_TRUE(x) << x.error().to_string();
    ASSERT_TRUE(x->company_name);
    ASSERT_TRUE(x->arr);
    const std::string where = " FROM contracts c JOIN customers cu ON cu.id = c.customer_id"
                              " WHERE c.file_name = '" + std::string(sample.file) + "'";
    EXPECT_EQ(value("SELECT c.parsed_data = " + literal(boost::json::serialize(to_json(*x))) +
                    "::jsonb" + where),
              "t");
    EXPECT_EQ(value("SELECT c.company_name = " + literal(*x->company_name) +
                    " AND lower(cu.name) = lower(c.company_name)"
                    " AND cu.csm_id = '" + std::string(sample.csm_id) + "'" + where),
              "t");
    EXPECT_EQ(value("SELECT (c.arr = " + std::to_string(*x->arr) + ") AND (cu.arr = c.arr)" +
                    where),
              "t");
    EXPECT_EQ(value("SELECT coalesce(c.start_date::text, '-') || '/' ||"
                    " coalesce(c.end_date::text, '-')" + where),
              x->contract_term.start_date.value_or("-") + "/" +
                  x->contract_term.end_date.value_or("-"));
    EXPECT_EQ(value("SELECT c.raw_text = " + literal(x->text) + where), "t");
    EXPECT_EQ(value("SELECT count(*) FROM entitlements e JOIN contracts c ON c.id = e.contract_id"
                    " WHERE c.file_name = '" + std::string(sample.file) + "'"),
              std::to_string(x->entitlements.size()));
    ASSERT_FALSE(x->stakeholders.empty());
    for (const auto& s : x->stakeholders) {
      EXPECT_EQ(value("SELECT count(*) FROM stakeholders s JOIN contracts c"
                      " ON c.customer_id = s.customer_id WHERE c.file_name = '" +
                      std::string(sample.file) + "' AND s.name = " + literal(s.name)),
                "1")
          << s.name;
    }
  }
}

TEST_F(DemoData, InsightsAreWhatTheAnalyserSaysOfEachTranscript) {
  for (const app::DemoSample& sample : app::demo_transcript_samples()) {
    SCOPED_TRACE(std::string(sample.file));
    const std::string meeting = std::string(sample.meeting_id);
    const std::string content = read_sample("transcripts", sample.file);
    meetings::AnalyzeOptions options;
    // As post_transcript does: the meeting's scheduled date.
    options.meeting_date = meetings::parse_iso_date(
                               value("SELECT (scheduled_at AT TIME ZONE 'UTC')::date::text"
                                     " FROM meetings WHERE id = '" + meeting + "'"))
                               .value();
    auto a = meetings::analyze_transcript(content, options);
    ASSERT_TRUE(a) << a.error().to_string();
    EXPECT_EQ(value("SELECT content = " + literal(content) + " FROM transcripts"
                    " WHERE meeting_id = '" + meeting + "'"),
              "t");
    const std::string insights =
        "SELECT count(*) FROM insights WHERE source = 'transcript' AND meeting_id = '" + meeting +
        "' AND type = ";
    EXPECT_EQ(value(insights + "'decision'"), std::to_string(a->decisions.size()));
    EXPECT_EQ(value(insights + "'action_item'"), std::to_string(a->action_items.size()));
    EXPECT_EQ(value(insights + "'concern'"), std::to_string(a->concerns.size()));
    EXPECT_EQ(value(insights + "'risk'"), std::to_string(a->risk_signals.size()));
    EXPECT_GT(a->decisions.size() + a->action_items.size(), 0u);
  }
}

TEST_F(DemoData, TheOtherRowsStayAndPointAtTheDocumentsStakeholders) {
  EXPECT_EQ(value("SELECT count(*) FROM training_progress WHERE stakeholder_id IS NOT NULL"), "9");
  EXPECT_EQ(value("SELECT count(*) FROM agent_sessions"), "5");
  EXPECT_EQ(value("SELECT count(*) FROM meetings"), "6");
  EXPECT_EQ(value("SELECT count(*) FROM knowledge_base"), "3");
  auto again = app::load_demo_data_if_empty(db_.url(), db_.url_as("authenticator"));
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again) << "a database with customers is left alone";
}

}  // namespace
}  // namespace cscx::testing
