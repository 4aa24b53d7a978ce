"""The App Home modal that adds or edits a digest (issue 16 item 6), built with slack_sdk's
Block Kit models, and reading what was submitted. Pure: no Slack calls, no database.

`subscription_modal` builds the view (`views.open`); `read_submission` turns a
`view_submission`'s `state.values` into a `SubscriptionForm`, or into Slack's
`response_action: errors` map, one line per field naming what to enter instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from slack_sdk.models.blocks import (
    ConversationFilter,
    ConversationSelectElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.errors import UserInputError
from bot.nlp.language import language_code
from bot.service.rhythm import WEEKDAY_NAMES, Rhythm, parse_rhythm
from bot.slack.command_text import UsageError, topic_name
from bot.summarize.filters import MAX_FILTER_CHARS, Filters, parse_filters

CALLBACK_ID = "subscription_modal"
MAX_TOPIC_INPUT = 80

# Block ids (Slack names a field's error by its block id) and the one action id in each.
LANGUAGE = "language"
CHANNEL, TOPIC, TIME, SECOND_TIME, ZONE, RHYTHM, FILTERS, LENGTH = (
    "channel",
    "topic",
    "time",
    "second_time",
    "timezone",
    "rhythm",
    "filters",
    "length",
)
ACTION = "value"

# The time zones offered (a static select holds at most 100 options); the person's own zone
# and the digest's current one are added when missing.
ZONES: tuple[str, ...] = (
    "UTC",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Rome",
    "Europe/Amsterdam",
    "Europe/Brussels",
    "Europe/Vienna",
    "Europe/Zurich",
    "Europe/Stockholm",
    "Europe/Oslo",
    "Europe/Copenhagen",
    "Europe/Helsinki",
    "Europe/Warsaw",
    "Europe/Prague",
    "Europe/Budapest",
    "Europe/Athens",
    "Europe/Bucharest",
    "Europe/Kyiv",
    "Europe/Istanbul",
    "Europe/Moscow",
    "Africa/Lagos",
    "Africa/Cairo",
    "Africa/Johannesburg",
    "Africa/Nairobi",
    "Asia/Dubai",
    "Asia/Tehran",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Dhaka",
    "Asia/Bangkok",
    "Asia/Jakarta",
    "Asia/Singapore",
    "Asia/Hong_Kong",
    "Asia/Shanghai",
    "Asia/Taipei",
    "Asia/Manila",
    "Asia/Seoul",
    "Asia/Tokyo",
    "Australia/Perth",
    "Australia/Adelaide",
    "Australia/Brisbane",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Pacific/Honolulu",
    "America/Anchorage",
    "America/Los_Angeles",
    "America/Vancouver",
    "America/Denver",
    "America/Phoenix",
    "America/Chicago",
    "America/Mexico_City",
    "America/New_York",
    "America/Toronto",
    "America/Bogota",
    "America/Lima",
    "America/Halifax",
    "America/Santiago",
    "America/Buenos_Aires",
    "America/Sao_Paulo",
)
MAX_ZONE_OPTIONS = 100
RHYTHMS: tuple[tuple[str, str], ...] = (
    ("daily", "Every day"),
    ("weekdays", "Weekdays (Monday to Friday)"),
    *((f"weekly on {day}", f"Weekly on {day.capitalize()}") for day in WEEKDAY_NAMES),
    ("twice daily", "Twice a day (give a second time)"),
)
LENGTHS = (("full", "Full"), ("short", "Short (the few bullets that matter most)"))
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


@dataclass(frozen=True)
class SubscriptionForm:
    """A valid submission: what to subscribe."""

    channel_id: str
    topic: str
    hour: int
    minute: int
    timezone: str
    rhythm: Rhythm
    filters: Filters
    length: str
    language: str | None = None  # ISO 639-1 or "any"; None: the workspace default


@dataclass(frozen=True)
class Current:
    """The digest being edited (None fields: a new one), to fill the modal in."""

    channel_id: str | None = None
    topic: str | None = None
    hour: int = 8
    minute: int = 0
    timezone: str = "UTC"
    rhythm_text: str = "daily"
    filters_text: str = ""
    length: str = "full"
    language: str | None = None


def subscription_modal(
    current: Current, *, subscription_id: int | None = None, user_zone: str | None = None
) -> dict[str, Any]:
    """The add (subscription_id None) or edit modal, as a dict for `views.open`."""
    rhythm = parse_rhythm(current.rhythm_text) if current.rhythm_text else Rhythm()
    times = rhythm.digest_times(current.hour, current.minute)
    rhythm_value = "twice daily" if rhythm.kind == "twice_daily" else rhythm.text
    zones = _zones(current.timezone, user_zone)
    channel = ConversationSelectElement(
        action_id=ACTION,
        placeholder="Pick a channel",
        filter=ConversationFilter(include=["public", "private"], exclude_bot_users=True),
        initial_conversation=current.channel_id,
    )
    topic = PlainTextInputElement(
        action_id=ACTION,
        placeholder="e.g. ukraine",
        initial_value=current.topic or None,
        max_length=MAX_TOPIC_INPUT,
    )
    blocks = [
        InputBlock(block_id=CHANNEL, label="Channel", element=channel),
        InputBlock(block_id=TOPIC, label="Topic", element=topic),
        InputBlock(
            block_id=TIME,
            label="Time",
            element=TimePickerElement(
                action_id=ACTION, initial_time=f"{times[0][0]:02d}:{times[0][1]:02d}"
            ),
        ),
        InputBlock(
            block_id=ZONE,
            label="Time zone",
            element=StaticSelectElement(
                action_id=ACTION,
                options=[_option(z, z) for z in zones],
                initial_option=_option(current.timezone, current.timezone),
            ),
        ),
        InputBlock(
            block_id=RHYTHM,
            label="How often",
            element=StaticSelectElement(
                action_id=ACTION,
                options=[_option(v, label) for v, label in RHYTHMS],
                initial_option=_option(rhythm_value, dict(RHYTHMS)[rhythm_value]),
            ),
        ),
        InputBlock(
            block_id=SECOND_TIME,
            label="Second time (twice a day only)",
            optional=True,
            element=TimePickerElement(
                action_id=ACTION,
                initial_time=f"{times[1][0]:02d}:{times[1][1]:02d}" if len(times) > 1 else None,
            ),
        ),
        InputBlock(
            block_id=FILTERS,
            label="Filters",
            optional=True,
            hint="-word leaves out, +word requires, -outlet:example.com drops a site",
            element=PlainTextInputElement(
                action_id=ACTION,
                placeholder="-sport -outlet:example.com +kyiv",
                initial_value=current.filters_text or None,
                max_length=MAX_FILTER_CHARS,
            ),
        ),
        InputBlock(
            block_id=LANGUAGE,
            label="Language",
            optional=True,
            hint="Two-letter code of the articles' language, e.g. de; any for every language. "
            "Empty: the workspace's default.",
            element=PlainTextInputElement(
                action_id=ACTION,
                placeholder="en",
                initial_value=current.language or None,
                max_length=8,
            ),
        ),
        InputBlock(
            block_id=LENGTH,
            label="Length",
            element=RadioButtonsElement(
                action_id=ACTION,
                options=[_option(v, label) for v, label in LENGTHS],
                initial_option=_option(current.length, dict(LENGTHS)[current.length]),
            ),
        ),
    ]
    return View(
        type="modal",
        callback_id=CALLBACK_ID,
        title=PlainTextObject(text="Edit digest" if subscription_id else "New digest"),
        submit=PlainTextObject(text="Save"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=str(subscription_id or ""),
        blocks=blocks,
    ).to_dict()


def _option(value: str, label: str) -> Option:
    return Option(value=value, text=PlainTextObject(text=label[:75]))


def _zones(*wanted: str | None) -> list[str]:
    extra = [z for z in wanted if z and z not in ZONES and valid_zone(z)]
    return list(dict.fromkeys([*extra, *ZONES]))[:MAX_ZONE_OPTIONS]


def valid_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _value(values: Mapping[str, Any], block: str) -> Any:
    """The submitted element state of `block` ({} when missing)."""
    state = values.get(block) if isinstance(values, Mapping) else None
    element = state.get(ACTION) if isinstance(state, Mapping) else None
    return element if isinstance(element, Mapping) else {}


def _selected(values: Mapping[str, Any], block: str) -> str:
    option = _value(values, block).get("selected_option")
    return str(option.get("value") or "") if isinstance(option, Mapping) else ""


def _time(text: str) -> tuple[int, int] | None:
    match = _TIME.match(text or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def read_submission(values: Mapping[str, Any]) -> tuple[SubscriptionForm | None, dict[str, str]]:
    """The form, or the errors by block id (each a line saying what to enter)."""
    errors: dict[str, str] = {}
    channel = str(_value(values, CHANNEL).get("selected_conversation") or "")
    if not re.match(r"^[CG][A-Z0-9]{2,31}$", channel):
        errors[CHANNEL] = "Pick the public or private channel the digest goes to."
    topic = _read_topic(values, errors)
    first = _time(str(_value(values, TIME).get("selected_time") or ""))
    if first is None:
        errors[TIME] = "Pick the time the digest goes out, e.g. 08:00."
    zone = _selected(values, ZONE)
    if not valid_zone(zone):
        errors[ZONE] = "Pick a time zone from the list, e.g. Europe/Berlin."
    rhythm = _read_rhythm(values, first, errors)
    filters = _read_filters(values, errors)
    language = _read_language(values, errors)
    length = _selected(values, LENGTH) or "full"
    if length not in dict(LENGTHS):
        errors[LENGTH] = "Pick Full or Short."
    if errors or first is None:
        return None, errors
    hour, minute = rhythm.times[0] if rhythm.kind == "twice_daily" else first
    form = SubscriptionForm(channel, topic, hour, minute, zone, rhythm, filters, length, language)
    return form, {}


# Each reader below returns its field's value and, when the entry is unusable, sets that
# block's error line in `errors` (the modal shows them all at once).


def _read_topic(values: Mapping[str, Any], errors: dict[str, str]) -> str:
    try:
        return topic_name(str(_value(values, TOPIC).get("value") or ""), example="ukraine")
    except UsageError as err:
        errors[TOPIC] = str(err).replace("Type e.g. `ukraine`.", "Type e.g. ukraine.")
        return ""


def _read_rhythm(
    values: Mapping[str, Any], first: tuple[int, int] | None, errors: dict[str, str]
) -> Rhythm:
    """The rhythm; twice a day takes its two times sorted (the first field's time may be the
    later one)."""
    rhythm_value = _selected(values, RHYTHM)
    if rhythm_value == "twice daily":
        second = _time(str(_value(values, SECOND_TIME).get("selected_time") or ""))
        if second is None:
            errors[SECOND_TIME] = "A twice-a-day digest needs a second time, e.g. 17:00."
        elif first is not None and second == first:
            errors[SECOND_TIME] = "Pick a second time different from the first."
        elif first is not None:
            return Rhythm("twice_daily", times=(min(first, second), max(first, second)))
        return Rhythm()
    try:
        if rhythm_value in dict(RHYTHMS):
            return parse_rhythm(rhythm_value)
    except UserInputError:
        pass
    errors[RHYTHM] = "Pick how often the digest goes out, e.g. Every day."
    return Rhythm()


def _read_filters(values: Mapping[str, Any], errors: dict[str, str]) -> Filters:
    filter_text = str(_value(values, FILTERS).get("value") or "").strip()
    if not filter_text:
        return Filters()
    try:
        return parse_filters(filter_text, example="")
    except UserInputError as err:
        errors[FILTERS] = _plain(str(err))
        return Filters()


def _read_language(values: Mapping[str, Any], errors: dict[str, str]) -> str | None:
    language_text = str(_value(values, LANGUAGE).get("value") or "").strip().lower()
    language = "any" if language_text == "any" else language_code(language_text)
    if language_text and language is None:
        errors[LANGUAGE] = "Give a two-letter language code, e.g. de (or any, or leave it empty)."
    return language


def _plain(message: str) -> str:
    """A /brief usage line as a form field's hint: no empty command examples."""
    return message.replace("` ", "").replace("``", "").strip()
