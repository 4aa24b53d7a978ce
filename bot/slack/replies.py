"""What briefbot says in Slack, and how what it repeats is made inert.

Replies are mrkdwn, and much of what they repeat is not ours: topic names, URLs typed by users,
errors that quote a URL or a remote server's reason phrase. All of it goes through `mrkdwn`
(escape `&`, `<`, `>`) or `link`, so a reply can never ping `<!channel>` or add a link.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.redact import redact
from bot.render.escape import escape_mrkdwn, safe_link

# Said only when the failed request changed nothing: its transaction was rolled back, and a
# brief is recorded before it is posted, so a brief that could not be recorded was not posted.
UNAVAILABLE = (
    "briefbot is temporarily unavailable (its database is not answering), so that was not done "
    "and nothing was posted. Please try again in a minute."
)
# Posted, but the record of it could not be written within RECORD_DEADLINE_SECONDS. The post
# carries its delivery id (message metadata): the first question in its thread once the
# database answers again completes the record (`Questions._heal_thread_root`).
POSTED_NOT_RECORDED = (
    "The brief on *{topic}* is posted, but briefbot could not record it yet (its database is "
    "busy). Questions in its thread are answered once the database is back; if one goes "
    "unanswered, ask again in a minute."
)
MENTION_HELP = (
    "Ask me a question about a topic I follow (e.g. “@briefbot what did Russia demand?”), "
    "or name a topic (e.g. “@briefbot ukraine”) for its brief."
)
NO_TOPICS = "I don't follow any topic yet. Start one with `/brief ukraine`."
NOT_IN_CHANNEL = (
    "I'm not in this channel, so only you can see this brief. Invite me with "
    "`/invite @briefbot` to post briefs here.\n\n"
)
FAILED = "Something went wrong while making that brief; it has been logged."


def mrkdwn(text: str) -> str:
    """Text for a mrkdwn reply, inert: no mention, no link of its own."""
    return escape_mrkdwn(text)


def link(url: str, secrets: Sequence[str] = ()) -> str:
    """A URL as a link when it is a safe http(s) URL, else as escaped text.

    A URL carrying a credential (a feed's `?access_token=xoxp-…`, our own key) is shown with
    the credential masked and not linked: any channel member can list a topic's sources.
    """
    shown = redact(url, secrets)
    if shown != url:
        return escape_mrkdwn(shown)
    return safe_link(url, url)


def searching_new_topic(topic: str) -> str:
    topic = mrkdwn(topic)
    return (
        f"*{topic}* is a new topic: searching the news for it now (this can take a few "
        f"seconds). To get it every day here: the button below, or "
        f"`/brief subscribe {topic}`."
    )


def nothing_found(topic: str, hours: int) -> str:
    topic = mrkdwn(topic)
    return (
        f"I found no articles about *{topic}* from the last {hours} hours. "
        f"Check where it looks with `/brief sources {topic}`, or add a feed: "
        f"`/brief sources {topic} add https://example.com/feed.xml`."
    )
