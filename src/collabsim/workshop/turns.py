"""A meeting of a participatory session: the unit the room plays and a replay repeats.

The room and a replay both play a session through ``play_meeting``, with the same played
posts, choices and what-if events in the same order, so a replay from the record is the
room's run exactly.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping

from collabsim.model import CollaborationModel
from collabsim.played import PROPOSALS, Choice
from collabsim.workshop.people import parse_posts

#: Fields a participant decides, and the values each takes.
FIELDS = {
    "attend": ("yes", "no"),
    "talk": None,  # a list of posts, comma-separated
    "propose": tuple(PROPOSALS),
    "verdict": ("grant", "block"),
    "cede": ("cede", "keep"),
    "self_interest": ("act", "refrain"),
}


def set_played(model: CollaborationModel, people: Iterable[int]) -> None:
    """Make exactly ``people`` the model's played posts."""
    wanted = set(people)
    for person in model.played.people - wanted:
        model.played.release(person)
    for person in sorted(wanted - model.played.people):
        model.played.play(person)


def meeting_due(model: CollaborationModel) -> bool:
    """Whether the model's next week holds a meeting (if its network is still alive)."""
    return model.steps % model.params.meeting_interval == 0


def over(model: CollaborationModel) -> bool:
    """Whether there is no meeting left to play: the network dissolved or the run ended."""
    return not model.network_on or model.steps >= model.params.horizon


def play_meeting(
    model: CollaborationModel,
    played: Iterable[int],
    choices: Mapping[int, Choice],
    *,
    each_week: Callable[[], None] | None = None,
) -> None:
    """Hold the next meeting with these played posts and choices, and live until the next.

    The model steps through the meeting's week and the weeks after it, up to the week
    before the following meeting (or the end of the run).

    Args:
        model: A model whose next week holds a meeting (``meeting_due``).
        played: The posts played at this meeting.
        choices: What each played post chose; a post without one leaves it to the model.
        each_week: Called after each week, to watch what happens in it.
    """
    set_played(model, played)
    for person, choice in sorted(choices.items()):
        model.played.choose(person, still_open(model, person, choice))
    while True:
        model.step()
        if each_week is not None:
            each_week()
        if not model.running or meeting_due(model):
            return


def still_open(model: CollaborationModel, person: int, choice: Choice) -> Choice:
    """``choice`` without verdicts on requests that no longer wait on ``person``.

    A what-if event between a verdict and the meeting (a proposer moving on, say) can
    take a request off the desk.
    """
    waiting = {r.proposer for r in model.played.requests(person)}
    if set(choice.verdicts) <= waiting:
        return choice
    return dataclasses.replace(
        choice, verdicts={k: v for k, v in choice.verdicts.items() if k in waiting}
    )


def with_decision(choice: Choice, name: str, value: str, target: int | None = None) -> Choice:
    """``choice`` with one more decision: ``name`` (of ``FIELDS``) set to ``value``.

    Args:
        choice: The person's choice for the meeting so far.
        name: The field decided.
        value: Its value (``FIELDS[name]``; for ``talk``, posts comma-separated).
        target: The proposer whose request a ``verdict`` answers.

    Raises:
        ValueError: An unknown field, a value it does not take, or a verdict without a
            proposer (one line).
    """
    if name not in FIELDS:
        raise ValueError(f"field={name!r} is not allowed: expected one of {', '.join(FIELDS)}")
    allowed = FIELDS[name]
    if allowed is not None and value not in allowed:
        raise ValueError(f"{name}={value!r} is not allowed: expected one of {', '.join(allowed)}")
    if name == "attend":
        return dataclasses.replace(choice, attend=value == "yes")
    if name == "talk":
        return dataclasses.replace(choice, talk_to=parse_posts(value))
    if name == "propose":
        return dataclasses.replace(choice, propose=value)
    if name == "verdict":
        if isinstance(target, bool) or not isinstance(target, int):
            raise ValueError(
                f"target={target!r} is not allowed: a verdict needs the proposer's post"
            )
        return dataclasses.replace(choice, verdicts={**choice.verdicts, target: value == "grant"})
    if name == "cede":
        return dataclasses.replace(choice, cede=value == "cede")
    return dataclasses.replace(choice, self_interest=value == "act")
