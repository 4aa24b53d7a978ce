"""Answering follow-up questions from stored articles, with citations."""
