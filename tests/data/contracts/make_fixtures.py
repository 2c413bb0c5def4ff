#!/usr/bin/env python3
"""Writes the binary fixtures of tests/data/contracts once; the build and the
tests never run this. PDFs are hand-assembled (Helvetica text streams, a
correct xref); DOCX files are minimal WordprocessingML zips.

    python3 tests/data/contracts/make_fixtures.py
"""
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def pdf_escape(s):
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(pages, encrypt=False):
    """pages: list of list-of-lines (None for a page without text)."""
    objs = []  # (number, bytes)
    n_pages = len(pages)
    # 1 catalog, 2 pages, 3 font, then per page: page obj, content obj
    kids = []
    body = {}
    body[3] = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    num = 4
    for lines in pages:
        page_no, content_no = num, num + 1
        num += 2
        kids.append(page_no)
        if lines is None:
            stream = b"0.5 g 72 72 468 648 re f"
        else:
            parts = ["BT /F1 10 Tf 12 TL 56 760 Td"]
            for line in lines:
                parts.append("(%s) '" % pdf_escape(line))
            parts.append("ET")
            stream = "\n".join(parts).encode("latin-1")
        body[page_no] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                         b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content_no)
        body[content_no] = b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream"
    body[1] = b"<< /Type /Catalog /Pages 2 0 R >>"
    body[2] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids), n_pages)
    if encrypt:
        # A standard security handler whose user password is not empty: readers
        # cannot open it without the password, which is all the test needs.
        body[num] = (b"<< /Filter /Standard /V 1 /R 2 /Length 40 /P -44 "
                     b"/O <" + b"ab" * 32 + b"> /U <" + b"cd" * 32 + b"> >>")
        encrypt_no = num
        num += 1
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    for i in range(1, num):
        offsets[i] = len(out)
        out += b"%d 0 obj\n" % i + body[i] + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % num
    for i in range(1, num):
        out += b"%010d 00000 n \n" % offsets[i]
    trailer = b"<< /Size %d /Root 1 0 R" % num
    if encrypt:
        trailer += b" /Encrypt %d 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]" % encrypt_no
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def para(text, bullet=False):
    ppr = '<w:pPr><w:numPr><w:ilvl w:val="0"/><w:numId w:val="1"/></w:numPr></w:pPr>' if bullet else ""
    return '<w:p>%s<w:r><w:t xml:space="preserve">%s</w:t></w:r></w:p>' % (ppr, esc(text))


def table(rows):
    out = ["<w:tbl>"]
    for row in rows:
        out.append("<w:tr>")
        for cell in row:
            paras = "".join(para(line) for line in cell.split("\n"))
            out.append("<w:tc>%s</w:tc>" % paras)
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def make_docx(path, blocks):
    body = "".join(blocks)
    document = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                '<w:document %s><w:body>%s</w:body></w:document>' % (W, body))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                   '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                   '<Default Extension="xml" ContentType="application/xml"/>'
                   '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                   '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml", document)


def dev_docx():
    make_docx(os.path.join(HERE, "dev", "08_docx_pinecrest.docx"), [
        para("PINECREST SOFTWARE INC. - SUBSCRIPTION ORDER FORM"),
        para("This Order Form is entered into between Fernhill Cloud Services LLC (\"Provider\") and "
             "Pinecrest Software Inc. (\"Customer\") under the Provider's Master Terms."),
        para("Subscription Start Date: 05/01/2024"),
        para("Subscription End Date: 04/30/2025"),
        para("Monthly Fee: $3,200.00"),
        para("Billing Frequency: Monthly"),
        para("Payment Terms: Net 30"),
        para("Auto-Renewal: No"),
        table([["Product", "Quantity", "Unit"],
               ["Fernhill Build Runners", "20", "instances"],
               ["Artifact Storage", "5", "TB"]]),
        para("Technical Requirements"),
        para("Runners must support ARM64 and x86-64 Linux images", bullet=True),
        para("GitHub Enterprise Server integration", bullet=True),
        para(""),
        table([["Fernhill Cloud Services LLC\nBy: /s/ Erin Walsh\nName: Erin Walsh\nTitle: Sales Director",
                "Pinecrest Software Inc.\nBy: /s/ Samuel Ortiz\nName: Samuel Ortiz\nTitle: VP Engineering\nEmail: samuel.ortiz@pinecrestsoftware.com"]]),
    ])


def dev_pdf():
    page1 = [
        "MANAGED HOSTING AGREEMENT",
        "",
        "This Managed Hosting Agreement is made between DataHarbor Inc. (\"Provider\") and",
        "Redwood Credit Union (\"Customer\").",
        "",
        "1. Term. The term begins on September 1, 2024 and ends on August 31, 2025.",
        "The Agreement renews automatically for successive one-year terms unless either party",
        "gives at least 60 days' written notice of non-renewal.",
        "",
        "2. Fees. Customer shall pay an annual hosting fee of $72,000, invoiced quarterly in advance.",
        "Invoices are payable net 30.",
    ]
    page2 = [
        "3. Technical Requirements",
        "- Dedicated VLAN for core banking servers",
        "- 99.95% monthly uptime",
        "- Daily encrypted backups retained for 35 days",
        "",
        "Customer contacts:",
        "James Porter, Chief Technology Officer, jporter@redwoodcu.org, 707-555-0110",
        "",
        "DataHarbor contact: Nora Quinn, Service Delivery Manager, nquinn@dataharbor.net",
    ]
    with open(os.path.join(HERE, "dev", "09_pdf_redwood.pdf"), "wb") as f:
        f.write(make_pdf([page1, page2]))


def unit_fixtures():
    d = os.path.join(HERE, "fixtures")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "two_pages.pdf"), "wb") as f:
        f.write(make_pdf([["Customer: Acme Corp", "Annual Fee: $10,000"],
                          ["Start Date: 2024-01-01", "End Date: 2024-12-31"]]))
    with open(os.path.join(d, "image_only.pdf"), "wb") as f:
        f.write(make_pdf([None]))
    with open(os.path.join(d, "encrypted.pdf"), "wb") as f:
        f.write(make_pdf([["Customer: Secret Corp"]], encrypt=True))


if __name__ == "__main__":
    dev_docx()
    dev_pdf()
    unit_fixtures()
