-- Repositories → issues → comments of a GitHub-like API: incremental, resumable, no connector file.
-- python3 mock_github.py &  then  GITHUB_TOKEN=gh-demo-token luaflow run pipeline.lua
local github = source.http {
  name = "github", base_url = "http://127.0.0.1:8788", auth = { bearer = "env:GITHUB_TOKEN" },
  paginator = { type = "link_header" }, params = { per_page = 2 },
  resources = {
    repos = { path = "/orgs/acme/repos" },
    issues = {
      path = "/repos/{+repos.full_name}/issues", include_from_parent = { "full_name" }, primary_key = "id",
      incremental = { cursor_field = "updated_at", cursor_param = "since", initial_value = "2024-01-01T00:00:00Z" },
      response_actions = { { status = 410, action = "skip" } },   -- issues disabled: nothing to read
    },
    comments = {
      path = "/repos/{+repos.full_name}/issues/{issues.number}/comments", primary_key = "id",
      include_from_parent = { "number", "repos.full_name" },
      incremental = { cursor_field = "updated_at", cursor_param = "since" },
    },
  },
}
network {
  { github.issues, sink.file { path = "out/issues.jsonl", mode = "append" } },
  { github.comments, sink.file { path = "out/comments.jsonl", mode = "append" } },
}
