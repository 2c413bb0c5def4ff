#include "knowledge/knowledge_store.h"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <algorithm>
#include <optional>
#include <spdlog/spdlog.h>
#include <span>

#include "knowledge/embedder.h"
#include "knowledge/embedding_provider.h"

namespace cscx::knowledge {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {

// The article as every write route answers it. The embedding itself stays
// in the database: 1536 numbers help no client.
#define CSCX_ARTICLE_JSON(kb)                                                        \
  "json_build_object('id', " kb ".id, 'title', " kb ".title, 'content', " kb        \
  ".content, 'category', " kb ".category, 'tags', " kb ".tags, 'is_public', " kb    \
  ".is_public, 'metadata', " kb ".metadata, 'embedded', " kb                        \
  ".embedding IS NOT NULL, 'created_at', " kb ".created_at, 'updated_at', " kb      \
  ".updated_at)"

// Tags travel as a JSON array ($4) so no text[] literal is quoted by hand.
// $7 is the embedding as a real[] literal; pgvector casts it on assignment.
constexpr const char* kInsertArticle =
    "INSERT INTO public.knowledge_base AS kb"
    "       (title, content, category, tags, is_public, metadata, embedding)"
    " VALUES ($1::text, $2::text, $3::text,"
    "         CASE WHEN $4::jsonb IS NULL THEN NULL"
    "              ELSE ARRAY(SELECT jsonb_array_elements_text($4::jsonb)) END,"
    "         coalesce($5::boolean, true), coalesce($6::jsonb, '{}'), $7::real[])"
    " RETURNING " CSCX_ARTICLE_JSON("kb");

// What an update must merge with: the fields that feed the embedding, and
// the version (updated_at) the update is conditional on.
constexpr const char* kReadForUpdate =
    "SELECT kb.title, kb.content, to_json(kb.tags)::text, kb.updated_at::text"
    "  FROM public.knowledge_base kb WHERE kb.id = $1::uuid";

// Conditional on the version read by kReadForUpdate ($2; '' when
// updated_at is NULL): a concurrent edit in between makes this update
// nothing (and the route answer 409) instead of storing an embedding of
// text that is no longer there.
// An update that leaves the article's text (title, content, tags) as it is
// writes only the other columns (kUpdateFields) and keeps the stored
// vector: a change of is_public or metadata costs no call to the embedding
// provider, cannot fail on one, and does not rewrite the text columns
// (whose write migrations/012 would take for an edit of the text).
constexpr std::string_view kUpdateOtherColumns =
    "UPDATE public.knowledge_base AS kb"
    "   SET category = CASE WHEN $3::boolean THEN $4::text ELSE kb.category END,"
    "       is_public = coalesce($5::boolean, kb.is_public),"
    "       metadata = coalesce($6::jsonb, kb.metadata)";
constexpr std::string_view kUpdateWhere =
    " WHERE kb.id = $1::uuid"
    "   AND kb.updated_at IS NOT DISTINCT FROM nullif($2::text, '')::timestamptz"
    " RETURNING " CSCX_ARTICLE_JSON("kb");
#undef CSCX_ARTICLE_JSON
const std::string kUpdateFields = std::string(kUpdateOtherColumns) + std::string(kUpdateWhere);
const std::string kUpdateArticle =
    std::string(kUpdateOtherColumns) +
    ", title = $7::text, content = $8::text,"
    "  tags = CASE WHEN $9::jsonb IS NULL THEN NULL"
    "              ELSE ARRAY(SELECT jsonb_array_elements_text($9::jsonb)) END,"
    "  embedding = $10::real[]" +
    std::string(kUpdateWhere);

constexpr const char* kDeleteArticle =
    "DELETE FROM public.knowledge_base kb WHERE kb.id = $1::uuid"
    " RETURNING json_build_object('id', kb.id, 'deleted', true)";

// Hybrid ranking, as the caller. $1 query text, $2 ANN candidate ids (most
// similar first), $3 their cosine similarities, $4 k, $5 how many full-text
// matches to rank, $6 whether the candidates came from a loaded index. Both candidate lists are joined to knowledge_base under
// RLS *before* they are ranked, so an invisible article takes no rank.
// Reciprocal rank fusion (Cormack et al., SIGIR 2009) with its usual
// constant 60: score = 1/(60 + vector rank) + 1/(60 + text rank), a missing
// side adding 0. The full-text expression is idx_kb_fulltext's (007).
// The search is one statement: an `ann` CTE (id, similarity, rank: the
// nearest neighbours the caller may read), then full text and the fusion
// (kSearchAfterAnn). $1 query text, $4 k, $5 full-text hits to rank, $6
// semantic; $2 and $3 are the ann CTE's.

// Candidates from the in-memory index: $2 their ids, $3 their similarities,
// nearest first; joined to the table, so RLS drops the hidden ones.
constexpr std::string_view kAnnFromIndex =
    "WITH ann AS ("
    "  SELECT a.id, a.similarity, row_number() OVER (ORDER BY a.ord) AS rank"
    "    FROM unnest($2::uuid[], $3::real[]) WITH ORDINALITY AS a(id, similarity, ord)"
    "    JOIN public.knowledge_base kb ON kb.id = a.id),";

// Candidates from pgvector (pgvector_search_statement): $2 the query vector
// as a real[] literal, $3 how many, $7 this server's embedder. The seed's
// ivfflat index (cosine) serves the ORDER BY ... LIMIT; RLS filters its
// rows, so a caller who may read few articles can get fewer than $3. Only
// vectors labelled with this server's embedder (migrations/012) take part:
// another embedder's are in another space.
std::string pgvector_ann(const std::string& schema) {
  const std::string distance =
      "kb.embedding OPERATOR(" + schema + ".<=>) CAST($2::real[] AS " + schema + ".vector)";
  return "WITH ann AS ("
         "  SELECT a.id, 1 - a.distance AS similarity,"
         "         row_number() OVER (ORDER BY a.distance, a.id) AS rank"
         "    FROM (SELECT kb.id, " + distance + " AS distance"
         "            FROM public.knowledge_base kb"
         "            JOIN cscx_knowledge.embedding_source s"
         "              ON s.article_id = kb.id AND s.embedder = $7::text"
         "           WHERE kb.embedding IS NOT NULL"
         "           ORDER BY " + distance + " LIMIT $3::integer) a),";
}

constexpr std::string_view kSearchAfterAnn =
    " q AS (SELECT websearch_to_tsquery('english'::regconfig, $1::text) AS query),"
    " text_hits AS ("
    "  SELECT kb.id,"
    "         ts_rank_cd(to_tsvector('english'::regconfig, kb.title || ' ' || kb.content),"
    "                    q.query) AS text_rank"
    "    FROM public.knowledge_base kb, q"
    "   WHERE to_tsvector('english'::regconfig, kb.title || ' ' || kb.content) @@ q.query"
    "   ORDER BY text_rank DESC, kb.id LIMIT $5::integer),"
    " text_ranked AS ("
    "  SELECT t.id, t.text_rank, row_number() OVER (ORDER BY t.text_rank DESC, t.id) AS rank"
    "    FROM text_hits t),"
    " fused AS ("
    "  SELECT coalesce(ann.id, t.id) AS id, ann.similarity, ann.rank AS vector_rank,"
    "         t.text_rank, t.rank AS text_position,"
    "         coalesce(1.0 / (60 + ann.rank), 0) + coalesce(1.0 / (60 + t.rank), 0) AS score"
    "    FROM ann FULL JOIN text_ranked t ON t.id = ann.id"
    "   ORDER BY score DESC, id LIMIT $4::integer)"
    " SELECT json_build_object("
    "   'query', $1::text, 'k', $4::integer, 'fusion', 'reciprocal_rank(60)',"
    "   'semantic', $6::boolean,"
    "   'results', coalesce(json_agg(json_build_object("
    "       'id', kb.id, 'title', kb.title, 'category', kb.category, 'tags', kb.tags,"
    "       'snippet', left(kb.content, 240),"
    "       'score', round(f.score, 6),"
    "       'vector', CASE WHEN f.vector_rank IS NULL THEN NULL ELSE json_build_object("
    "           'rank', f.vector_rank, 'similarity', round(f.similarity::numeric, 6)) END,"
    "       'text', CASE WHEN f.text_position IS NULL THEN NULL ELSE json_build_object("
    "           'rank', f.text_position, 'ts_rank', round(f.text_rank::numeric, 6)) END)"
    "     ORDER BY f.score DESC, kb.id), '[]'))"
    "   FROM fused f JOIN public.knowledge_base kb ON kb.id = f.id";

const std::string kIndexSearch = std::string(kAnnFromIndex) + std::string(kSearchAfterAnn);

// ivfflat reads 10 of its 100 lists per query (pgvector's default, 1, finds
// too few of the true neighbours); from pgvector 0.8 it also keeps reading
// lists until it has the LIMIT's rows that pass RLS (or has read them all),
// so a caller who may read few articles, or a small table whose lists were
// made before it had rows (the seed builds the index at migration time),
// still gets its nearest ones. Set for the search's transaction only. $1:
// whether the extension has iterative scans (before 0.8 the setting does
// not exist, and setting it under pgvector's reserved prefix would fail).
constexpr const char* kIvfflatSettings =
    "SELECT set_config('ivfflat.probes', '10', true),"
    "       CASE WHEN $1::boolean"
    "            THEN set_config('ivfflat.iterative_scan', 'relaxed_order', true) END";

std::vector<std::string> tags_from_json(std::string_view text) {
  std::vector<std::string> tags;
  boost::system::error_code ec;
  const json::value v = json::parse(text, ec);
  if (ec || !v.is_array()) return tags;
  for (const json::value& tag : v.as_array()) {
    if (tag.is_string()) tags.emplace_back(tag.as_string());
  }
  return tags;
}

db::Param tags_param(const std::optional<std::vector<std::string>>& tags) {
  if (!tags) return std::nullopt;
  json::array a;
  for (const std::string& tag : *tags) a.emplace_back(tag);
  return json::serialize(a);
}

db::Param bool_param(std::optional<bool> b) {
  if (!b) return std::nullopt;
  return std::string(*b ? "true" : "false");
}

Result<std::string> first_json(const std::vector<db::QueryResult>& results,
                               std::string_view not_found) {
  const db::QueryResult& last = results.back();
  if (last.rows() == 0 || last.is_null(0, 0)) {
    return make_error(Code::kNotFound, std::string(not_found));
  }
  return std::string(last.value(0, 0));
}

// The article's vector from the server's embedder. A provider failure
// keeps its class (embed_texts: kUnavailable, a 503 a retry may cure;
// kDependencyFailed, a 502 it will not) and names the provider (its detail
// goes to the log): the write is refused rather than stored without a
// vector or with one of another space.
asio::awaitable<Result<Embedding>> embed_for_write(const EmbeddingProviderConfig* provider,
                                                   std::string text) {
  std::vector<std::string> texts{std::move(text)};
  auto vectors = co_await embed_texts(provider, std::move(texts));
  if (!vectors) {
    co_return make_error(vectors.error().code,
                         "embedding provider failed: " + vectors.error().message +
                             "; nothing was written",
                         vectors.error().detail);
  }
  co_return std::move(vectors->front());
}

// Statements are built by the plain functions below and kept in named
// locals: GCC 12 mishandles braced temporaries inside co_await expressions
// (see src/auth/auth_service.cpp).
std::string new_article_text(const ArticleFields& f) {
  const std::vector<std::string> tags = f.tags.value_or(std::vector<std::string>{});
  return article_text(*f.title, *f.content, tags);
}

db::Statement declare_embedder(const EmbeddingProviderConfig* provider) {
  return db::Statement{"knowledge_declare_embedder", kDeclareEmbedder,
                       {embedder_name(provider)}};
}

db::Statement insert_statement(const ArticleFields& f, const Embedding& embedding) {
  return db::Statement{"knowledge_insert",
                       kInsertArticle,
                       {f.title, f.content, f.category, tags_param(f.tags),
                        bool_param(f.is_public), f.metadata_json, to_pg_array(embedding)}};
}

// An update's fields merged with the stored row (kReadForUpdate's): those
// not in the request keep their stored value.
struct MergedArticle {
  std::string title;
  std::string content;
  std::optional<std::vector<std::string>> tags;
};

std::optional<std::vector<std::string>> stored_tags(const db::QueryResult& row) {
  if (row.is_null(0, 2)) return std::nullopt;
  return tags_from_json(row.value(0, 2));
}

MergedArticle merge(const ArticleFields& f, const db::QueryResult& row) {
  MergedArticle m{f.title.value_or(std::string(row.value(0, 0))),
                  f.content.value_or(std::string(row.value(0, 1))), f.tags};
  if (!m.tags) m.tags = stored_tags(row);
  return m;
}

std::string merged_text(const MergedArticle& m) {
  return article_text(m.title, m.content, m.tags.value_or(std::vector<std::string>{}));
}

// Whether the update changes the article's text, which is all its vector
// depends on (embed_article() of article_text()). A stored vector that is
// not this server's embedder's is left as it is: only `cscx kb reindex`
// replaces another embedder's vectors (docs/knowledge.md, "Whose vectors").
bool text_changes(const MergedArticle& m, const db::QueryResult& row) {
  const std::vector<std::string> stored = stored_tags(row).value_or(std::vector<std::string>{});
  return merged_text(m) != article_text(row.value(0, 0), row.value(0, 1), stored);
}

// With `embedding`, the update stores it with the merged text; without,
// only the other columns change.
db::Statement update_statement(const std::string& id, const ArticleFields& f,
                               const MergedArticle& m, std::string version,
                               const std::optional<Embedding>& embedding) {
  std::vector<db::Param> params{id,
                                std::move(version),
                                bool_param(f.category.has_value() || f.clear_category),
                                f.category,
                                bool_param(f.is_public),
                                f.metadata_json};
  if (!embedding) return db::Statement{"knowledge_update_fields", kUpdateFields, std::move(params)};
  params.insert(params.end(), {m.title, m.content, tags_param(m.tags), to_pg_array(*embedding)});
  return db::Statement{"knowledge_update", kUpdateArticle, std::move(params)};
}

// The row's JSON (the statements' last result) and its id.
Result<WrittenArticle> written(const std::vector<db::QueryResult>& results,
                               std::optional<Embedding> embedding) {
  auto body = first_json(results, "article not written");
  if (!body) return body.error();
  boost::system::error_code ec;
  const json::value row = json::parse(*body, ec);
  if (ec || !row.is_object() || !row.as_object().contains("id") ||
      !row.as_object().at("id").is_string()) {
    return make_error(Code::kInternal, "the written article has no id");
  }
  std::string id(row.as_object().at("id").as_string());
  return WrittenArticle{std::move(*body), std::move(id), std::move(embedding)};
}

db::Statement id_statement(std::string_view name, const char* sql, const std::string& id) {
  return db::Statement{name, sql, {id}};
}

// How many ANN candidates a search for `k` results reads back: enough that
// hidden articles among them rarely leave fewer than k visible.
std::size_t candidate_count(int k) {
  return std::clamp<std::size_t>(static_cast<std::size_t>(k) * 5, 50, 250);
}

// `semantic`: whether `candidates` came from a loaded index.
db::Statement search_statement(const SearchRequest& request,
                               const std::vector<AnnHit>& candidates, bool semantic) {
  std::string ids = "{";
  std::string similarities = "{";
  for (const AnnHit& hit : candidates) {
    if (ids.size() > 1) {
      ids += ',';
      similarities += ',';
    }
    ids += hit.id;
    similarities += std::to_string(hit.similarity);
  }
  ids += '}';
  similarities += '}';
  return db::Statement{"knowledge_search",
                       kIndexSearch,
                       {request.query, ids, similarities, std::to_string(request.k),
                        std::to_string(candidate_count(request.k)),
                        std::string(semantic ? "true" : "false")}};
}

// The search with pgvector's nearest neighbours (IndexState::pgvector) of
// the query's vector `query`.
db::Statement pgvector_search_statement(const SearchRequest& request, const Embedding& query,
                                        const std::string& schema, std::string embedder) {
  return db::Statement{"knowledge_search_pgvector",
                       pgvector_ann(schema) + std::string(kSearchAfterAnn),
                       {request.query, to_pg_array(query), std::to_string(candidate_count(request.k)),
                        std::to_string(request.k), std::to_string(candidate_count(request.k)),
                        std::string("true"), std::move(embedder)}};
}

}  // namespace

asio::awaitable<Result<WrittenArticle>> create_article(db::Pool& pool,
                                                       const db::RequestIdentity& who,
                                                       const ArticleFields& f,
                                                       const EmbeddingProviderConfig* provider) {
  std::string text = new_article_text(f);
  auto embedding = co_await embed_for_write(provider, std::move(text));
  if (!embedding) co_return embedding.error();
  const db::Statement statements[] = {declare_embedder(provider),
                                      insert_statement(f, *embedding)};
  auto results = co_await pool.run_in_transaction(who, statements);
  if (!results) co_return results.error();
  co_return written(*results, std::move(*embedding));
}

asio::awaitable<Result<WrittenArticle>> update_article(db::Pool& pool,
                                                       const db::RequestIdentity& who,
                                                       const std::string& id,
                                                       const ArticleFields& f,
                                                       const EmbeddingProviderConfig* provider) {
  const db::Statement read = id_statement("knowledge_read_for_update", kReadForUpdate, id);
  const db::TransactionOptions options = db::kReadOnly;
  auto current = co_await pool.run_in_transaction(who, std::span(&read, 1), options);
  if (!current) co_return current.error();
  const db::QueryResult& row = current->back();
  if (row.rows() == 0) co_return make_error(Code::kNotFound, "article not found");

  const MergedArticle merged = merge(f, row);
  std::string version(row.value(0, 3));  // '' when updated_at is NULL
  std::optional<Embedding> embedding;
  if (text_changes(merged, row)) {
    std::string text = merged_text(merged);
    auto embedded = co_await embed_for_write(provider, std::move(text));
    if (!embedded) co_return embedded.error();
    embedding = std::move(*embedded);
  }
  std::vector<db::Statement> statements;
  if (embedding) statements.push_back(declare_embedder(provider));
  statements.push_back(update_statement(id, f, merged, std::move(version), embedding));
  auto results = co_await pool.run_in_transaction(who, statements);
  if (!results) co_return results.error();
  if (results->back().rows() == 0) {
    co_return make_error(Code::kConflict,
                         "the article changed while it was being updated; retry");
  }
  co_return written(*results, std::move(embedding));
}

asio::awaitable<Result<std::string>> delete_article(db::Pool& pool,
                                                    const db::RequestIdentity& who,
                                                    const std::string& id) {
  const db::Statement remove = id_statement("knowledge_delete", kDeleteArticle, id);
  auto results = co_await pool.run_in_transaction(who, std::span(&remove, 1));
  if (!results) co_return results.error();
  co_return first_json(*results, "article not found");
}

asio::awaitable<Result<std::string>> search_articles(db::Pool& pool,
                                                     const db::RequestIdentity& who,
                                                     const SearchRequest& request,
                                                     const AnnIndex& index,
                                                     const IndexState& state) {
  const db::TransactionOptions options = db::kReadOnly;
  // Before the first load finishes the index holds only what writes put in
  // since the start: no ranking to speak of. (With pgvector there is no
  // load: ready at once.)
  std::optional<Embedding> query;
  if (state.ready()) {
    // A provider's failure (logged there, rate-limited) leaves the search
    // to full text: never an error of the provider's.
    std::string text = request.query;
    auto vector = co_await embed_search_query(state.embedding_provider(), std::move(text));
    if (vector) query = std::move(*vector);
  }
  const bool semantic = query.has_value();
  // The zero vector (a query without a word) has no direction: the index
  // finds nothing for it, and pgvector's cosine distance to it is NaN.
  const bool directed =
      semantic && std::any_of(query->begin(), query->end(), [](float x) { return x != 0.0f; });
  if (const auto pgvector = state.pgvector(); pgvector && directed) {
    const db::Statement statements[] = {
        {"knowledge_ivfflat_settings",
         kIvfflatSettings,
         {std::string(pgvector->iterative_scan ? "true" : "false")}},
        pgvector_search_statement(request, *query, pgvector->schema,
                                  embedder_name(state.embedding_provider()))};
    auto results = co_await pool.run_in_transaction(who, statements, options);
    if (!results) co_return results.error();
    co_return first_json(*results, "no search result");
  }
  std::vector<AnnHit> candidates;
  if (semantic) candidates = index.search(*query, candidate_count(request.k));
  const db::Statement search = search_statement(request, candidates, semantic);
  auto results = co_await pool.run_in_transaction(who, std::span(&search, 1), options);
  if (!results) co_return results.error();
  co_return first_json(*results, "no search result");
}

}  // namespace cscx::knowledge
