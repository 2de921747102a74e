#!/usr/bin/env python3
"""The HTTP benchmark job with dlt's rest_api source into its filesystem destination as JSON Lines:
baseline_dlt.py BASE_URL OUT.jsonl WORK_DIR

dlt writes gzipped load files with its own columns (_dlt_load_id, _dlt_id); they are gathered into
OUT.jsonl without those columns, so the output can be checked record by record."""
import glob
import gzip
import json
import os
import sys

import dlt
from dlt.sources.rest_api import rest_api_source


def main():
    base, out_path, work = sys.argv[1], sys.argv[2], sys.argv[3]
    source = rest_api_source({
        "client": {"base_url": base,
                   "paginator": {"type": "cursor", "cursor_path": "next_cursor", "cursor_param": "cursor"}},
        "resources": [{"name": "users", "endpoint": {"path": "users", "data_selector": "data"}}],
    })
    pipeline = dlt.pipeline(pipeline_name="bench", pipelines_dir=os.path.join(work, "pipelines"),
                            destination=dlt.destinations.filesystem(bucket_url=os.path.join(work, "data")),
                            dataset_name="bench")
    pipeline.run(source, loader_file_format="jsonl", refresh="drop_sources")
    with open(out_path, "w") as out:
        for name in glob.glob(os.path.join(work, "data", "bench", "users", "*")):
            opener = gzip.open if name.endswith(".gz") else open
            with opener(name, "rt") as f:
                for line in f:
                    record = json.loads(line)
                    record.pop("_dlt_load_id", None)
                    record.pop("_dlt_id", None)
                    out.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
