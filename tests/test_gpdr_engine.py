"""The GPDR flows in the pure engine, where the goal is handed in: the edges transcripts do not reach."""

from dataclasses import replace
from datetime import date, timedelta

from casefile.goals import GoalConfirmed, GoalPlan, PlannedStep, StepDone, StepPlanned
from casefile.vocabulary import ConsentState
from conversations.model import ConversationState
from tests.engine_driver import Conversation, participant

# The driver's clock starts on Monday 2 March 2026, 9:00 in Los Angeles.
PLAN = GoalPlan(
    7,
    "get my GED",
    None,
    "I pass",
    date(2026, 6, 2),
    (PlannedStep(70, "call the school", date(2026, 3, 2), False), PlannedStep(71, "sign up", date(2026, 3, 20), False)),
)


def with_goal(goal: GoalPlan | None = PLAN, consent: ConsentState = ConsentState.CONFIRMED) -> Conversation:
    return Conversation(person=replace(participant(consent), goal=goal))


def test_any_text_at_the_menu_asks_about_the_step_that_is_due() -> None:
    talk = with_goal()
    outcome = talk.send("hi")
    assert [r.key for r in outcome.replies] == ["checkin_ask"]
    assert outcome.replies[0].params["text"] == "call the school"
    assert (talk.state.flow, talk.state.data) == ("checkin", {"step_id": 70})


def test_an_answer_sent_before_the_question_is_taken() -> None:
    talk = with_goal()
    assert talk.keys("done") == ["step_done_next"]
    assert talk.facts == [StepDone(step_id=70, text="call the school")]
    assert talk.state.idle


def test_a_menu_number_still_chooses_from_the_menu_when_a_step_is_due() -> None:
    talk = with_goal()
    assert talk.keys("3") == ["ask_counselor_message"]


def test_nothing_due_means_the_usual_greeting() -> None:
    early = replace(PLAN, steps=(replace(PLAN.steps[0], due=date(2026, 3, 5)),))
    assert with_goal(early).keys("hi") == ["greeting"]


def test_my_goal_in_the_middle_of_a_question_shows_the_goal_then_asks_again() -> None:
    talk = with_goal()
    talk.send("hi")
    outcome = talk.send("MI META")
    assert [r.key for r in outcome.replies] == ["goal_summary", "checkin_ask"]
    assert [step["text"] for step in outcome.replies[0].params["steps"]] == ["call the school", "sign up"]


def test_my_goal_before_consent_is_confirmed_gets_the_introduction() -> None:
    assert with_goal(consent=ConsentState.RECORDED).keys("my goal") == ["consent_request"]


def test_a_step_changed_elsewhere_since_the_question_is_said_so() -> None:
    talk = with_goal()
    talk.state = ConversationState("checkin", "how", {"step_id": 99}, talk.now)
    assert talk.keys("done") == ["checkin_step_gone"]
    assert talk.state.idle and talk.facts == []


def test_a_step_dated_after_the_goal_is_questioned_then_taken_on_yes() -> None:
    talk = with_goal(replace(PLAN, steps=()))
    talk.state = ConversationState("plan", "step_date", {"text": "apply"}, talk.now)
    outcome = talk.send("7/1")
    assert [r.key for r in outcome.replies] == ["date_after_goal"]
    assert outcome.replies[0].params == {"day": date(2026, 7, 1), "target": date(2026, 6, 2)}
    assert talk.keys("yes") == ["plan_step_saved"]
    assert talk.facts == [StepPlanned(goal_id=7, text="apply", due=date(2026, 7, 1))]
    assert talk.state.data == {"planned": 1}


def test_a_goal_confirmed_after_another_became_active_keeps_the_one_they_have() -> None:
    talk = with_goal()
    talk.state = ConversationState(
        "goal", "confirm", {"words": "x", "details": "", "measure": "y", "target": "2026-05-01"}, talk.now
    )
    assert talk.keys("yes") == ["goal_already_set"]
    assert not any(isinstance(fact, GoalConfirmed) for fact in talk.facts)


def test_a_new_goal_is_confirmed_with_the_words_as_said() -> None:
    talk = with_goal(None)
    for text in ["1", "Get my GED!!", "ok", "I pass all 4 tests", "in 3 months"]:
        talk.send(text)
    outcome = talk.send("yes")
    assert [r.key for r in outcome.replies] == ["plan_ask_first_step"]
    assert talk.facts[-1] == GoalConfirmed(
        words="Get my GED!!", details=None, measure="I pass all 4 tests", target=date(2026, 6, 2)
    )


def test_starting_fresh_is_said_once_whatever_answers_the_first_message_after_a_long_pause() -> None:
    talk = with_goal(None)
    talk.send("1")
    assert talk.keys("HELP", after=timedelta(days=2)) == ["help"]
    assert talk.state.idle and talk.state.data == {}
    assert talk.keys("what?") == ["not_understood"]


def test_a_bare_yes_or_number_is_not_taken_as_a_goal() -> None:
    talk = with_goal(None)
    talk.send("1")
    assert talk.keys("yes") == ["in_your_words", "goal_ask_what"]
    assert talk.keys("2") == ["in_your_words", "goal_ask_what"]
    assert talk.facts == []
    assert talk.keys("get my GED") == ["goal_ask_details"]
