#include "rest/query_parser.h"

#include <gtest/gtest.h>

namespace cscx::rest {
namespace {

Query parse_ok(std::string_view q, const ParseOptions& o = {}) {
  auto r = parse_query(q, o);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? *r : Query{};
}

const Filter& only_filter(const Query& q, const std::string& path = "") {
  const auto& conds = q.nodes.at(path).conditions;
  EXPECT_EQ(conds.size(), 1u);
  return std::get<Filter>(conds.at(0));
}

TEST(QueryParser, ReadsColumnsAliasesAndCasts) {
  auto list = parse_select("id,display:name,arr::text,metadata->tier,metadata->>a->0");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 5u);
  EXPECT_EQ((*list)[0].field.column, "id");
  EXPECT_EQ((*list)[1].alias, "display");
  EXPECT_EQ((*list)[1].field.column, "name");
  EXPECT_EQ((*list)[2].cast, "text");
  EXPECT_EQ((*list)[3].key(), "tier");
  EXPECT_EQ((*list)[4].field.path.size(), 2u);
  EXPECT_TRUE((*list)[4].field.path[0].as_text);
  EXPECT_TRUE((*list)[4].field.path[1].is_index);
  EXPECT_EQ((*list)[4].key(), "a");
}

TEST(QueryParser, ReadsEmbeddingWithHintsAndInnerJoin) {
  auto list = parse_select("*,owner:customers!customer_id!inner(id,name),meetings(title,insights(type))");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 3u);
  EXPECT_EQ((*list)[0].kind, SelectItem::Kind::kStar);
  const SelectItem& owner = (*list)[1];
  EXPECT_EQ(owner.kind, SelectItem::Kind::kEmbed);
  EXPECT_EQ(owner.alias, "owner");
  EXPECT_EQ(owner.relation, "customers");
  EXPECT_EQ(owner.hint, "customer_id");
  EXPECT_EQ(owner.join, JoinType::kInner);
  EXPECT_EQ(owner.children->size(), 2u);
  const SelectItem& meetings = (*list)[2];
  ASSERT_EQ(meetings.children->size(), 2u);
  EXPECT_EQ((*meetings.children)[1].relation, "insights");
}

TEST(QueryParser, ReadsSpread) {
  auto list = parse_select("name,...customers(csm:csm_id)");
  ASSERT_TRUE(list);
  EXPECT_EQ((*list)[1].kind, SelectItem::Kind::kSpread);
}

TEST(QueryParser, IgnoresWhitespaceOutsideQuotes) {
  auto list = parse_select(" id , name ");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->size(), 2u);
}

TEST(QueryParser, RefusesUnbalancedSelect) {
  for (const char* bad : {"customers(id", "id)", "a!x!y(id)", "(id)", "id,,name", "a::"}) {
    auto r = parse_select(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().reason, "PGRST100") << bad;
  }
}

TEST(QueryParser, ReadsEveryOperator) {
  for (const char* op : {"eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike", "match",
                         "imatch", "isdistinct", "cs", "cd", "ov", "sl", "sr", "nxr", "nxl",
                         "adj", "fts", "plfts", "phfts", "wfts"}) {
    Query q = parse_ok(std::string("col=") + op + ".x");
    EXPECT_EQ(only_filter(q).op, op);
  }
}

TEST(QueryParser, ReadsNegationListsAndModifiers) {
  Query q = parse_ok("stage=not.in.(active,%22a%2Cb%22,%22q%5C%22%22)");
  const Filter& f = only_filter(q);
  EXPECT_TRUE(f.negate);
  EXPECT_EQ(f.op, "in");
  ASSERT_EQ(f.list.size(), 3u);
  EXPECT_EQ(f.list[1], "a,b");
  EXPECT_EQ(f.list[2], "q\"");
  Query m = parse_ok("name=like(any).{a*,b*}");
  EXPECT_EQ(only_filter(m).modifier, "any");
  EXPECT_EQ(only_filter(m).list.size(), 2u);
  Query t = parse_ok("content=fts(english).renewal%20%26%20pricing");
  EXPECT_EQ(only_filter(t).config, "english");
  EXPECT_EQ(only_filter(t).value, "renewal & pricing");
}

TEST(QueryParser, KeepsValuesVerbatim) {
  Query q = parse_ok("name=eq.O'Brien;%20DROP%20TABLE%20customers;--");
  EXPECT_EQ(only_filter(q).value, "O'Brien; DROP TABLE customers;--");
  Query plus = parse_ok("name=eq.a+b");
  EXPECT_EQ(only_filter(plus).value, "a b");
}

TEST(QueryParser, RefusesUnknownOperatorsAndBadIs) {
  for (const char* bad : {"a=zz.1", "a=eq", "a=is.maybe", "a=in.1,2", "a=eq(some).{1}"}) {
    auto r = parse_query(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().reason, "PGRST100");
  }
}

