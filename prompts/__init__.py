"""Prompt templates, shipped as package data (`*.toml`) and validated when loaded.

from prompts import load_prompt
rendered = load_prompt("brief").render(topic=..., articles=..., ...)
"""

from prompts.loader import PromptTemplate, RenderedPrompt, load_prompt, load_prompt_file

__all__ = ["PromptTemplate", "RenderedPrompt", "load_prompt", "load_prompt_file"]
