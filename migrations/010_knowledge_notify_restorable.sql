-- 010_knowledge_notify_restorable: 007's embedding trigger, with a WHEN
-- clause a backup can restore.
--
-- 007 compared `OLD.embedding IS DISTINCT FROM NEW.embedding`. With pgvector
-- (migration 002) the column is `vector`, and IS DISTINCT FROM uses the
-- type's `=` operator, which lives in the extension's schema. pg_dump cannot
-- schema-qualify the operator of IS DISTINCT FROM, and pg_restore runs with
-- an empty search_path, so `cscx restore` of such a database failed on this
-- trigger ("operator does not exist"). Compared as real[] (the cast is found
-- by its types, the array equality is pg_catalog's) it restores anywhere;
-- with real[] storage the cast is a no-op.
DROP TRIGGER knowledge_base_notify_embedding ON public.knowledge_base;

-- Counters (view_count, helpful_count) change often and do not move an
-- article in the index: only a new embedding, or a new id, does.
CREATE TRIGGER knowledge_base_notify_embedding
  AFTER UPDATE ON public.knowledge_base
  FOR EACH ROW
  WHEN (OLD.embedding::real[] IS DISTINCT FROM NEW.embedding::real[]
        OR OLD.id IS DISTINCT FROM NEW.id)
  EXECUTE FUNCTION cscx.knowledge_base_notify();
