#include "contracts/contract_routes.h"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cctype>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "api/route_support.h"
#include "contracts/contract_parser.h"
#include "contracts/contract_store.h"
#include "core/text.h"
#include "llm/llm_assist.h"

namespace cscx::contracts {
namespace asio = boost::asio;
namespace json = boost::json;
using http::Request;
using http::RequestLog;
using http::Response;

namespace {

using api::invalid;
using api::is_uuid;
using api::media_type;
using api::query_value;

constexpr std::size_t kMaxFormParts = 16;
constexpr std::size_t kMaxPartHeaderBytes = 8 * 1024;
constexpr std::size_t kMaxBoundary = 70;  // RFC 2046 section 5.1.1
constexpr std::size_t kMaxFileName = 255;

// What the route hands on: the document and what to do with it.
struct ParseRequest {
  std::optional<std::string> owned;  // decoded from JSON or base64
  std::string_view borrowed;         // else a view into Request::body
  bool commit = false;
  CommitOptions options;

  std::string_view bytes() const { return owned ? std::string_view(*owned) : borrowed; }
};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// The `key=value` parameters after the first ';' of a header value (media
// type or Content-Disposition), keys lower-cased, quoted strings unquoted
// (RFC 9110 section 5.6.4).
std::vector<std::pair<std::string, std::string>> header_params(std::string_view value) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t i = value.find(';');
  while (i != std::string_view::npos && i < value.size()) {
    ++i;  // past ';'
    const std::size_t eq = value.find('=', i);
    const std::size_t semi = value.find(';', i);
    if (eq == std::string_view::npos || (semi != std::string_view::npos && semi < eq)) {
      i = semi;
      continue;
    }
    std::string key = lower(core::trim_blanks(value.substr(i, eq - i)));
    std::size_t j = eq + 1;
    while (j < value.size() && (value[j] == ' ' || value[j] == '\t')) ++j;
    std::string val;
    if (j < value.size() && value[j] == '"') {
      for (++j; j < value.size() && value[j] != '"'; ++j) {
        if (value[j] == '\\' && j + 1 < value.size()) ++j;
        val += value[j];
      }
      i = value.find(';', j);
    } else {
      const std::size_t end = value.find(';', j);
      val = std::string(core::trim_blanks(
          value.substr(j, end == std::string_view::npos ? end : end - j)));
      i = end;
    }
    out.emplace_back(std::move(key), std::move(val));
  }
  return out;
}

std::optional<std::string> param(std::string_view header_value, std::string_view key) {
  for (auto& [k, v] : header_params(header_value)) {
    if (k == key) return v;
  }
  return std::nullopt;
}

Result<bool> read_flag(std::string_view field, std::string_view value) {
  if (value == "true") return true;
  if (value == "false") return false;
  return invalid(std::string(field) + " must be true or false");
}

// The last path component, without control characters, at most 255 bytes
// (cut on a UTF-8 character boundary); nullopt when nothing is left.
std::optional<std::string> clean_file_name(std::string_view name) {
  const std::size_t slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  std::string out;
  for (char c : name) {
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F) out += c;
  }
  if (out.size() > kMaxFileName) {
    std::size_t cut = kMaxFileName;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out.resize(cut);
  }
  if (core::trim_blanks(out).empty()) return std::nullopt;
  return out;
}

Result<void> read_csm_id(std::string_view value, ParseRequest& out) {
  if (!is_uuid(value)) return invalid("csm_id must be a uuid");
  out.options.csm_id = lower(value);
  return ok();
}

// RFC 4648 base64 (standard alphabet); whitespace is skipped (MIME wraps
// lines), padding is optional.
std::optional<std::string> decode_base64(std::string_view in) {
  std::string out;
  out.reserve(in.size() / 4 * 3);
  unsigned buffer = 0;
  int bits = 0;
  bool padding = false;
  for (char c : in) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+') v = 62;
    else if (c == '/') v = 63;
    else if (c == '=') { padding = true; continue; }
    else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') continue;
    else return std::nullopt;
    if (padding) return std::nullopt;  // data after '='
    buffer = (buffer << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((buffer >> bits) & 0xFF);
    }
  }
  if (bits >= 6) return std::nullopt;  // a lone trailing character
  return out;
}

