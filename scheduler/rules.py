"""Outreach rules as data: who is due for which text, relative to which date, and when it goes.

The rules live in a TOML file a county can read and change (`scheduler/rules.toml` unless
WAYPOINT_OUTREACH_RULES names another); what a rule leaves out takes the defaults of `Rule` below.
A rule names its date (`relative_to`); how the participants behind each date are found is code
(scheduler/sweep.py), so a rule file cannot ask for a query the sweep does not know.
"""

import tomllib
from dataclasses import dataclass, fields
from enum import StrEnum
from pathlib import Path
from typing import Any

from casefile.vocabulary import ProgrammeStatus

DEFAULT_RULES = Path(__file__).with_name("rules.toml")


class Anchor(StrEnum):
    """The date a rule counts from."""

    #: The day of enrolment, for participants who have not written yet (the welcome).
    ENROLLED = "enrolled"
    #: Every week on the participant's check-in day.
    CHECK_IN_DAY = "check_in_day"
    #: The day a pending step of their active goal is due.
    STEP_DUE = "step_due"
    #: The last day of a reporting period for which no hours are confirmed yet.
    PERIOD_END = "period_end"
    #: The first day of every month.
    MONTH_START = "month_start"
    #: The day they left the programme.
    EXITED = "exited"
    #: Their last two-way contact, once they count as disengaged: a sequence of attempts.
    QUIET_SINCE = "quiet_since"


class Unit(StrEnum):
    DAYS = "days"
    #: Counted on business days (no weekends, US federal and California holidays), and sent on one.
    BUSINESS_DAYS = "business_days"
    MONTHS = "months"


class Busy(StrEnum):
    """What to do when the participant is in the middle of a conversation at sending time."""

    #: Try again a little later.
    WAIT = "wait"
    #: Let this one go.
    SKIP = "skip"


class RuleError(ValueError):
    """A rules file that cannot be used; the message names the rule and the field."""


@dataclass(frozen=True)
class Rule:
    name: str
    relative_to: Anchor
    #: The message templates; attempt n of a sequence uses the n-th, the last one repeating.
    templates: tuple[str, ...]
    statuses: tuple[ProgrammeStatus, ...] = (ProgrammeStatus.ACTIVE,)
    #: How long after the date; several give several texts (follow-ups at 1, 3, 5, 8, 12 months).
    offsets: tuple[int, ...] = (0,)
    unit: Unit = Unit.DAYS
    #: The delivery hour on the participant's clock; None ("any" in the file): as soon as allowed.
    hour: int | None = 10
    busy: Busy = Busy.WAIT
    #: A reply from the participant cancels what is still queued of this rule.
    stop_on_reply: bool = False
    #: How many days late a text is still worth sending when the sweep could not run on the day.
    late_days: int = 1
    #: Disengaged: no two-way contact for this many days ...
    quiet_days: int = 30
    #: ... or this many check-in texts in a row left unanswered.
    missed_check_ins: int = 2
    #: Days between attempts of a sequence: the first gap after attempt 1, the last one repeating.
    gaps: tuple[int, ...] = (7, 14)
    #: After this many unanswered attempts the counselor is asked to call, write or visit.
    task_after: int | None = None
    #: Days the last of those attempts is given for an answer before the task is made.
    task_delay_days: int = 2

    def template_for(self, attempt: int) -> str:
        return self.templates[min(attempt, len(self.templates)) - 1]

    def gap_after(self, attempt: int) -> int:
        return self.gaps[min(attempt, len(self.gaps)) - 1]


def load_rules(path: Path = DEFAULT_RULES) -> tuple[Rule, ...]:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise RuleError(f"cannot read outreach rules from {path}: {error}") from error
    rules = tuple(_rule(entry) for entry in document.get("rule", []))
    names = [rule.name for rule in rules]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise RuleError(f"rule names must be unique: {', '.join(duplicates)}")
    return rules


_KNOWN = {field.name for field in fields(Rule)} | {"template", "offset"}


def _rule(entry: dict[str, Any]) -> Rule:
    name = entry.get("name")
    if not isinstance(name, str) or not name or len(name) > 40:
        raise RuleError(f"every rule needs a name of 1 to 40 characters (got {name!r})")
    unknown = sorted(set(entry) - _KNOWN)
    if unknown:
        raise RuleError(f"rule {name}: unknown field(s) {', '.join(unknown)}")
    values = dict(entry)
    templates = values.pop("templates", None) or [values.pop("template", None)]
    offsets = values.pop("offsets", None) or [values.pop("offset", 0)]
    if values.get("hour") == "any":  # TOML has no null: "any" is as soon as the hours allow
        values["hour"] = None
    try:
        rule = Rule(
            name=name,
            relative_to=Anchor(values.pop("relative_to")),
            templates=tuple(str(template) for template in templates if template),
            statuses=tuple(ProgrammeStatus(status) for status in values.pop("statuses", ["active"])),
            offsets=tuple(int(offset) for offset in offsets),
            unit=Unit(values.pop("unit", Unit.DAYS)),
            busy=Busy(values.pop("busy", Busy.WAIT)),
            gaps=tuple(int(gap) for gap in values.pop("gaps", Rule.gaps)),
            **{key: value for key, value in values.items() if key != "name"},
        )
    except (KeyError, ValueError, TypeError) as error:
        raise RuleError(f"rule {name}: {error}") from error
    _check(rule)
    return rule


def _check(rule: Rule) -> None:
    if not rule.templates:
        raise RuleError(f"rule {rule.name}: give a template")
    if rule.hour is not None and (not isinstance(rule.hour, int) or not 8 <= rule.hour <= 20):
        raise RuleError(f"rule {rule.name}: hour must be between 8 and 20 (texts go 8am to 9pm)")
    if any(offset < 0 for offset in rule.offsets) or rule.late_days < 0:
        raise RuleError(f"rule {rule.name}: offsets and late_days cannot be negative")
    if not rule.gaps or any(gap < 1 for gap in rule.gaps):
        raise RuleError(f"rule {rule.name}: gaps must be whole days, at least 1")
