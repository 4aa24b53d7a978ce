"""Evaluation harness for briefbot's offline summarizer (see bench/README.md)."""
