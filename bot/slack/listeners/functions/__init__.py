""" "Get a brief", a Workflow Builder custom step (`function_executed` for callback `get_brief`).

Bolt acks the event at once; the brief is made on the brief pool and the step completed with
`complete(outputs=...)`, or failed with `fail(error)` and a reason the workflow's builder can
act on. Declared under `functions` in the manifest (bot/manifest.py).
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Complete, Fail

from bot.core import Briefbot
from bot.errors import BriefbotError
from bot.slack.features import Features
from bot.slack.pools import BRIEF, ListenerPools

log = logging.getLogger(__name__)

CALLBACK_ID = "get_brief"
FAILED = "briefbot could not make that brief (an internal error, logged); try again later."


def acknowledge(ack: Ack) -> None:
    ack()


def run_step(core: Briefbot, inputs: dict[str, Any], complete: Complete, fail: Fail) -> None:
    """Complete the step with the brief, or fail it with the reason."""
    try:
        result = core.workflow.brief_for_step(inputs.get("topic"), inputs.get("window"))
    except BriefbotError as err:
        fail(error=str(err))
        return
    except Exception:
        log.exception("the Get a brief step failed")
        fail(error=FAILED)
        return
    complete(outputs={"brief": result.text, "sources": result.sources})


def register(app: App, features: Features, pools: ListenerPools) -> None:
    def work(inputs: dict[str, Any], complete: Complete, fail: Fail) -> None:
        run_step(features.core, inputs, complete, fail)

    app.function(CALLBACK_ID)(ack=acknowledge, lazy=[pools.later(BRIEF, work)])
