#!/usr/bin/env python3
"""singer_records.py MESSAGES OUT.jsonl: the records of a Singer tap's RECORD messages, one per line."""
import json
import sys

with open(sys.argv[1]) as messages, open(sys.argv[2], "w") as out:
    for line in messages:
        message = json.loads(line)
        if message.get("type") == "RECORD":
            out.write(json.dumps(message["record"]) + "\n")
