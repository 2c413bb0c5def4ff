-- 007_knowledge: what knowledge search (issue 8, docs/knowledge.md) needs
-- from the database.
--
-- 1. A NOTIFY on channel `cscx_knowledge` whenever an article is inserted,
--    deleted, or its embedding changes; the payload is the article's id. The
--    server's in-memory HNSW index listens and re-reads that one row. A bulk
--    job (`cscx kb reindex`) sets cscx.knowledge_bulk = 'on' for its
--    transaction, which silences the per-row notices, and sends one
--    'rebuild' notice at the end instead.
-- 2. A GIN index on the English full-text vector of title and content, for
--    the full-text half of hybrid search. The search query must use the same
--    expression, character for character, for the planner to use it.
-- 3. Articles about one customer: metadata->>'customer_id' names it, and
--    then only that customer's CSM reads it (and only if it is public, as
--    every article). Without the key the seed's rule is unchanged:
--    authenticated users read public articles.

CREATE FUNCTION cscx.knowledge_base_notify() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('cscx.knowledge_bulk', true), '') = 'on' THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN
    PERFORM pg_notify('cscx_knowledge', OLD.id::text);
  ELSE
    PERFORM pg_notify('cscx_knowledge', NEW.id::text);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER knowledge_base_notify_change
  AFTER INSERT OR DELETE ON public.knowledge_base
  FOR EACH ROW EXECUTE FUNCTION cscx.knowledge_base_notify();

-- Counters (view_count, helpful_count) change often and do not move an
-- article in the index: only a new embedding, or a new id, does.
CREATE TRIGGER knowledge_base_notify_embedding
  AFTER UPDATE ON public.knowledge_base
  FOR EACH ROW
  WHEN (OLD.embedding IS DISTINCT FROM NEW.embedding OR OLD.id IS DISTINCT FROM NEW.id)
  EXECUTE FUNCTION cscx.knowledge_base_notify();

-- An id change is a delete of the old id as far as the index is concerned.
CREATE FUNCTION cscx.knowledge_base_notify_old_id() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF coalesce(current_setting('cscx.knowledge_bulk', true), '') <> 'on' THEN
    PERFORM pg_notify('cscx_knowledge', OLD.id::text);
  END IF;
  RETURN NULL;
END
$$;

CREATE TRIGGER knowledge_base_notify_old_id
  AFTER UPDATE OF id ON public.knowledge_base
  FOR EACH ROW
  WHEN (OLD.id IS DISTINCT FROM NEW.id)
  EXECUTE FUNCTION cscx.knowledge_base_notify_old_id();

CREATE INDEX idx_kb_fulltext ON public.knowledge_base
  USING GIN (to_tsvector('english'::regconfig, title || ' ' || content));

DROP POLICY knowledge_base_read_policy ON public.knowledge_base;
CREATE POLICY knowledge_base_read_policy ON public.knowledge_base
  FOR SELECT TO authenticated
  USING (
    is_public = true
    AND (NOT coalesce(metadata ? 'customer_id', false)
         OR EXISTS (SELECT 1 FROM public.customers c
                     WHERE c.id::text = knowledge_base.metadata->>'customer_id'
                       AND c.csm_id = (SELECT auth.uid()))));