// {"text" | "content_base64", "commit"?, "file_name"?, "csm_id"?}
Result<void> read_json_body(const Request& request, ParseRequest& out) {
  auto body = api::json_object_body(request);
  if (!body) return body.error();
  bool has_document = false;
  for (const auto& [key, value] : *body) {
    if (key == "text" || key == "content_base64") {
      if (has_document) return invalid("give either text or content_base64, not both");
      if (!value.is_string()) return invalid(std::string(key) + " must be a string");
      has_document = true;
      if (key == "text") {
        out.owned = std::string(value.as_string());
      } else {
        out.owned = decode_base64(value.as_string());
        if (!out.owned) return invalid("content_base64 is not valid base64");
      }
    } else if (key == "commit") {
      if (!value.is_bool()) return invalid("commit must be true or false");
      out.commit = value.as_bool();
    } else if (key == "file_name") {
      if (value.is_null()) continue;
      if (!value.is_string()) return invalid("file_name must be a string");
      out.options.file_name = clean_file_name(value.as_string());
    } else if (key == "csm_id") {
      if (value.is_null()) continue;
      if (!value.is_string()) return invalid("csm_id must be a uuid");
      auto read = read_csm_id(value.as_string(), out);
      if (!read) return read.error();
    } else {
      return invalid("unknown field '" + std::string(key.substr(0, 64)) +
                     "' (expected text, content_base64, commit, file_name, csm_id)");
    }
  }
  if (!has_document) return invalid("text or content_base64 is required");
  return ok();
}

struct FormPart {
  std::string name;
  std::optional<std::string> filename;
  std::string_view content;
};

Result<FormPart> read_part_headers(std::string_view headers) {
  FormPart part;
  bool has_disposition = false;
  while (!headers.empty()) {
    const std::size_t eol = headers.find("\r\n");
    const std::string_view line = headers.substr(0, eol);
    headers = eol == std::string_view::npos ? std::string_view() : headers.substr(eol + 2);
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return invalid("malformed multipart part header");
    if (lower(core::trim_blanks(line.substr(0, colon))) != "content-disposition") continue;
    const std::string_view value = core::trim_blanks(line.substr(colon + 1));
    if (media_type(value) != "form-data") {
      return invalid("multipart part is not form-data");
    }
    has_disposition = true;
    part.name = param(value, "name").value_or("");
    part.filename = param(value, "filename");
  }
  if (!has_disposition || part.name.empty()) {
    return invalid("multipart part has no Content-Disposition name");
  }
  return part;
}

// multipart/form-data (RFC 7578 over RFC 2046 section 5.1.1): parts between
// CRLF "--boundary" lines, the last one closed by "--boundary--". Contents
// are views into `body`.
Result<std::vector<FormPart>> read_form_parts(std::string_view body,
                                              std::string_view boundary) {
  const std::string dash = "--" + std::string(boundary);
  const std::string delimiter = "\r\n" + dash;
  std::size_t pos;
  if (body.substr(0, dash.size()) == dash) {
    pos = dash.size();
  } else {
    pos = body.find(delimiter);
    if (pos == std::string_view::npos) return invalid("multipart body has no boundary line");
    pos += delimiter.size();
  }
  std::vector<FormPart> parts;
  for (;;) {
    if (body.substr(pos, 2) == "--") return parts;  // the close delimiter
    while (pos < body.size() && (body[pos] == ' ' || body[pos] == '\t')) ++pos;
    if (body.substr(pos, 2) != "\r\n") return invalid("malformed multipart boundary line");
    pos += 2;
    std::string_view headers;
    std::size_t content_start;
    if (body.substr(pos, 2) == "\r\n") {
      content_start = pos + 2;
    } else {
      const std::size_t end = body.find("\r\n\r\n", pos);
      if (end == std::string_view::npos || end - pos > kMaxPartHeaderBytes) {
        return invalid("malformed multipart part headers");
      }
      headers = body.substr(pos, end - pos);
      content_start = end + 4;
    }
    const std::size_t next = body.find(delimiter, content_start);
    if (next == std::string_view::npos) return invalid("multipart body is not terminated");
    auto part = read_part_headers(headers);
    if (!part) return part.error();
    part->content = body.substr(content_start, next - content_start);
    parts.push_back(std::move(*part));
    if (parts.size() > kMaxFormParts) return invalid("multipart body has too many parts");
    pos = next + delimiter.size();
  }
}

