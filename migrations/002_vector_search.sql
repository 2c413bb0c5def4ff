-- 002_vector_search: the seed's 002 when pgvector is available, a real[]
-- column of the same width otherwise. See docs/schema.md ("Embedding storage").
--
-- Statements that name the vector type run through EXECUTE, so this file
-- parses and runs on servers without the extension. The type and operator
-- class are qualified with the extension's schema (on Supabase it usually
-- lives in `extensions`, which need not be on the search_path).

DO $$
DECLARE
  vec_schema text;
  use_pgvector boolean := false;
BEGIN
  IF EXISTS (SELECT 1 FROM pg_catalog.pg_available_extensions WHERE name = 'vector') THEN
    -- Enable pgvector extension. It is not a trusted extension: a role that
    -- is not a superuser (the owner of a self-hosted database) may not
    -- create it, and then the column is real[] as without pgvector.
    BEGIN
      CREATE EXTENSION IF NOT EXISTS vector;
      use_pgvector := true;
    EXCEPTION WHEN insufficient_privilege THEN
      RAISE NOTICE 'pgvector is installed but this role may not create the extension: embeddings are real[]';
    END;
  END IF;

  IF use_pgvector THEN
    SELECT n.nspname INTO STRICT vec_schema
      FROM pg_catalog.pg_extension e
      JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
     WHERE e.extname = 'vector';

    -- Add embedding column to knowledge_base
    EXECUTE format('ALTER TABLE public.knowledge_base ADD COLUMN IF NOT EXISTS embedding %I.vector(1536)',
                   vec_schema);

    -- Create index for similarity search
    EXECUTE format('CREATE INDEX IF NOT EXISTS idx_kb_embedding ON public.knowledge_base '
                   'USING ivfflat (embedding %I.vector_cosine_ops) WITH (lists = 100)',
                   vec_schema);

    INSERT INTO cscx.settings (key, value) VALUES ('embedding_storage', 'pgvector')
    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = NOW();
  ELSE
    ALTER TABLE public.knowledge_base ADD COLUMN IF NOT EXISTS embedding real[];

    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint
                    WHERE conrelid = 'public.knowledge_base'::regclass
                      AND conname = 'knowledge_base_embedding_dims') THEN
      ALTER TABLE public.knowledge_base ADD CONSTRAINT knowledge_base_embedding_dims
        CHECK (embedding IS NULL OR (array_ndims(embedding) = 1 AND cardinality(embedding) = 1536));
    END IF;

    INSERT INTO cscx.settings (key, value) VALUES ('embedding_storage', 'real[]')
    ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = NOW();
  END IF;
END
$$;
