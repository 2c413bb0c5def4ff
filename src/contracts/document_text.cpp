#include "contracts/document_text.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <mutex>

#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>
#include <pugixml.hpp>
#include <utf8proc.h>
#include <zip.h>

namespace cscx::contracts {

std::string_view format_name(DocumentFormat format) {
  switch (format) {
    case DocumentFormat::kText:
      return "text";
    case DocumentFormat::kPdf:
      return "pdf";
    case DocumentFormat::kDocx:
      return "docx";
  }
  return "text";
}

namespace {

bool starts_with_zip_magic(std::string_view b) {
  return b.size() >= 4 && b.substr(0, 4) == std::string_view("PK\x03\x04", 4);
}

// Looks for the central-directory name rather than opening the archive, so
// detection stays cheap; extraction checks the archive properly.
bool zip_names_document_xml(std::string_view b) {
  return b.find("word/document.xml") != std::string_view::npos;
}

}  // namespace

DocumentFormat detect_format(std::string_view bytes) {
  // Some producers put a few bytes (a BOM, whitespace) before the header; the
  // PDF spec lets readers look within the first KiB.
  if (bytes.substr(0, 1024).find("%PDF-") != std::string_view::npos) return DocumentFormat::kPdf;
  if (starts_with_zip_magic(bytes) && zip_names_document_xml(bytes)) return DocumentFormat::kDocx;
  return DocumentFormat::kText;
}

}  // namespace cscx::contracts

namespace cscx::contracts::internal {
namespace {

void append_utf8(char32_t cp, std::string& out) {
  utf8proc_uint8_t buf[4];
  auto n = utf8proc_encode_char(static_cast<utf8proc_int32_t>(cp), buf);
  out.append(reinterpret_cast<const char*>(buf), static_cast<std::size_t>(n));
}

// What a code point becomes before NFKC: ASCII stand-ins for typography
// that rules would otherwise have to spell twice. 0 drops it; -1 keeps it.
std::int32_t ascii_stand_in(std::int32_t cp) {
  switch (cp) {
    case 0x2018: case 0x2019: case 0x201A: case 0x201B: case 0x2032:
      return '\'';
    case 0x201C: case 0x201D: case 0x201E: case 0x201F: case 0x2033: case 0x00AB: case 0x00BB:
      return '"';
    case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014: case 0x2015: case 0x2212:
      return '-';
    case 0x00A0: case 0x2007: case 0x202F: case 0x3000:
      return ' ';
    case 0x2028: case 0x2029: case 0x0085:
      return '\n';
    case 0xFEFF: case 0x200B: case 0x200C: case 0x200D: case 0x00AD: case 0x2060:
      return 0;
    default:
      return -1;
  }
}

// NFKC of a run of non-ASCII text (already valid UTF-8).
void append_nfkc(std::string_view run, std::string& out) {
  utf8proc_uint8_t* mapped = nullptr;
  auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(run.data()),
                        static_cast<utf8proc_ssize_t>(run.size()), &mapped,
                        static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE |
                                                       UTF8PROC_COMPAT));
  if (n < 0) {
    out.append(run);
  } else {
    out.append(reinterpret_cast<const char*>(mapped), static_cast<std::size_t>(n));
  }
  std::free(mapped);
}

}  // namespace

