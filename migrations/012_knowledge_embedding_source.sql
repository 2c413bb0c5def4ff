-- 012_knowledge_embedding_source: which embedder made each stored vector
-- (docs/knowledge.md, "Whose vectors").
--
-- 011 recorded one embedder for the whole table, set by `cscx kb reindex`.
-- That cannot see a vector written after the reindex by a server with other
-- settings (two servers, or one restarted without CSCX_EMBEDDING_*): the
-- label still named the reindex's embedder while the row held another
-- space's vector, and the index mixed them. Now every stored vector has its
-- own label, and a server uses a stored vector only when the label names its
-- own embedder.
--
-- A writer declares the embedder it used by setting `cscx.embedder` in its
-- transaction (set_config(..., true)), as the write routes, `cscx kb
-- reindex` and the index sync do. The triggers below keep the labels, so no
-- request role writes them, and the table of the seed (public.knowledge_base)
-- keeps exactly the seed's columns:
--  - a vector written with a declaration gets that label;
--  - a vector written without one (SQL, /rest/v1) has none: its space is
--    unknown, so no server uses it (it is kept: `cscx kb reindex` replaces it);
--  - a title, content or tags changed without a new vector (SQL, /rest/v1)
--    makes the stored vector stale: it is set NULL, which tells the servers
--    to embed the new text (migrations/007's notice fires);
--  - a deleted article's label goes with it (the foreign key), and an id
--    that changes takes its label along.
-- Every vector stored before this migration came from the embedder 011
-- recorded.

CREATE SCHEMA cscx_knowledge;
REVOKE ALL ON SCHEMA cscx_knowledge FROM PUBLIC;
GRANT USAGE ON SCHEMA cscx_knowledge TO anon, authenticated, service_role;

CREATE TABLE cscx_knowledge.embedding_source (
  article_id UUID PRIMARY KEY
    REFERENCES public.knowledge_base(id) ON DELETE CASCADE ON UPDATE CASCADE,
  embedder TEXT NOT NULL
);

INSERT INTO cscx_knowledge.embedding_source (article_id, embedder)
SELECT kb.id, (SELECT embedder FROM cscx.knowledge_index)
  FROM public.knowledge_base kb WHERE kb.embedding IS NOT NULL;

-- Read by the search as the caller, anon included (pgvector keeps only the
-- server's embedder's vectors), so a caller sees the labels of the articles
-- it may read and no others; service_role (the index sync) reads all. Nobody but
-- the owner (the triggers) writes.
ALTER TABLE cscx_knowledge.embedding_source ENABLE ROW LEVEL SECURITY;
REVOKE ALL ON TABLE cscx_knowledge.embedding_source
  FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON TABLE cscx_knowledge.embedding_source TO anon, authenticated, service_role;
CREATE POLICY embedding_source_read ON cscx_knowledge.embedding_source
  FOR SELECT TO anon, authenticated
  USING (EXISTS (SELECT 1 FROM public.knowledge_base kb WHERE kb.id = article_id));
CREATE POLICY embedding_source_service ON cscx_knowledge.embedding_source
  FOR SELECT TO service_role USING (true);

-- BEFORE UPDATE: a text changed under an unchanged vector, by a writer that
-- declared no embedder, leaves that vector stale.
CREATE FUNCTION cscx_knowledge.drop_stale_embedding() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  IF coalesce(current_setting('cscx.embedder', true), '') = ''
     AND NEW.embedding IS NOT NULL
     AND NEW.embedding::real[] IS NOT DISTINCT FROM OLD.embedding::real[]
     AND (NEW.title IS DISTINCT FROM OLD.title
          OR NEW.content IS DISTINCT FROM OLD.content
          OR NEW.tags IS DISTINCT FROM OLD.tags) THEN
    NEW.embedding := NULL;
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER knowledge_base_drop_stale_embedding
  BEFORE UPDATE OF title, content, tags ON public.knowledge_base
  FOR EACH ROW EXECUTE FUNCTION cscx_knowledge.drop_stale_embedding();

-- AFTER: the label of the vector the row now holds. SECURITY DEFINER: the
-- writer (any role allowed to write knowledge_base) cannot write the labels.
CREATE FUNCTION cscx_knowledge.label_embedding() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  declared TEXT := nullif(current_setting('cscx.embedder', true), '');
BEGIN
  IF NEW.embedding IS NOT NULL AND declared IS NOT NULL THEN
    INSERT INTO cscx_knowledge.embedding_source AS s (article_id, embedder)
    VALUES (NEW.id, declared)
    ON CONFLICT (article_id) DO UPDATE SET embedder = EXCLUDED.embedder
      WHERE s.embedder IS DISTINCT FROM EXCLUDED.embedder;
  ELSIF TG_OP = 'UPDATE' THEN
    DELETE FROM cscx_knowledge.embedding_source WHERE article_id = NEW.id;
  END IF;
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION cscx_knowledge.label_embedding() FROM PUBLIC;

-- An insert without a declaration has no label to write (and a restore's
-- COPY of knowledge_base, which declares nothing, must not touch the labels
-- it restores next).
CREATE TRIGGER knowledge_base_label_new_embedding
  AFTER INSERT ON public.knowledge_base
  FOR EACH ROW
  WHEN (NEW.embedding IS NOT NULL
        AND coalesce(current_setting('cscx.embedder', true), '') <> '')
  EXECUTE FUNCTION cscx_knowledge.label_embedding();

CREATE TRIGGER knowledge_base_label_embedding
  AFTER UPDATE ON public.knowledge_base
  FOR EACH ROW
  WHEN (OLD.embedding::real[] IS DISTINCT FROM NEW.embedding::real[]
        OR coalesce(current_setting('cscx.embedder', true), '') <> '')
  EXECUTE FUNCTION cscx_knowledge.label_embedding();
