-- 011_knowledge_index_embedder: which embedder wrote the stored vectors
-- (docs/knowledge.md, "The embedding provider").
--
-- A server embeds with the built-in embedder (cscx-hash-v1) or, when
-- CSCX_EMBEDDING_* configure one, an OpenAI-compatible provider; vectors of
-- the two live in different spaces and must never share an index. `cscx kb
-- reindex` stores every article's vector from one embedder and records its
-- name here, in the same transaction; a server whose embedder is another
-- one does not trust the stored vectors (it embeds the text itself, or, with
-- a provider, leaves the row out) until a reindex with its settings. Every
-- vector stored before this migration came from the built-in embedder.
-- Like `generation`, only the owner can write it; service_role reads it.

ALTER TABLE cscx.knowledge_index
  ADD COLUMN embedder TEXT NOT NULL DEFAULT 'cscx-hash-v1';