void append_normalised(std::string_view in, std::string& out, std::size_t& repaired) {
  out.reserve(out.size() + in.size());
  std::string run;  // pending non-ASCII text, NFKC'd as one piece
  auto flush = [&] {
    if (run.empty()) return;
    append_nfkc(run, out);
    run.clear();
  };
  std::size_t i = 0;
  while (i < in.size()) {
    auto c = static_cast<unsigned char>(in[i]);
    // Fast path: a run of printable ASCII, newlines and tabs is copied as is.
    if ((c >= 0x20 && c < 0x7F) || c == '\n' || c == '\t') {
      flush();
      std::size_t j = i + 1;
      while (j < in.size()) {
        auto d = static_cast<unsigned char>(in[j]);
        if (!((d >= 0x20 && d < 0x7F) || d == '\n' || d == '\t')) break;
        ++j;
      }
      out.append(in.data() + i, j - i);
      i = j;
      continue;
    }
    if (c < 0x80) {
      flush();
      if (c == '\r') {
        out.push_back('\n');
        if (i + 1 < in.size() && in[i + 1] == '\n') ++i;
      } else if (c == '\n' || c == '\t' || c >= 0x20) {
        if (c == 0x7F) {
          out.push_back(' ');
        } else {
          out.push_back(static_cast<char>(c));
        }
      } else if (c == '\f' || c == '\v') {
        out.push_back('\n');
      } else {
        out.push_back(' ');
      }
      ++i;
      continue;
    }
    utf8proc_int32_t cp = -1;
    auto len = utf8proc_iterate(reinterpret_cast<const utf8proc_uint8_t*>(in.data() + i),
                                static_cast<utf8proc_ssize_t>(in.size() - i), &cp);
    if (len <= 0 || cp < 0) {
      ++repaired;
      append_utf8(0xFFFD, run);
      ++i;
      continue;
    }
    // A combining mark belongs to the base letter before it: pull an ASCII
    // base back into the run so NFKC can compose "e" + U+0301 into "é".
    if (run.empty() && !out.empty() && static_cast<unsigned char>(out.back()) < 0x80 &&
        utf8proc_get_property(cp)->combining_class != 0) {
      run.push_back(out.back());
      out.pop_back();
    }
    std::int32_t stand_in = ascii_stand_in(cp);
    if (stand_in >= 0) {
      flush();
      if (stand_in > 0) out.push_back(static_cast<char>(stand_in));
    } else if (utf8proc_category(cp) == UTF8PROC_CATEGORY_ZS) {
      flush();
      out.push_back(' ');
    } else if (utf8proc_category(cp) == UTF8PROC_CATEGORY_CC) {
      flush();
      out.push_back(' ');
    } else {
      run.append(in.data() + i, static_cast<std::size_t>(len));
    }
    i += static_cast<std::size_t>(len);
  }
  flush();
}

int DocumentText::page_of(std::size_t offset) const {
  auto it = std::upper_bound(page_starts.begin(), page_starts.end(), offset);
  return std::max<int>(1, static_cast<int>(it - page_starts.begin()));
}

namespace {

bool has_visible_text(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    return !(c == ' ' || c == '\n' || c == '\t');
  });
}

Error too_large(std::string what) {
  return make_error(Code::kPayloadTooLarge, std::move(what));
}

// UTF-16 text files (Windows "Unicode" exports) carry a BOM; turn them into
// UTF-8 so the rest of the pipeline sees one encoding.
std::string utf16_to_utf8(std::string_view b, bool big_endian) {
  std::string out;
  out.reserve(b.size());
  for (std::size_t i = 2; i + 1 < b.size(); i += 2) {
    auto lo = static_cast<unsigned char>(b[i]), hi = static_cast<unsigned char>(b[i + 1]);
    char32_t u = big_endian ? (char32_t(lo) << 8 | hi) : (char32_t(hi) << 8 | lo);
    if (u >= 0xD800 && u < 0xDC00 && i + 3 < b.size()) {
      auto lo2 = static_cast<unsigned char>(b[i + 2]), hi2 = static_cast<unsigned char>(b[i + 3]);
      char32_t u2 = big_endian ? (char32_t(lo2) << 8 | hi2) : (char32_t(hi2) << 8 | lo2);
      if (u2 >= 0xDC00 && u2 < 0xE000) {
        u = 0x10000 + ((u - 0xD800) << 10) + (u2 - 0xDC00);
        i += 2;
      } else {
        u = 0xFFFD;
      }
    } else if (u >= 0xD800 && u < 0xE000) {
      u = 0xFFFD;
    }
    append_utf8(u, out);
  }
  return out;
}

Result<DocumentText> extract_text(std::string_view bytes) {
  DocumentText doc;
  doc.format = DocumentFormat::kText;
  doc.page_starts.push_back(0);
  if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
      static_cast<unsigned char>(bytes[1]) == 0xFE) {
    append_normalised(utf16_to_utf8(bytes, false), doc.text, doc.repaired_bytes);
  } else if (bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0xFE &&
             static_cast<unsigned char>(bytes[1]) == 0xFF) {
    append_normalised(utf16_to_utf8(bytes, true), doc.text, doc.repaired_bytes);
  } else {
    append_normalised(bytes, doc.text, doc.repaired_bytes);
  }
  return doc;
}

void ignore_poppler_message(const std::string&, void*) {}

