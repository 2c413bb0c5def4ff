#!/usr/bin/env python3
"""Writes the binary transcript fixtures (a Word and a PDF export of a short
call) once; the build and the tests never run this. Uses the PDF and DOCX
writers of tests/data/contracts/make_fixtures.py.

    python3 tests/data/transcripts/make_fixtures.py
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "contracts"))
import make_fixtures as docs  # noqa: E402

LINES = [
    ("Maria Lopez", "Thanks for joining. The pilot went well and the team likes the dashboards."),
    ("Tom Becker", "Agreed. We decided to roll it out to the Berlin office next quarter."),
    ("Maria Lopez", "I will send the rollout plan by Friday."),
    ("Tom Becker", "One concern: our budget is being cut by twenty percent next year."),
    ("Maria Lopez", "Understood. We will look at the seat count together."),
]


def main():
    d = os.path.join(HERE, "fixtures")
    os.makedirs(d, exist_ok=True)
    # Word export: one "Name: text" paragraph per turn.
    docs.make_docx(os.path.join(d, "call_export.docx"),
                   [docs.para("%s: %s" % turn) for turn in LINES])
    # PDF export: "[hh:mm:ss] Name: text" lines.
    pdf_lines = ["[00:%02d:%02d] %s: %s" % (divmod(5 + 20 * i, 60) + (name, text))
                 for i, (name, text) in enumerate(LINES)]
    with open(os.path.join(d, "call_export.pdf"), "wb") as f:
        f.write(docs.make_pdf([pdf_lines]))


if __name__ == "__main__":
    main()
