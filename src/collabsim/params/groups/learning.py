"""Parameters: learning programmes and leadership (M7, M10)."""

from __future__ import annotations

from collabsim.params.registry import BESTON, IOCN, declare

GROUP = "learning"

declare(
    "skill_gain",
    "float",
    0.04,
    "Gain in improvement skill per programme session at full intensity.",
    unit="share of gap per session",
    low=0.0,
    high=0.2,
    group=GROUP,
    evidence=f"PLP: 'a robust health improvement methodology' ({IOCN}).",
)
declare(
    "identity_gain",
    "float",
    0.04,
    "Gain in leader identity per programme session at full intensity.",
    unit="share of gap per session",
    low=0.0,
    high=0.2,
    group=GROUP,
    evidence=f"'they're surprised that they've been given this authority' ({IOCN}).",
)
declare(
    "territoriality_unlearning",
    "float",
    0.03,
    "Fall in tops' territoriality per senior programme session at full intensity.",
    unit="share per session",
    low=0.0,
    high=0.2,
    group=GROUP,
    evidence=f"ALP: 'to train the senior leaders ... to understand quality improvement' ({IOCN}).",
)
declare(
    "leadership_claim_gain",
    "float",
    0.1,
    "Rise in leader identity after leading a change that is adopted.",
    unit="share of gap",
    low=0.0,
    high=0.5,
    group=GROUP,
    evidence="Claims and grants of leader identity (DeRue & Ashford 2010).",
)
declare(
    "culture_spread",
    "float",
    0.4,
    "How much organisations differ in how guarded their culture is (spread of a lognormal "
    "factor of mean 1 on the territoriality of everyone in them).",
    unit="log spread",
    low=0.0,
    high=1.0,
    group=GROUP,
    evidence=f"'the specifics of my organisation, the work settings in which I work, is that "
    f"it's not all that simple' ({IOCN}); 'the working style that might be dominant in "
    f"other organizations' ({BESTON}).",
)
declare(
    "resistance_spread",
    "float",
    0.4,
    "How much people differ in their own resistance to change (spread of a lognormal "
    "factor of mean 1 on territoriality).",
    unit="log spread",
    low=0.0,
    high=1.0,
    group=GROUP,
    evidence=f"'We saw some practitioners willing to suspend disbelief and take the risk. "
    f"We saw other practitioners ... reluctant'; the resistant view 'was the view of a "
    f"minority of group members, but they had a strong voice' ({BESTON}); Kegan & Lahey "
    f"(2009).",
)
declare(
    "initial_skill",
    "float",
    0.3,
    "Mean improvement skill at the start.",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=GROUP,
    evidence="Assumption: little QI training at the start.",
)
declare(
    "initial_leader_identity",
    "float",
    0.3,
    "Mean leader identity of non-tops at the start.",
    unit="0-1",
    low=0.0,
    high=1.0,
    group=GROUP,
    evidence=f"Frontline surprised to be 'given this authority' ({IOCN}).",
)