Result<void> read_multipart_body(const Request& request, std::string_view content_type,
                                 ParseRequest& out) {
  const auto boundary = param(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > kMaxBoundary) {
    return invalid("multipart/form-data needs a boundary of 1 to 70 characters");
  }
  auto parts = read_form_parts(request.body, *boundary);
  if (!parts) return parts.error();
  bool has_file = false;
  for (const FormPart& part : *parts) {
    if (part.name == "file") {
      if (has_file) return invalid("multipart body has more than one 'file' part");
      has_file = true;
      out.borrowed = part.content;
      if (part.filename && !out.options.file_name) {
        out.options.file_name = clean_file_name(*part.filename);
      }
    } else if (part.name == "commit") {
      auto flag = read_flag("commit", core::trim_blanks(part.content));
      if (!flag) return flag.error();
      out.commit = *flag;
    } else if (part.name == "file_name") {
      out.options.file_name = clean_file_name(part.content);
    } else if (part.name == "csm_id") {
      auto read = read_csm_id(core::trim_blanks(part.content), out);
      if (!read) return read.error();
    } else {
      return invalid("unknown multipart field '" + part.name.substr(0, 64) +
                     "' (expected file, commit, file_name, csm_id)");
    }
  }
  if (!has_file) return invalid("multipart body has no 'file' part");
  return ok();
}

// Text types include the caption formats, read as the text they are, so
// one upload path takes every file a user has (issue 6: text, PDF, DOCX,
// VTT and SRT); the bytes, not the type, decide how a file is read.
bool is_document_type(std::string_view type) {
  return type.empty() || type == "text/plain" || type == "text/vtt" ||
         type == "application/x-subrip" || type == "application/pdf" ||
         type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document" ||
         type == "application/octet-stream";
}

// Validates the request into a ParseRequest; the first problem found is the
// error, naming its field. No parsing or SQL has run yet.
Result<ParseRequest> read_parse_request(const Request& request) {
  ParseRequest out;
  if (auto commit = query_value(request.query, "commit")) {
    auto flag = read_flag("commit", *commit);
    if (!flag) return flag.error();
    out.commit = *flag;
  }
  if (auto name = query_value(request.query, "file_name")) {
    out.options.file_name = clean_file_name(*name);
  }
  if (auto csm = query_value(request.query, "csm_id")) {
    auto read = read_csm_id(*csm, out);
    if (!read) return read.error();
  }

  const std::string_view content_type = request.header("content-type").value_or("");
  const std::string type = media_type(content_type);
  if (type == "application/json") {
    auto read = read_json_body(request, out);
    if (!read) return read.error();
  } else if (type == "multipart/form-data") {
    auto read = read_multipart_body(request, content_type, out);
    if (!read) return read.error();
  } else if (is_document_type(type)) {
    out.borrowed = request.body;
  } else {
    return invalid(
        "Content-Type must be application/json, multipart/form-data, text/plain, "
        "text/vtt, application/x-subrip, application/pdf or the DOCX type");
  }

  // Checked here so an oversized document costs no parsing.
  const std::size_t limit = ParseLimits{}.max_bytes;
  if (out.bytes().size() > limit) {
    return make_error(Code::kPayloadTooLarge,
                      "the document is larger than " + std::to_string(limit) + " bytes");
  }
  if (out.bytes().find_first_not_of(" \t\r\n\f\v") == std::string_view::npos) {
    return invalid("the document is empty (text or file is required)");
  }
  return out;
}

std::string extraction_body(const ContractExtraction& extraction) {
  return json::serialize(json::object{{"extraction", to_json(extraction)}});
}

}  // namespace

void add_contract_routes(http::Router& router, const api::RouteContext& context) {
  // Read once: the provider is configured for the life of the server. A
  // bad CSCX_LLM_URL already stopped `cscx serve` at start (server_app).
  auto configured = llm::llm_config_from_env();
  std::optional<llm::LlmConfig> llm_config = configured ? *configured : std::nullopt;
  router.add(
      "POST", "/api/contracts/parse", "/api/contracts/parse",
      [context, llm_config](const Request& request,
                RequestLog& log) -> asio::awaitable<Result<Response>> {
        // The anon key is public; parsing costs CPU and committing writes, so
        // both need a signed-in user or the service role.
        auto caller = api::authenticate_user(context, request, log, "parse contracts");
        if (!caller) co_return caller.error();
        auto parse = read_parse_request(request);
        if (!parse) co_return parse.error();
        if (parse->options.csm_id && !caller->is_service_role()) {
          co_return make_error(Code::kPermissionDenied,
                               "only the service role may choose csm_id");
        }
        // Runs on this connection's thread: a 25 MiB document takes about a
        // second (docs/contracts.md, "HTTP API").
        auto extraction = parse_contract(parse->bytes());
        if (!extraction) co_return extraction.error();
        // Asynchronous on this executor; never fails (docs/llm.md).
        co_await llm::refine_contract(llm_config, *extraction);
        if (!parse->commit) co_return Response::json(200, extraction_body(*extraction));

        auto body =
            co_await commit_contract(context.pool, caller->who, *extraction, parse->options);
        if (!body) co_return body.error();
        co_return Response::json(201, std::move(*body));
      });
}

}  // namespace cscx::contracts
