#!/usr/bin/env python3
"""dlt's default postgres load of the users file: baseline_dlt.py IN.jsonl DSN TABLE DISPOSITION WORK_DIR

The records are read with the json module and handed to dlt as they are (a resource yielding
pages of dicts); dlt normalizes them (nested lists become child tables, objects are flattened)
and loads them with its default loader file format for postgres."""
import json
import os
import sys

import dlt


def main():
    src, dsn, table, disposition, work = sys.argv[1:6]

    @dlt.resource(name=table, write_disposition=disposition, primary_key="id" if disposition == "merge" else None)
    def users():
        page = []
        with open(src, encoding="utf-8") as f:
            for line in f:
                page.append(json.loads(line))
                if len(page) == 10000:
                    yield page
                    page = []
        if page:
            yield page

    pipeline = dlt.pipeline(pipeline_name="bench_pg_" + disposition, pipelines_dir=os.path.join(work, "pipelines"),
                            destination=dlt.destinations.postgres(dsn), dataset_name="dlt_" + disposition)
    pipeline.run(users())


if __name__ == "__main__":
    main()
