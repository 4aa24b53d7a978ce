"""What the App Home buttons and the digest modal do (issue 16 item 6).

- "Add a digest" / "Edit" open the modal (`views.open`, with the click's trigger_id);
- its submission is checked in the ack (`check`): every field, then Slack is asked whether
  the person and briefbot are in the chosen channel, then the workspace's topic cap. Anything
  wrong is answered with `response_action: errors` naming the field; otherwise `save` runs
  after the ack and the Home tab is published again with what was done;
- "Pause" / "Resume" / "Remove" act on one digest, only for a member of its channel.

Subscriptions are looked up by id *within the workspace of the request*.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.errors import BriefbotError, StorageError
from bot.service.lifecycle import TopicCapReached
from bot.service.subscriptions import SubscriptionInfo
from bot.slack.brief_command import BriefCommand
from bot.slack.home import PAUSE_ACTION_ID, REMOVE_ACTION_ID, RESUME_ACTION_ID
from bot.slack.membership import is_member
from bot.slack.replies import UNAVAILABLE, mrkdwn
from bot.slack.subscription_modal import (
    CHANNEL,
    TOPIC,
    Current,
    SubscriptionForm,
    read_submission,
    subscription_modal,
)
from bot.slack.workspace_events import WorkspaceEvents

log = logging.getLogger(__name__)

# The submission is checked inside Slack's 3-second ack: Slack gets this long to answer.
CHECK_TIMEOUT_SECONDS = 2
GONE = "That digest is gone (removed meanwhile). Here is what is left."


@dataclass(frozen=True)
class Checked:
    form: SubscriptionForm | None
    errors: dict[str, str]
    editing: int | None = None  # the subscription the modal edits


class HomeActions:
    def __init__(self, brief_command: BriefCommand, events: WorkspaceEvents) -> None:
        self.brief_command = brief_command
        self.core = brief_command.core
        self.events = events

    # -- the modal ---------------------------------------------------------------------------

    def open_modal(
        self, *, team_id: str, user_id: str, trigger_id: str, value: str, edit: bool
    ) -> None:
        subscription = self._subscription(team_id, value) if edit else None
        if edit and subscription is None:
            self.events.publish_home(team_id=team_id, user_id=user_id, notice=GONE)
            return
        zone = self.brief_command._user_timezone(team_id, user_id)
        if subscription is None:
            current = Current(timezone=zone)
        else:
            current = Current(
                channel_id=subscription.channel_id,
                topic=subscription.topic,
                hour=subscription.hour,
                minute=subscription.minute,
                timezone=subscription.timezone,
                rhythm_text=subscription.rhythm.text,
                filters_text=subscription.filters.text,
                length=subscription.length,
                language=subscription.language,
            )
        view = subscription_modal(
            current,
            subscription_id=subscription.id if subscription else None,
            user_zone=zone,
        )
        self.brief_command.poster.clients(team_id).views_open(trigger_id=trigger_id, view=view)

    def check(
        self,
        values: dict[str, object],
        *,
        private_metadata: str,
        team_id: str,
        user_id: str,
        bot_user_id: str | None,
        client: WebClient,
    ) -> Checked:
        """In the ack: the form, or the errors to show by field."""
        editing = int(private_metadata) if private_metadata.isdigit() else None
        form, errors = read_submission(values)
        if form is None:
            return Checked(None, errors, editing)
        refused = self.brief_command.may_subscribe(team_id, user_id)
        if refused:
            return Checked(None, {CHANNEL: refused}, editing)
        quick = WebClient(
            token=client.token, base_url=client.base_url, timeout=CHECK_TIMEOUT_SECONDS
        )
        try:
            user_in = is_member(quick, form.channel_id, user_id)
            bot_in = is_member(quick, form.channel_id, bot_user_id) if bot_user_id else True
        except Exception:  # a timeout: the ack must still answer in time
            log.warning("membership check timed out", exc_info=True)
            user_in = bot_in = None
        if user_in is None or bot_in is None:
            return Checked(
                None,
                {
                    CHANNEL: "I can't see who is in that channel. Invite me first "
                    "(/invite @briefbot in the channel), then save again."
                },
                editing,
            )
        if not user_in:
            return Checked(
                None, {CHANNEL: "You can only add digests to channels you are in."}, editing
            )
        if not bot_in:
            return Checked(
                None,
                {CHANNEL: "Invite me to that channel first (/invite @briefbot), then save again."},
                editing,
            )
        try:
            self.core.lifecycle.want(form.topic, team_id)  # the workspace's topic cap
        except TopicCapReached as err:
            return Checked(None, {TOPIC: str(err)[:150]}, editing)
        return Checked(form, {}, editing)

    def save(self, checked: Checked, *, team_id: str, user_id: str) -> None:
        """After the ack: subscribe (or change) as the form says; publish Home with the news."""
        form = checked.form
        if form is None:
            return
        try:
            notice = self._save(form, checked.editing, team_id=team_id, user_id=user_id)
        except StorageError:
            log.warning("database unavailable while saving a digest", exc_info=True)
            notice = UNAVAILABLE
        except BriefbotError as err:
            notice = mrkdwn(str(err))
        self.events.publish_home(team_id=team_id, user_id=user_id, notice=notice)

    def _save(
        self, form: SubscriptionForm, editing: int | None, *, team_id: str, user_id: str
    ) -> str:
        old = self._subscription(team_id, str(editing)) if editing else None
        if old is not None and (old.channel_id, old.topic) != (form.channel_id, form.topic):
            # Moved to another channel or topic: that is another digest; the old one goes.
            self._remove(old)
        subscriptions = self.core.subscriptions
        saved, created = subscriptions.subscribe(
            team_id=team_id,
            channel_id=form.channel_id,
            topic=form.topic,
            hour=form.hour,
            minute=form.minute,
            timezone=form.timezone,
            user_id=user_id,
            rhythm=form.rhythm,
            length=form.length,
            now=self.core.clock(),
            filters=form.filters,
            language=form.language or "",
        )
        hooks = self.brief_command.hooks
        if hooks is not None:
            hooks.scheduled(saved)
        verb = "Added" if created and old is None else "Saved"
        return (
            f":white_check_mark: {verb}: a digest of *{mrkdwn(form.topic)}* in "
            f"<#{form.channel_id}>, {mrkdwn(saved.describe())}."
        )

    # -- one digest's buttons ----------------------------------------------------------------

    def act(self, action_id: str, *, value: str, team_id: str, user_id: str) -> None:
        try:
            notice = self._act(action_id, value=value, team_id=team_id, user_id=user_id)
        except StorageError:
            log.warning("database unavailable for an App Home button", exc_info=True)
            notice = UNAVAILABLE
        self.events.publish_home(team_id=team_id, user_id=user_id, notice=notice)

    def _act(self, action_id: str, *, value: str, team_id: str, user_id: str) -> str:
        sub = self._subscription(team_id, value)
        if sub is None:
            return GONE
        client = self.brief_command.poster.clients(team_id)
        try:
            member = is_member(client, sub.channel_id, user_id)
        except SlackApiError:
            member = None
        if member is None:
            return f"I couldn't check that you are in <#{sub.channel_id}>; nothing changed."
        if not member:
            return f"Only members of <#{sub.channel_id}> can change its digests; nothing changed."
        topic = mrkdwn(sub.topic)
        hooks = self.brief_command.hooks
        if action_id == PAUSE_ACTION_ID:
            paused = self.core.subscriptions.pause(
                team_id=team_id, channel_id=sub.channel_id, topic=sub.topic, until=None
            )
            if paused is None:
                return GONE
            if hooks is not None:
                hooks.scheduled(paused)
            return f"Paused the digest of *{topic}* in <#{sub.channel_id}>."
        if action_id == RESUME_ACTION_ID:
            resumed = self.core.subscriptions.resume(
                team_id=team_id, channel_id=sub.channel_id, topic=sub.topic, now=self.core.clock()
            )
            if resumed is None:
                return GONE
            if hooks is not None:
                hooks.scheduled(resumed)
            return f"Resumed the digest of *{topic}* in <#{sub.channel_id}>."
        if action_id == REMOVE_ACTION_ID:
            self._remove(sub)
            return f"Removed the digest of *{topic}* in <#{sub.channel_id}>."
        return "That button does nothing."

    def _remove(self, sub: SubscriptionInfo) -> None:
        removed = self.core.subscriptions.unsubscribe(
            team_id=sub.team_id, channel_id=sub.channel_id, topic=sub.topic
        )
        hooks = self.brief_command.hooks
        if removed is not None and hooks is not None:
            hooks.unscheduled(removed)

    def _subscription(self, team_id: str, value: str) -> SubscriptionInfo | None:
        if not value.isdigit() or len(value) > 18:
            return None
        return self.core.subscriptions.get(team_id, int(value))
