// The response's status line and header block, written by hand for speed,
// against what Beast's serializer writes for the same message (the way the
// server wrote responses before): byte for byte, over statuses, versions,
// keep-alive, HEAD, bodiless statuses and the handler's own headers.
#include <gtest/gtest.h>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <sstream>

#include "http/wire_internal.h"

namespace cscx::http::internal {
namespace {
namespace bhttp = boost::beast::http;

// The reference: the message as the server used to build it for Beast.
std::string beast_bytes(unsigned version, Response response, std::string_view request_id,
                        bool head_request, bool keep_alive) {
  bhttp::response<bhttp::string_body> res;
  res.version(version);
  res.result(response.status);
  for (auto& [name, value] : response.headers) {
    const bool reserved = boost::beast::iequals(name, "content-length") ||
                          boost::beast::iequals(name, "transfer-encoding") ||
                          boost::beast::iequals(name, "connection") ||
                          boost::beast::iequals(name, "x-request-id");
    const bool invalid = name.empty() || name.find_first_of(" :\r\n") != std::string::npos ||
                         value.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos;
    if (!reserved && !invalid) res.insert(name, value);
  }
  res.set("X-Request-Id", request_id);
  const unsigned status = response.status;
  if (status >= 200 && status != 204 && status != 304) {
    if (!response.content_type.empty()) res.set(bhttp::field::content_type, response.content_type);
    res.content_length(response.body.size());
    if (!head_request) res.body() = std::move(response.body);
  }
  res.keep_alive(keep_alive);
  std::ostringstream out;
  out << res;
  return out.str();
}

std::string our_bytes(unsigned version, const Response& response, std::string_view request_id,
                      bool head_request, bool keep_alive) {
  std::string out;
  const ResponseHead head =
      append_response_head(out, version, response, request_id, head_request, keep_alive);
  if (head.send_body) out += response.body;
  return out;
}

TEST(ResponseHead, MatchesBeastsSerializerByteForByte) {
  std::vector<Response> responses;
  responses.push_back(Response::json(200, R"([{"id":1}])"));
  responses.push_back(Response::json(404, R"({"code":"not_found"})"));
  responses.push_back(Response::json(201, ""));
  Response custom = Response::json(206, "partial");
  custom.headers = {{"Content-Range", "0-0/1"}, {"Preference-Applied", "return=minimal"},
                    {"Access-Control-Allow-Origin", "*"}, {"Vary", "Origin"}};
  responses.push_back(custom);
  Response typed = Response::json(200, "a,b\n1,2\n");
  typed.content_type = "text/csv; charset=utf-8";
  typed.headers = {{"content-type", "text/plain"}, {"X-Other", "1"}};  // replaced by ours
  responses.push_back(typed);
  Response untyped = Response::json(200, "raw");
  untyped.content_type.clear();
  untyped.headers = {{"Content-Type", "application/octet-stream"}};  // the handler's own stays
  responses.push_back(untyped);
  Response padded = Response::json(200, "{}");
  padded.headers = {{"Content-Range", "  0-0/1\t "}, {"X-Tab", "\ta\tb\t"}, {"X-Blank", "  "}};
  responses.push_back(padded);
  Response framing = Response::json(200, "{}");
  framing.headers = {{"Content-Length", "999"}, {"Connection", "close"},
                     {"Transfer-Encoding", "chunked"}, {"X-Request-Id", "theirs"}};
  responses.push_back(framing);
  for (unsigned status : {100u, 101u, 204u, 304u, 299u, 418u, 503u, 599u}) {
    Response r = Response::json(status, "ignored unless allowed");
    r.headers = {{"Retry-After", "1"}};
    responses.push_back(r);
  }

  for (const Response& response : responses) {
    for (unsigned version : {10u, 11u}) {
      for (bool head_request : {false, true}) {
        for (bool keep_alive : {false, true}) {
          SCOPED_TRACE(::testing::Message() << "status " << response.status << ", HTTP/"
                                            << version << (head_request ? ", HEAD" : "")
                                            << (keep_alive ? ", keep-alive" : ", close"));
          EXPECT_EQ(our_bytes(version, response, "req-1", head_request, keep_alive),
                    beast_bytes(version, response, "req-1", head_request, keep_alive));
        }
      }
    }
  }
}

TEST(ResponseHead, LeavesOutHeadersThatCouldBreakTheStream) {
  Response response = Response::json(200, "{}");
  response.headers = {{"X-Good", "yes"},
                      {"X-Split", "a\r\nSet-Cookie: injected=1"},
                      {"Bad Name", "x"},
                      {"", "empty name"},
                      {"X-Nul", std::string("a\0b", 3)},
                      {"X-Escape", "a\x1b[31mb"},
                      {"X-Del", "a\x7f"}};
  response.content_type = "text/plain\r\nX-Injected: 1";
  std::string out;
  const ResponseHead head = append_response_head(out, 11, response, "req-1", false, true);
  EXPECT_EQ(head.dropped,
            "dropped invalid content type; dropped invalid header; dropped invalid header; "
            "dropped invalid header; dropped invalid header; dropped invalid header; "
            "dropped invalid header");
  EXPECT_TRUE(head.send_body);
  EXPECT_EQ(out,
            "HTTP/1.1 200 OK\r\nX-Good: yes\r\nX-Request-Id: req-1\r\nContent-Length: 2\r\n\r\n");
}

}  // namespace
}  // namespace cscx::http::internal
