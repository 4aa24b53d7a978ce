"""Tests of the LLM path: prompts, client, summarizer and answerer, over a local server."""
