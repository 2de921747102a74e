#!/usr/bin/env python3
"""Checks a webhook benchmark's output: every delivery the receiver acknowledged (the ids wrk
wrote to ACKED_DIR/acked-*.txt) is in the output files exactly once, and no event is there twice.

    check_acked.py ACKED_DIR OUTPUT_FILE...

Prints one line of counts; exits 1 when an acknowledged event is missing or any is duplicated.
"""
import collections
import glob
import json
import sys

acked = set()
for path in glob.glob(sys.argv[1] + "/acked-*.txt"):
    with open(path) as f:
        acked.update(line.strip() for line in f if line.strip())
present = collections.Counter()
for path in sys.argv[2:]:
    with open(path) as f:
        for line in f:
            if line.strip():
                present[json.loads(line)["id"]] += 1
missing = acked - set(present)
duplicated = [i for i, n in present.items() if n > 1]
print(f"acknowledged {len(acked)}, written {sum(present.values())}, acknowledged and written once "
      f"{sum(1 for i in acked if present[i] == 1)}, missing {len(missing)}, duplicated {len(duplicated)}")
sys.exit(1 if missing or duplicated else 0)
