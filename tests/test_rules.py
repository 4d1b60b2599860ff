"""Outreach rules as data: the shipped defaults follow the seeds, and a bad file says what is wrong."""

from pathlib import Path

import pytest

from casefile.vocabulary import ProgrammeStatus
from scheduler.rules import Anchor, Busy, RuleError, Unit, load_rules


def test_the_default_rules_follow_the_seeds() -> None:
    rules = {rule.name: rule for rule in load_rules()}
    assert rules["welcome"].unit is Unit.BUSINESS_DAYS and rules["welcome"].offsets == (0,)
    assert rules["check_in"].relative_to is Anchor.CHECK_IN_DAY and rules["check_in"].busy is Busy.SKIP
    assert rules["hours_missing"].offsets == (2,)
    reengage = rules["reengage"]
    assert (reengage.quiet_days, reengage.missed_check_ins, reengage.task_after) == (30, 2, 2)
    assert reengage.template_for(1) != reengage.template_for(2) == reengage.template_for(5)
    assert (reengage.gap_after(1), reengage.gap_after(2), reengage.gap_after(9)) == (7, 14, 14)
    assert reengage.stop_on_reply
    assert rules["sanctioned_monthly"].statuses == (ProgrammeStatus.SANCTIONED,)
    assert rules["exit_follow_up"].offsets == (1, 3, 5, 8, 12)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[[rule]]\nname = "x"\nrelative_to = "birthday"\ntemplate = "t"', "rule x: 'birthday' is not a valid Anchor"),
        ('[[rule]]\nname = "x"\nrelative_to = "exited"\ntemplate = "t"\nhour = 22', "hour must be between 8 and 20"),
        ('[[rule]]\nname = "x"\nrelative_to = "exited"\ntemplate = "t"\ncolour = 1', "unknown field(s) colour"),
        ('[[rule]]\nname = "x"\nrelative_to = "exited"', "give a template"),
        ('[[rule]]\nrelative_to = "exited"\ntemplate = "t"', "every rule needs a name"),
        ('[[rule]]\nname = "x"\nrelative_to = "exited"\ntemplate = "t"\noffset = -1', "cannot be negative"),
        ('[[rule]]\nname = "x"\nrelative_to = "exited"\ntemplate = "t"\nunit = "fortnights"', "not a valid Unit"),
        (
            '[[rule]]\nname = "x"\nrelative_to = "exited"\ntemplate = "t"\n[[rule]]\nname = "x"\n'
            'relative_to = "exited"\ntemplate = "t"',
            "rule names must be unique: x",
        ),
        ("[[rule]\n", "cannot read outreach rules"),
    ],
)
def test_a_bad_rules_file_says_what_is_wrong(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(text)
    with pytest.raises(RuleError) as raised:
        load_rules(path)
    assert says in str(raised.value)


def test_a_county_file_may_leave_out_what_the_defaults_cover(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(
        '[[rule]]\nname = "monthly"\nrelative_to = "month_start"\ntemplate = "outreach_follow_up"\nhour = "any"'
    )
    [rule] = load_rules(path)
    assert (rule.hour, rule.unit, rule.busy, rule.statuses) == (None, Unit.DAYS, Busy.WAIT, (ProgrammeStatus.ACTIVE,))
