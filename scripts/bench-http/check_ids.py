#!/usr/bin/env python3
"""check_ids.py OUT.jsonl N: every id from 1 to N exactly once (for tools that reshape records)."""
import json
import sys
from collections import Counter

ids = Counter()
with open(sys.argv[1]) as f:
    for line in f:
        if line.strip():
            ids[json.loads(line)["id"]] += 1
n = int(sys.argv[2])
missing = [i for i in range(1, n + 1) if ids[i] == 0]
twice = [i for i, c in ids.items() if c > 1]
if missing or twice or len(ids) != n:
    print(f"differ: {len(missing)} ids missing, {len(twice)} more than once, {len(ids)} distinct of {n}")
    sys.exit(1)
print(f"equal: ids 1..{n} once each")
