# Sourced by run_fuzzer.sh: the /rest/v1 query parser and SQL compiler.
sources=("$src/tests/fuzz/rest_query_fuzz.cpp" "$src/src/rest/query_parser.cpp"
         "$src/src/rest/sql_compiler.cpp" "$src/src/rest/sql_writes.cpp"
         "$src/src/rest/schema_cache.cpp" "$src/src/core/error.cpp"
         "$src/src/db/connection.cpp" "$src/src/db/sqlstate.cpp")
libs=(-lboost_json -lpq)
cflags=(-isystem /usr/include/postgresql)
seed() {
  printf 'select=id,name,stakeholders(name)&name=eq.x&or=(name.eq.a,and(id.is.null,name.in.("a,b",c)))' >"$1/seed1"
  printf 'select=a:name,metadata->>k::text&order=name.desc.nullslast&limit=1&offset=2' >"$1/seed2"
  printf 'stakeholders.name=like(any).{a*,b}&select=*,stakeholders!inner(*)&stakeholders.order=name' >"$1/seed3"
  printf 'name=fts(english).a%%20%%26%%20b&not.or=(name.neq.x)' >"$1/seed4"
}
