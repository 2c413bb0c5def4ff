-- 009_knowledge_index_generation: a full rebuild of the servers' knowledge
-- index only when the owner asked for one (docs/knowledge.md).
--
-- 007 has `cscx kb reindex` send NOTIFY cscx_knowledge, 'rebuild', and every
-- running server reloaded all articles on it. NOTIFY needs no privilege, so
-- any role with a login could send that notice and make every server rebuild
-- its whole index (minutes of CPU at 100,000 articles), as often as it
-- liked. From here the notice is only a hint: a server rebuilds only when
-- `generation` below differs from the one it last loaded, and only the
-- table's owner (the role that runs the migrations and `cscx kb reindex`)
-- can change it. The request roles may read it (service_role: the server's
-- index loader reads as service_role); none may write it, and /rest/v1 does
-- not reach it (only the public schema is exposed there).

CREATE TABLE cscx.knowledge_index (
  -- One row: the primary key admits only true.
  singleton BOOLEAN PRIMARY KEY DEFAULT true CHECK (singleton),
  generation BIGINT NOT NULL DEFAULT 1,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
INSERT INTO cscx.knowledge_index DEFAULT VALUES;

REVOKE ALL ON TABLE cscx.knowledge_index FROM PUBLIC, anon, authenticated, service_role;
GRANT SELECT ON TABLE cscx.knowledge_index TO service_role;
