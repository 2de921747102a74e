#!/usr/bin/env python3
"""The HTTP benchmark job as a Singer tap built with the Meltano Singer SDK:
baseline_singer.py --config CONFIG.json > MESSAGES   (CONFIG: {"base_url": ...})

A RESTStream with the SDK's JSONPath paginator; the tap writes Singer messages to standard output."""
from singer_sdk import Tap
from singer_sdk import typing as th
from singer_sdk.pagination import JSONPathPaginator
from singer_sdk.streams import RESTStream


class Users(RESTStream):
    name = "users"
    path = "/users"
    primary_keys = ("id",)
    records_jsonpath = "$.data[*]"
    schema = th.PropertiesList(
        th.Property("id", th.IntegerType),
        th.Property("name", th.StringType),
        th.Property("email", th.StringType),
        th.Property("age", th.IntegerType),
        th.Property("active", th.BooleanType),
        th.Property("score", th.NumberType),
        th.Property("tags", th.ArrayType(th.StringType)),
        th.Property("address", th.ObjectType(th.Property("city", th.StringType), th.Property("zip", th.StringType))),
        th.Property("manager_id", th.IntegerType),
        th.Property("note", th.StringType),
    ).to_dict()

    @property
    def url_base(self):
        return self.config["base_url"]

    def get_new_paginator(self):
        return JSONPathPaginator("$.next_cursor")

    def get_url_params(self, context, next_page_token):
        return {"cursor": next_page_token} if next_page_token else {}


class TapBench(Tap):
    name = "tap-bench"
    config_jsonschema = th.PropertiesList(th.Property("base_url", th.StringType, required=True)).to_dict()

    def discover_streams(self):
        return [Users(self)]


if __name__ == "__main__":
    TapBench.cli()
