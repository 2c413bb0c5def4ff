#!/usr/bin/env python3
"""Reads what one request sent to PostgreSQL from the server log
(log_statement = all), for bench/rest/run.sh.

Usage: capture.py LOG OFFSET OUT_JSON
Reads LOG from byte OFFSET, and writes OUT_JSON:
  {"statements": [{"sql": ..., "params": [...]}, ...]}
in the order the server executed them (the identity set_config, then the
request's statement(s); BEGIN and ROLLBACK around them for Prefer:
tx=rollback). Values of NULL parameters are null.
"""
import json
import re
import sys

# "2026-11-25 19:50:01.123 UTC [123] LOG:  execute cscx_2: SELECT ..."
# "... LOG:  statement: BEGIN"   (simple protocol)
# "... LOG:  execute <unnamed>: WITH ..."
# "... DETAIL:  parameters: $1 = '20', $2 = NULL"
LOG_RE = re.compile(r"^\S+ \S+ \S+ \[\d+\] (?:\S+ )?LOG:  (?:execute [^:]+|statement): (.*)$")
DETAIL_RE = re.compile(r"^\S+ \S+ \S+ \[\d+\] (?:\S+ )?DETAIL:  parameters: (.*)$")
PARAM_RE = re.compile(r"\$(\d+) = (NULL|'(?:[^']|'')*')")


def main() -> None:
    path, offset, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with open(path, "rb") as f:
        f.seek(offset)
        text = f.read().decode("utf-8", "replace")
    # A logged statement or value may span lines: join continuation lines
    # (those that do not start with a timestamp) to the entry before.
    entries = []
    for line in text.split("\n"):
        if re.match(r"^\d{4}-\d\d-\d\d ", line) or not entries:
            entries.append(line)
        else:
            entries[-1] += "\n" + line
    statements = []
    for e in entries:
        m = LOG_RE.match(e)
        if m:
            statements.append({"sql": m.group(1), "params": []})
            continue
        d = DETAIL_RE.match(e)
        if d and statements:
            params = {}
            for n, v in PARAM_RE.findall(d.group(1)):
                params[int(n)] = None if v == "NULL" else v[1:-1].replace("''", "'")
            statements[-1]["params"] = [params[k] for k in sorted(params)]
    json.dump({"statements": statements}, open(out, "w"), indent=1)


if __name__ == "__main__":
    main()
