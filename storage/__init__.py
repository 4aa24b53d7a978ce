"""Persistence for briefbot: typed models, migrations and the queries the product needs.

`storage` never imports `bot`: it knows tables and queries, not Slack, HTTP or summaries.
"""
