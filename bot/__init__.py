"""briefbot: briefs a team on a news topic, in the terminal and in Slack."""

__version__ = "0.1.0"
