"""The kinds of organisation that take part in health and social care networks.

Each kind has a sector (which side of the health / social care divide it sits on), a
statutory weight (how much formal power its people carry: statutory bodies with large
budgets weigh more than the voluntary sector) and a relative size (how many of the
network's people it sends). The university is the neutral academic partner: it owns no
service territory and joins only when ``academic_partner`` is on.

Evidence: the IOCN brought together "NHS trusts, commissioners, council, pharmacy and a
university" (Mervyn, Amoo & Malby 2019); Beston drew "10-15 organisations" from GP
practices, district nursing, social work, the voluntary sector, pharmacy and the
council (Kennedy, McKenzie & Thomas 2019). "Those with the most power were often the
most reluctant to collaborate" (Kennedy et al. 2019) is why statutory weight feeds
power, and power feeds territoriality.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Sectors, in the order used for the ``sector`` code of organisations and people.
SECTORS: tuple[str, ...] = ("health", "social_care", "community", "academic")

HEALTH = SECTORS.index("health")
SOCIAL_CARE = SECTORS.index("social_care")


@dataclass(frozen=True)
class OrganisationKind:
    """A kind of organisation.

    Args:
        kind: Short name used in scenarios and parameters.
        label: Name shown to people.
        sector: One of ``SECTORS``.
        statutory_weight: Formal power of the organisation, 0-1.
        size: Relative number of people it sends to the network.
    """

    kind: str
    label: str
    sector: str
    statutory_weight: float
    size: float


#: Every organisation kind a scenario may name, keyed by ``kind``.
ORGANISATION_KINDS: dict[str, OrganisationKind] = {
    k.kind: k
    for k in (
        OrganisationKind("acute_trust", "Acute hospital trust", "health", 1.0, 3.0),
        OrganisationKind("mental_health_trust", "Mental health trust", "health", 0.8, 1.5),
        OrganisationKind("community_trust", "Community health services", "health", 0.7, 1.5),
        OrganisationKind("health_board", "NHS health board", "health", 1.0, 2.0),
        OrganisationKind("commissioner", "Commissioner (CCG)", "health", 0.9, 1.0),
        OrganisationKind("general_practice", "General practice", "health", 0.5, 1.0),
        OrganisationKind("pharmacy", "Community pharmacy", "health", 0.4, 0.5),
        OrganisationKind("council_social_care", "Council social care", "social_care", 0.7, 1.5),
        OrganisationKind("public_health", "Public health (council)", "social_care", 0.6, 0.5),
        OrganisationKind("council_services", "Council community services", "social_care", 0.4, 0.5),
        OrganisationKind(
            "voluntary_sector", "Voluntary sector organisation", "community", 0.3, 0.7
        ),
        OrganisationKind("university", "University (academic partner)", "academic", 0.3, 0.3),
    )
}

#: The kind that plays the neutral academic partner.
ACADEMIC_PARTNER_KIND = "university"


@dataclass(frozen=True)
class Organisation:
    """One organisation in a model run.

    Args:
        index: Position in the model's organisation list (the ``org`` code of people).
        kind: The organisation's kind.
        name: Unique display name, e.g. ``"general_practice_2"`` when a kind repeats.
    """

    index: int
    kind: OrganisationKind
    name: str

    @property
    def sector(self) -> str:
        """Sector of the organisation."""
        return self.kind.sector

    @property
    def is_academic_partner(self) -> bool:
        """Whether this is the neutral academic partner."""
        return self.kind.kind == ACADEMIC_PARTNER_KIND
