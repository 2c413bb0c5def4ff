// The coroutine half of http_request_fuzz: handlers and a live server.
// clang 14 cannot coverage-instrument coroutines, so this half is built
// with ASan/UBSan only (targets/http_request_fuzz.sh, plain_sources).
#pragma once

#include <cstddef>
#include <cstdint>

#include "http/router.h"
#include "http/server.h"

namespace cscx::fuzz {

// The limits the fuzzed parser and server use.
http::ServerOptions fuzz_server_options();

// Routes with exact, template and prefix patterns, for the synchronous stage.
const http::Router& fuzz_router();

// Writes `bytes` raw to a fresh connection of an in-process server (started
// on first use, alive for the whole run) and reads the answer to EOF; then
// aborts unless the server still answers GET /health with 200.
void exchange_with_server(const char* bytes, size_t size);

}  // namespace cscx::fuzz