Result<DocumentText> extract_pdf(std::string_view bytes, const ParseLimits& limits) {
  static std::once_flag quiet;
  std::call_once(quiet, [] { poppler::set_debug_error_function(ignore_poppler_message, nullptr); });
  std::unique_ptr<poppler::document> pdf(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (!pdf) return make_error(Code::kInvalidArgument, "the PDF is damaged or unreadable");
  if (pdf->is_locked()) {
    return make_error(Code::kInvalidArgument,
                      "the PDF is encrypted: no extractable text");
  }
  int pages = pdf->pages();
  if (pages > limits.max_pages) {
    return too_large("the PDF has " + std::to_string(pages) + " pages; the limit is " +
                     std::to_string(limits.max_pages));
  }
  DocumentText doc;
  doc.format = DocumentFormat::kPdf;
  for (int i = 0; i < pages; ++i) {
    doc.page_starts.push_back(doc.text.size());
    std::unique_ptr<poppler::page> page(pdf->create_page(i));
    if (!page) continue;
    poppler::byte_array utf8 =
        page->text(poppler::rectf(), poppler::page::physical_layout).to_utf8();
    append_normalised(std::string_view(utf8.data(), utf8.size()), doc.text, doc.repaired_bytes);
    doc.text.append("\n\n");
    if (doc.text.size() > limits.max_text_bytes) {
      return too_large("the PDF's text is over the limit of " +
                       std::to_string(limits.max_text_bytes) + " bytes");
    }
  }
  if (doc.page_starts.empty()) doc.page_starts.push_back(0);
  if (!has_visible_text(doc.text)) {
    return make_error(Code::kInvalidArgument,
                      "the PDF has no extractable text (image-only or empty)");
  }
  return doc;
}

// Text of a DOCX body: paragraphs become lines, table rows become
// "cell | cell" lines, numbered or bulleted paragraphs get a "- " prefix.
class DocxWalker {
 public:
  DocxWalker(DocumentText& doc, std::size_t limit) : doc_(doc), limit_(limit) {}

  void block(const pugi::xml_node& node, int depth) {
    if (depth > 64 || over_) return;
    std::string_view name = node.name();
    if (name == "w:p") {
      std::string line;
      if (node.child("w:pPr").child("w:numPr")) line = "- ";
      inline_text(node, line, depth);
      emit(line);
    } else if (name == "w:tbl") {
      // A row becomes "| cell | cell |"; cells of several paragraphs (signature
      // tables) become as many lines, column by column, like two-column text.
      for (pugi::xml_node tr : node.children("w:tr")) {
        std::vector<std::vector<std::string>> cells;
        std::size_t height = 1;
        for (pugi::xml_node tc : tr.children("w:tc")) {
          cells.emplace_back();
          cell_paragraphs(tc, cells.back(), depth + 1);
          height = std::max(height, cells.back().size());
        }
        for (std::size_t k = 0; k < height; ++k) {
          std::string line = "|";
          for (std::size_t c = 0; c < cells.size(); ++c) {
            line += ' ';
            if (k < cells[c].size()) line += cells[c][k];
            line += " |";
          }
          emit(line);
        }
      }
      emit("");
    } else {
      for (pugi::xml_node child : node.children()) block(child, depth + 1);
    }
  }

  bool over() const { return over_; }

 private:
  void cell_paragraphs(const pugi::xml_node& node, std::vector<std::string>& out, int depth) {
    if (depth > 64) return;
    for (pugi::xml_node child : node.children()) {
      std::string_view name = child.name();
      if (name == "w:p") {
        std::string para;
        inline_text(child, para, depth);
        if (!para.empty()) out.push_back(std::move(para));
      } else {
        cell_paragraphs(child, out, depth + 1);
      }
    }
  }

  void inline_text(const pugi::xml_node& node, std::string& out, int depth) {
    if (depth > 64) return;
    for (pugi::xml_node child : node.children()) {
      std::string_view name = child.name();
      if (name == "w:t" || name == "w:delText") {
        if (name == "w:t") out += child.text().get();
      } else if (name == "w:tab") {
        out += '\t';
      } else if (name == "w:br" || name == "w:cr") {
        if (std::string_view(child.attribute("w:type").value()) == "page") {
          emit(out);
          out.clear();
          doc_.page_starts.push_back(doc_.text.size());
        } else {
          out += '\n';
        }
      } else if (name != "w:pPr" && name != "w:rPr" && name != "w:instrText") {
        inline_text(child, out, depth + 1);
      }
    }
  }

  void emit(std::string_view line) {
    append_normalised(line, doc_.text, doc_.repaired_bytes);
    doc_.text.push_back('\n');
    if (doc_.text.size() > limit_) over_ = true;
  }

  DocumentText& doc_;
  std::size_t limit_;
  bool over_ = false;
};

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct ZipFileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

Result<std::string> read_document_xml(std::string_view bytes, const ParseLimits& limits) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (source == nullptr) {
    zip_error_fini(&error);
    return make_error(Code::kInternal, "cannot read the DOCX archive");
  }
  std::unique_ptr<zip_t, ZipCloser> archive(zip_open_from_source(source, ZIP_RDONLY, &error));
  zip_error_fini(&error);
  if (!archive) {
    zip_source_free(source);
    return make_error(Code::kInvalidArgument, "the DOCX file is damaged (not a zip archive)");
  }
  zip_int64_t index = zip_name_locate(archive.get(), "word/document.xml", 0);
  if (index < 0) {
    return make_error(Code::kInvalidArgument, "the DOCX file has no word/document.xml");
  }
  zip_stat_t stat;
  zip_stat_init(&stat);
  if (zip_stat_index(archive.get(), static_cast<zip_uint64_t>(index), 0, &stat) == 0 &&
      (stat.valid & ZIP_STAT_SIZE) && stat.size > limits.max_docx_xml_bytes) {
    return too_large("the DOCX text part unpacks to " + std::to_string(stat.size) +
                     " bytes; the limit is " + std::to_string(limits.max_docx_xml_bytes));
  }
  if ((stat.valid & ZIP_STAT_ENCRYPTION_METHOD) && stat.encryption_method != ZIP_EM_NONE) {
    return make_error(Code::kInvalidArgument, "the DOCX file is encrypted: no extractable text");
  }
  std::unique_ptr<zip_file_t, ZipFileCloser> file(
      zip_fopen_index(archive.get(), static_cast<zip_uint64_t>(index), 0));
  if (!file) return make_error(Code::kInvalidArgument, "the DOCX text part cannot be unpacked");
  // The stored size may lie (a crafted archive): count what actually comes out.
  std::string xml;
  char buf[64 * 1024];
  while (true) {
    zip_int64_t n = zip_fread(file.get(), buf, sizeof buf);
    if (n < 0) return make_error(Code::kInvalidArgument, "the DOCX text part is damaged");
    if (n == 0) break;
    xml.append(buf, static_cast<std::size_t>(n));
    if (xml.size() > limits.max_docx_xml_bytes) {
      return too_large("the DOCX text part unpacks to more than " +
                       std::to_string(limits.max_docx_xml_bytes) + " bytes");
    }
  }
  return xml;
}

