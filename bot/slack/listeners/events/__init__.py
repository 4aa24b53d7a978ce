"""Events: questions in a brief's thread (`message`, also with a file: `file_share`), an
`@briefbot` mention anywhere (`app_mention`), a direct message to the bot (`message` in an
`im` channel), the App Home tab, and the app being removed from a workspace
(`app_uninstalled`, `tokens_revoked`).

Events are acked as soon as they arrive; the work runs in a lazy listener, on the thread pool
of its kind (`bot.slack.pools`: answers never wait behind briefs). Bolt matchers pick the
events worth work; every other event of these types is acked by the catch-all last listener
(an unmatched event would get a 404, and Slack would send it again).
"""

from __future__ import annotations

import functools

from slack_bolt import Ack, App

from bot.slack.features import Features
from bot.slack.listeners.events import app_home, matchers, questions, uninstall
from bot.slack.pools import ANSWER, EVENT, ListenerPools


def register(app: App, features: Features, pools: ListenerPools) -> None:
    answer = pools.later(ANSWER, functools.partial(questions.answer, questions=features.questions))
    for kind in ("message", "app_mention"):
        app.event(kind, matchers=[matchers.from_a_person])(ack=acknowledge, lazy=[answer])
    publish = functools.partial(app_home.publish, events=features.workspace_events)
    app.event("app_home_opened", matchers=[matchers.home_tab])(
        ack=acknowledge, lazy=[pools.later(EVENT, publish)]
    )
    gone = pools.later(
        EVENT, functools.partial(uninstall.uninstalled, events=features.workspace_events)
    )
    app.event("app_uninstalled")(ack=acknowledge, lazy=[gone])
    app.event("tokens_revoked", matchers=[matchers.bot_token_revoked])(ack=acknowledge, lazy=[gone])
    for kind in ("message", "app_mention", "app_home_opened", "tokens_revoked"):
        app.event(kind)(acknowledge)  # the rest: acked, nothing to do


def acknowledge(ack: Ack) -> None:
    ack()
