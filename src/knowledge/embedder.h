// The knowledge base's built-in embedder: text -> a 1536-dimension unit
// vector (the width of the schema's `embedding` column), offline and
// deterministic, so the same text embeds the same way on every machine and
// after every restart.
//
// It is a feature-hashing bag of words, not a language model: Snowball-
// stemmed word unigrams and bigrams plus character trigrams of each word are
// hashed (with a sign bit, which keeps collisions unbiased) into the
// dimensions, weighted by 1 + ln(tf), and L2-normalised. Texts that share
// stems, phrases or word pieces come out close in cosine; the approximate
// index (ann_index.h) and the search route leave the rest to full-text
// ranking. Changing any of this changes every vector: bump kEmbedderVersion
// and run `cscx kb reindex`.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace cscx::knowledge {

inline constexpr std::size_t kEmbeddingDimensions = 1536;
inline constexpr std::string_view kEmbedderVersion = "cscx-hash-v1";

using Embedding = std::vector<float>;

// The embedding of `text` (any UTF-8; invalid bytes are treated as letters).
// kEmbeddingDimensions values with unit L2 norm, or all zeros when the text
// has no word. Thread-safe; about a microsecond per word.
Embedding embed_text(std::string_view text);

// The text an article embeds as, whichever embedder embeds it (this one or
// the optional provider, knowledge/embedding_provider.h): its title twice
// (titles are short and say what the article is about), then the content
// and the tags, one per line.
std::string article_text(std::string_view title, std::string_view content,
                         std::span<const std::string> tags = {});

// embed_text(article_text(title, content, tags)).
// An article's tags as SQL gives them with array_to_string(tags, E'\n'):
// one per line; none for an empty string (NULL or no tags). Readers of the
// table pass them to article_text() so that it composes the same text as a
// write through /api/knowledge.
std::vector<std::string> tags_from_lines(std::string_view lines);

Embedding embed_article(std::string_view title, std::string_view content,
                        std::span<const std::string> tags = {});

// The dot product; the cosine similarity of two embeddings.
float similarity(std::span<const float> a, std::span<const float> b);

// A PostgreSQL array literal ("{0.1,-0.02,...}") that round-trips every float.
std::string to_pg_array(std::span<const float> embedding);

// Parses a real[] value as PostgreSQL prints it (or a pgvector value,
// "[...]"). kInvalidArgument unless it holds exactly kEmbeddingDimensions
// numbers.
[[nodiscard]] Result<Embedding> parse_pg_array(std::string_view text);

}  // namespace cscx::knowledge
