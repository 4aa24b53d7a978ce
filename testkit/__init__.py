"""Stand-ins shared by the tests (tests/) and the benchmarks (bench/): the fake Slack Web API,
Socket Mode server and request signing (`testkit.slackfake`), the fake OpenAI-compatible LLM
server (`testkit.fake_llm`), hostile LLM and HTTP servers, and sample articles.

Both tests/ and bench/ import from here, so neither imports the other's helpers (tests/bench
checks the bench harness; bench never imports tests). Not shipped: the wheel holds `bot`,
`storage` and `prompts` only (pyproject's packages.find). Everything here listens on 127.0.0.1.
"""
