"""One exception root for the whole product.

Every error a user can act on derives from `BriefbotError`, and its message is written for that
user: what went wrong and what to do. Callers at the edges (CLI, Slack listeners) catch
`BriefbotError` and show `str(err)`; anything else is a bug and is logged with its traceback.
"""

from __future__ import annotations

# The root and the storage errors are defined in storage (which must not import `bot`), so that
# storage raises errors from this same root; re-exported here, where every caller looks.
from storage.errors import BriefbotError, StorageBusy, StorageError, StorageUnavailable

__all__ = [
    "BlockedAddressError",
    "BriefbotError",
    "FetchError",
    "LLMError",
    "NotFoundError",
    "ParseError",
    "PostError",
    "PromptError",
    "SettingsError",
    "StorageBusy",
    "StorageError",
    "StorageUnavailable",
    "UserInputError",
]


class SettingsError(BriefbotError):
    """A configuration variable is missing or malformed. The message names the variable."""


class FetchError(BriefbotError):
    """A source could not be fetched (network, HTTP status, size, content type, blocked address)."""

    def __init__(self, url: str, message: str) -> None:
        super().__init__(f"{url}: {message}")
        self.url = url
        self.reason = message


class BlockedAddressError(FetchError):
    """The URL points at an address briefbot refuses to fetch (private, loopback, ...)."""


class ParseError(BriefbotError):
    """A fetched document could not be understood as a feed, page or file."""


class PromptError(BriefbotError):
    """A prompt template is malformed or was rendered with missing/unknown variables."""


class LLMError(BriefbotError):
    """The LLM server failed or returned output that does not match the expected schema."""


class UserInputError(BriefbotError):
    """Input from a user (CLI argument, slash command) that cannot be understood."""


class NotFoundError(BriefbotError):
    """A named thing (topic, source, subscription) does not exist."""


class PostError(BriefbotError):
    """Slack refused a post. `code` is Slack's error code ("not_in_channel", …);
    `channel_unreachable`: the bot cannot post in that channel (not a member, gone, archived);
    `permanent`: retrying will not help (that, or the workspace's token is gone)."""

    def __init__(self, code: str, *, channel_unreachable: bool, permanent: bool) -> None:
        super().__init__(f"Slack refused the post: {code}")
        self.code = code
        self.channel_unreachable = channel_unreachable
        self.permanent = permanent
