"""What the Slack listeners hand their work to, built once by the composition root
(`bot.runtime`): the /brief command, questions, and workspace events."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core import Briefbot
from bot.slack.brief_command import BriefCommand
from bot.slack.client import ClientForTeam
from bot.slack.questions import Questions
from bot.slack.workspace_events import WorkspaceEvents


@dataclass(frozen=True)
class Features:
    core: Briefbot
    clients: ClientForTeam
    brief_command: BriefCommand
    questions: Questions
    workspace_events: WorkspaceEvents