Result<DocumentText> extract_docx(std::string_view bytes, const ParseLimits& limits) {
  auto xml = read_document_xml(bytes, limits);
  if (!xml) return xml.error();
  pugi::xml_document tree;
  pugi::xml_parse_result parsed = tree.load_buffer(xml->data(), xml->size(), pugi::parse_default);
  if (!parsed) return make_error(Code::kInvalidArgument, "the DOCX text part is not valid XML");
  DocumentText doc;
  doc.format = DocumentFormat::kDocx;
  doc.page_starts.push_back(0);
  DocxWalker walker(doc, limits.max_text_bytes);
  walker.block(tree.document_element().child("w:body"), 0);
  if (walker.over()) {
    return too_large("the DOCX text is over the limit of " +
                     std::to_string(limits.max_text_bytes) + " bytes");
  }
  if (!has_visible_text(doc.text)) {
    return make_error(Code::kInvalidArgument, "the DOCX file has no extractable text");
  }
  return doc;
}

}  // namespace

Result<DocumentText> extract_document(std::string_view bytes, const ParseLimits& limits) {
  if (bytes.size() > limits.max_bytes) {
    return too_large("the document is " + std::to_string(bytes.size()) +
                     " bytes; the limit is " + std::to_string(limits.max_bytes));
  }
  Result<DocumentText> doc = [&]() -> Result<DocumentText> {
    switch (detect_format(bytes)) {
      case DocumentFormat::kPdf:
        return extract_pdf(bytes, limits);
      case DocumentFormat::kDocx:
        return extract_docx(bytes, limits);
      case DocumentFormat::kText:
        break;
    }
    return extract_text(bytes);
  }();
  if (!doc) return doc;
  if (doc->repaired_bytes > 0 && limits.invalid_utf8 == InvalidUtf8::kRefuse) {
    return make_error(Code::kInvalidArgument,
                      "the text is not valid UTF-8 (" + std::to_string(doc->repaired_bytes) +
                          " invalid bytes)");
  }
  if (doc->text.size() > limits.max_text_bytes) {
    return too_large("the text is over the limit of " + std::to_string(limits.max_text_bytes) +
                     " bytes");
  }
  if (!has_visible_text(doc->text)) {
    return make_error(Code::kInvalidArgument, "the document is empty: no extractable text");
  }
  return doc;
}

}  // namespace cscx::contracts::internal
