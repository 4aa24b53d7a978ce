"""Two short articles about one story (a council's river plan), as Markdown files with front
matter that `briefbot ingest <folder>` reads: the smallest corpus a brief and a question can
be made from, for tests and benchmarks."""

from __future__ import annotations

from pathlib import Path

ARTICLES = {
    "a.md": (
        "Council approves river plan",
        "Valley Times",
        "https://valley.example.com/river-plan",
        "The city council approved the river restoration plan on Thursday by a vote of 7 to 2. "
        "The plan commits 4 million euros to rebuilding the flood banks.\n\n"
        "It remains unclear whether the regional government will co-fund the second phase.\n\n"
        "Construction will begin in September, and the council will review costs in March.",
    ),
    "b.md": (
        "River plan passes",
        "Riverside Post",
        "https://riverside.example.org/plan",
        "Councillors approved the river restoration plan, committing 4 million euros to new "
        "flood banks. Officials did not say how the second phase would be funded. "
        "Work is expected to start in September.",
    ),
}


def write_articles(folder: Path, published: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (title, outlet, url, text) in ARTICLES.items():
        write_article(folder / name, title, outlet, published, url, text)
    return folder


def write_article(path: Path, title: str, outlet: str, published: str, url: str, text: str) -> None:
    """One article as a Markdown file with the front matter `briefbot ingest` reads."""
    path.write_text(
        f"---\ntitle: {title}\noutlet: {outlet}\npublished: {published}\nurl: {url}\n---\n{text}\n"
    )
