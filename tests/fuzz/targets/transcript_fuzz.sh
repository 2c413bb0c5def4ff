# Sourced by run_fuzzer.sh: the sources and libraries of transcript_fuzz, and its seeds.
# The analyser only: the .cpp files of cscx_meetings, as tests/CMakeLists.txt
# lists them (routes, store and the PDF/DOCX adapter are cscx_meeting_routes,
# which needs libpq, Asio and the contract parser).
mapfile -t sources <"$build/fuzz/cscx_meetings.sources"
sources+=("$src/tests/fuzz/transcript_fuzz.cpp" "$src/src/core/error.cpp")
libs=(-lboost_json -lutf8proc -lstemmer -lfmt -lcrypto)
seed() {
  # The dev-set transcripts (every format) and a few edge cases.
  cp "$src"/tests/data/transcripts/*.txt "$src"/tests/data/transcripts/*.vtt \
     "$src"/tests/data/transcripts/*.srt "$1"/ 2>/dev/null || true
  printf 'WEBVTT\n\n00:00.000 --> 00:01.000\n<v A>I will send it by Friday the 14th.</v>\n' >"$1/seed_vtt"
  printf '[00:00:01] A: oh great, another outage\n(00:02) B: not happy' >"$1/seed_ts"
}