TEST(QueryParser, ReadsNestedLogic) {
  Query q = parse_ok("or=(stage.eq.active,and(arr.gt.2e5,name.not.ilike.*x*))&not.and=(a.is.null)");
  const auto& conds = q.nodes.at("").conditions;
  ASSERT_EQ(conds.size(), 2u);
  const Logic& orl = std::get<Logic>(conds[0]);
  EXPECT_TRUE(orl.is_or);
  ASSERT_EQ(orl.items.size(), 2u);
  const Logic& andl = std::get<Logic>(orl.items[1]);
  EXPECT_FALSE(andl.is_or);
  EXPECT_TRUE(std::get<Filter>(andl.items[1]).negate);
  const Logic& notand = std::get<Logic>(conds[1]);
  EXPECT_TRUE(notand.negate);
}

TEST(QueryParser, KeepsSpacesInsideLogicValues) {
  // supabase-js sends .or() text unchanged; a value runs to ',' or ')'.
  Query q = parse_ok("or=(name.eq.Acme%20Corp,%20name.eq.x)");
  const Logic& l = std::get<Logic>(q.nodes.at("").conditions[0]);
  EXPECT_EQ(std::get<Filter>(l.items[0]).value, "Acme Corp");
  EXPECT_EQ(std::get<Filter>(l.items[1]).field.column, "name");
}

TEST(QueryParser, ReadsQuotedLogicValues) {
  Query q = parse_ok("or=(name.eq.%22a,b%22,name.in.(%22c)d%22,e))");
  const Logic& l = std::get<Logic>(q.nodes.at("").conditions[0]);
  EXPECT_EQ(std::get<Filter>(l.items[0]).value, "a,b");
  EXPECT_EQ(std::get<Filter>(l.items[1]).list.at(0), "c)d");
}

TEST(QueryParser, ReadsEmbeddedFiltersOrderAndPaging) {
  Query q = parse_ok(
      "stakeholders.is_primary=eq.true&stakeholders.order=name.desc&stakeholders.limit=1&"
      "meetings.insights.or=(type.eq.risk)&order=stage.asc,health_score.desc.nullslast,"
      "customers(name).desc&limit=10&offset=20");
  EXPECT_EQ(only_filter(q, "stakeholders").field.column, "is_primary");
  EXPECT_EQ(q.nodes.at("stakeholders").order.at(0).desc, true);
  EXPECT_EQ(*q.nodes.at("stakeholders").limit, 1);
  EXPECT_EQ(q.nodes.at("meetings.insights").conditions.size(), 1u);
  const auto& order = q.nodes.at("").order;
  ASSERT_EQ(order.size(), 3u);
  EXPECT_FALSE(order[0].desc);
  EXPECT_EQ(order[1].nulls_first, false);
  EXPECT_EQ(order[2].relation, "customers");
  EXPECT_EQ(*q.nodes.at("").limit, 10);
  EXPECT_EQ(*q.nodes.at("").offset, 20);
}

TEST(QueryParser, ReadsJsonPathFilterWithDots) {
  Query q = parse_ok("metadata->>plan.tier=eq.gold");
  const Filter& f = only_filter(q);
  EXPECT_EQ(f.field.column, "metadata");
  EXPECT_EQ(f.field.path.at(0).key, "plan.tier");
}

TEST(QueryParser, RefusesBadPaging) {
  for (const char* bad : {"limit=-1", "limit=x", "offset=1.5", "limit=99999999999999999999"}) {
    ASSERT_FALSE(parse_query(bad)) << bad;
  }
}

TEST(QueryParser, ReadsColumnsAndOnConflict) {
  Query q = parse_ok("columns=%22name%22,%22csm_id%22&on_conflict=id,name");
  EXPECT_EQ(q.columns, (std::vector<std::string>{"name", "csm_id"}));
  EXPECT_EQ(q.on_conflict, (std::vector<std::string>{"id", "name"}));
}

TEST(QueryParser, KeepsFunctionArgumentsPlain) {
  ParseOptions o;
  o.argument_names.insert("customer_uuid");
  Query q = parse_ok("customer_uuid=abc&select=x", o);
  ASSERT_EQ(q.plain_params.size(), 1u);
  EXPECT_EQ(q.plain_params[0].second, "abc");
}

TEST(QueryParser, LimitsNesting) {
  std::string deep = "or=(";
  for (int i = 0; i < 40; ++i) deep += "and(";
  deep += "a.eq.1";
  for (int i = 0; i < 41; ++i) deep += ")";
  auto r = parse_query(deep);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().reason, "PGRST100");
  std::string embed = "select=";
  for (int i = 0; i < 40; ++i) embed += "a(";
  embed += "id";
  for (int i = 0; i < 40; ++i) embed += ")";
  EXPECT_FALSE(parse_query(embed));
}

}  // namespace
}  // namespace cscx::rest
