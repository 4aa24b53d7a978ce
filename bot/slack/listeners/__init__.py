"""Bolt listeners, one folder per kind (as in Bolt's templates): module-level functions, each
testable alone with a mocked ack/respond/client, registered by the folder's `register`.

What a listener needs beyond what Bolt passes it (the use cases, the thread pools) is bound
at registration with `functools.partial`, after the arguments Bolt injects by name.
"""

from __future__ import annotations

from slack_bolt import App

from bot.slack.features import Features
from bot.slack.listeners import commands, digest, events, feedback, home, middleware, surfaces
from bot.slack.pools import ListenerPools


def register_all(app: App, features: Features, pools: ListenerPools | None = None) -> None:
    pools = pools or ListenerPools()
    middleware.register(app, features)
    commands.register(app, features, pools)
    events.register(app, features, pools)
    surfaces.register(app, features, pools)  # assistant panel, link shortcut, workflow step
    feedback.register(app, features, pools)  # 👍/👎 on brief bullets
    digest.register(app, features, pools)  # a digest's Pause / Unsubscribe / Sources buttons
    home.register(app, features, pools)  # App Home's buttons and the digest modal
