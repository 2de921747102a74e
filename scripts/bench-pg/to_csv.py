#!/usr/bin/env python3
"""The users file as CSV for psql's \\copy into a typed table (the COPY floor of scripts/bench pg):
to_csv.py IN.jsonl OUT.csv. Columns in the order of TABLE below; tags and address as JSON text; null
as \\N (COPY's `null '\\N'`), so that an empty string stays an empty string."""
import csv
import json
import sys

TABLE = """(id bigint, name text, email text, age bigint, active boolean, score double precision,
            tags jsonb, address jsonb, manager_id bigint, note text)"""
FIELDS = ["id", "name", "email", "age", "active", "score", "tags", "address", "manager_id", "note"]


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src, encoding="utf-8") as f, open(dst, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        for line in f:
            r = json.loads(line)
            row = []
            for name in FIELDS:
                v = r.get(name)
                if v is None:
                    row.append("\\N")
                elif isinstance(v, (dict, list)):
                    row.append(json.dumps(v, ensure_ascii=False, separators=(",", ":")))
                elif isinstance(v, bool):
                    row.append("t" if v else "f")
                else:
                    row.append(v)
            writer.writerow(row)


if __name__ == "__main__":
    if sys.argv[1:] == ["--table"]:
        print(TABLE)
    else:
        main()
