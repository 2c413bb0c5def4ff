# Sourced by run_fuzzer.sh: the sources and libraries of transcript_fuzz, and its seeds.
sources=("$src/tests/fuzz/transcript_fuzz.cpp" "$src/src/core/error.cpp")
# The analyser only (cscx_meetings): the route and store files need libpq
# and Asio, and transcript_document.cpp the contract parser's PDF/DOCX reader
# (fuzzed by the contract targets); none is what this target fuzzes.
for f in "$src"/src/meetings/*.cpp; do
  case $(basename "$f") in
    transcript_routes.cpp | transcript_store.cpp | meeting_routes.cpp | transcript_document.cpp) continue ;;
  esac
  sources+=("$f")
done
libs=(-lboost_json -lutf8proc -lstemmer -lfmt -lcrypto)
seed() {
  # The dev-set transcripts (every format) and a few edge cases.
  cp "$src"/tests/data/transcripts/*.txt "$src"/tests/data/transcripts/*.vtt \
     "$src"/tests/data/transcripts/*.srt "$1"/ 2>/dev/null || true
  printf 'WEBVTT\n\n00:00.000 --> 00:01.000\n<v A>I will send it by Friday the 14th.</v>\n' >"$1/seed_vtt"
  printf '[00:00:01] A: oh great, another outage\n(00:02) B: not happy' >"$1/seed_ts"
}
