"""What became of the played posts' changes between two meetings, week by week.

A request proposed at a meeting and decided by a senior leader the model plays a few
weeks later is idle again by the next meeting, and a small test runs four to eight weeks,
often ending between meetings: comparing the state before and after the weeks would say
nothing of them, so the room calls ``ChangeWatch.week`` after each week. Whether a change
that ended was adopted or turned down is read from its proposer's own counts
(``people.adopted``, ``people.refused``), not guessed from the pathway: another change may
flip the same practice in the same week.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np

from collabsim.mechanisms import change
from collabsim.played import AWAITING
from collabsim.workshop.people import REQUEST_WORDS, describe

if TYPE_CHECKING:
    from collabsim.model import CollaborationModel

#: Stages a proposal starts in, and the kind of request each is (``REQUEST_WORDS``).
STARTS = {
    change.AWAITING_TEST_GRANT: "test",
    change.TESTING: "test",
    change.AWAITING_REDESIGN_GRANTS: "redesign",
}
#: A change moving on a stage when it comes due (any other change of stage ends it).
MOVES_ON = {
    change.AWAITING_TEST_GRANT: change.TESTING,
    change.TESTING: change.AWAITING_EMBEDDING,
    change.AWAITING_REDESIGN_GRANTS: change.REDESIGNING,
}
#: What the watch counts, week by week: each post's changes adopted and requests refused
#: as proposer, and each decider's blocks (``collabsim.state.People``).
COUNTS = ("adopted", "refused", "blocked")
#: The kind of request a participant's ``propose`` choice asks for (``"none"``: nothing).
ASKED = {"small": "test", "big": "redesign"}


class ChangeWatch:
    """What happened to the played posts' changes, week by week between two meetings.

    Each week notes, for each played post: a change it proposed; a request granted or
    blocked; a small test or redesign that ended, adopted or dropped. ``not_started``
    then says whether the proposal chosen for the meeting could not start.
    """

    def __init__(self, model: CollaborationModel, posts: Iterable[int]) -> None:
        self.model = model
        self.lines: dict[int, list[str]] = {post: [] for post in posts}
        changes = model.state.changes
        self._at_meeting = changes.stage.copy()  # before the meeting's week
        self._started_at_meeting: set[int] = set()
        self._ended_at_meeting: set[int] = set()
        self._weeks = 0
        self._stage, self._due = changes.stage.copy(), changes.due.copy()
        self._practice, self._mask = changes.practice.copy(), changes.mask.copy()
        self._counts = self._counted()

    def week(self) -> None:
        """Note, for each played post, what became of its change this week."""
        p, changes, counts = self.model.state.people, self.model.state.changes, self._counted()
        for post, lines in self.lines.items():
            was, now = int(self._stage[post]), int(changes.stage[post])
            adopted, refused = (counts[k][post] > self._counts[k][post] for k in COUNTS[:2])
            # a change that came due may end and a new one start in the same week: a request
            # turned down, say, then proposed again as a test the proposer authorises
            started = now in STARTS and (
                was == change.IDLE
                or (changes.due[post] != self._due[post] and (refused or MOVES_ON.get(was) != now))
            )
            if was != change.IDLE and (now == change.IDLE or started) and p.active[post]:
                lines += self._ended(post, was, adopted, refused)
                if self._weeks == 0:
                    self._ended_at_meeting.add(post)
            elif was in AWAITING and now == MOVES_ON.get(was):
                lines.append("Your change was granted and is under way.")
            elif was == change.TESTING and now == change.AWAITING_EMBEDDING:
                lines.append(
                    "Your small test worked: you asked to embed it in how the pathway works."
                )
            if started:
                lines.append(f"You proposed {REQUEST_WORDS[STARTS[now]]}.")
                if self._weeks == 0:
                    self._started_at_meeting.add(post)
        self._weeks += 1
        self._stage, self._due = changes.stage.copy(), changes.due.copy()
        self._practice, self._mask = changes.practice.copy(), changes.mask.copy()
        self._counts = counts

    def _counted(self) -> dict[str, np.ndarray]:
        """The people's ``COUNTS`` now."""
        return {name: getattr(self.model.state.people, name).copy() for name in COUNTS}

    def _ended(self, post: int, was: int, adopted: bool, refused: bool) -> list[str]:
        """What to tell ``post`` of their change that ended this week, from stage ``was``."""
        redesign = was in (change.AWAITING_REDESIGN_GRANTS, change.REDESIGNING)
        if adopted:
            what = REQUEST_WORDS["redesign" if redesign else "test"].removeprefix("a ")
            return [f"Your {what} worked and was adopted."]
        if refused:
            pathway = int(self.model.state.changes.pathway[post])
            touched = int(self._mask[post]) if redesign else 1 << int(self._practice[post])
            blocker = self._blocker(post, pathway, touched)
            if blocker >= 0:
                return [f"Your change was blocked by {describe(self.model, blocker)}."]
            return ["Your change was not granted: nobody was left to decide it."]
        return [
            "Your big redesign did not improve the pathway and failed: a setback for "
            "everyone on it."
            if redesign
            else "Your small test of change showed no improvement and was dropped."
        ]

    def _blocker(self, post: int, pathway: int, touched: int) -> int:
        """Who blocked ``post``'s request this week, or -1 if nobody did.

        One of the owning organisations' people whose blocks rose this week: the one the
        proposer last heard from if that is one of them (news of someone else may follow a
        block within the week).
        """
        p, owner = self.model.state.people, self.model.state.pathways.owner[pathway]
        owners = [int(owner[n]) for n in range(owner.size) if (touched >> n) & 1]
        # a top decides for their organisation, or its most powerful person if it has none
        blockers = np.flatnonzero(np.isin(p.org, owners) & (p.blocked > self._counts["blocked"]))
        if p.news[post] in blockers:
            return int(p.news[post])
        return int(blockers[0]) if blockers.size else -1

    def not_started(self, post: int, asked: str | None) -> list[str]:
        """Why the proposal ``post`` chose for the meeting (``asked``) did not start, if not.

        Only a proposal chosen while the post's earlier change was still under way, or a
        redesign of a pathway someone else was already redesigning, does not start.
        """
        if asked not in ASKED or post in self._started_at_meeting:
            return []
        if not self.model.state.people.active[post]:
            return []  # they drifted away: the feedback says so
        words = REQUEST_WORDS[ASKED[asked]]
        if self._at_meeting[post] != change.IDLE and post not in self._ended_at_meeting:
            return [
                f"You asked for {words}, but your earlier change was still under way at the "
                "meeting, so no new one started: propose again once it is over."
            ]
        return [
            f"You asked for {words}, but someone else was already redesigning the pathway, "
            "so no new one started."
        ]
