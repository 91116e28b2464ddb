"""The people of a model as a Mesa space, for Mesa's own tools (SolaraViz, ``draw_space``).

``model.grid`` is a ``mesa.discrete_space.Network`` with one cell per post, built the
first time it is asked for, so runs that never draw pay nothing. Two posts are linked
when their holders work together: on the same pathway team, or as senior leaders of the
network's organisations. Each person sits in the cell of their post; a newcomer who
takes up a post moves into its cell and a removed person leaves theirs. Cells carry
the positions of the workshop dashboard's layout (organisations on a ring, senior
leaders at each centre), which ``organisation_layout`` hands to Mesa's drawing.

A three-line SolaraViz page (``docs/solaraviz_app.py``)::

    from mesa.visualization import SolaraViz, make_plot_component, make_space_component
    from collabsim import CollaborationModel, space
    page = SolaraViz(
        CollaborationModel("beston", rng=1),
        components=[make_space_component(space.portray, layout_alg=space.organisation_layout),
                    make_plot_component(["trust_cross_org", "commitment_mean"])],
        model_params={"params": "beston", "rng": 1})
"""

from __future__ import annotations

from itertools import combinations
from typing import TYPE_CHECKING, Any

import mesa
import networkx as nx
import numpy as np

from collabsim.mechanisms.roles import MIDDLE, TOP

if TYPE_CHECKING:
    from collabsim.agents import Person
    from collabsim.model import CollaborationModel

#: Marker of each role in Mesa's drawing: tops as diamonds, managers as squares.
MARKERS = {TOP: "D", MIDDLE: "s"}
FRONTLINE_MARKER = "o"


def working_ties(model: CollaborationModel) -> nx.Graph:
    """The posts as a graph: pathway team-mates and the senior leaders are linked.

    Nodes are post indices with ``organisation``, ``role`` and ``pos`` attributes.
    """
    from collabsim.dashboard.network_view import layout_network

    s = model.state
    people = s.people
    positions = layout_network(model).positions
    graph = nx.Graph()
    for post in range(people.role.size):
        x, y = positions[post]
        graph.add_node(
            post,
            organisation=int(people.org[post]),
            role=int(people.role[post]),
            pos=(float(x), -float(y)),
        )
    for team in range(s.team_start.size - 1):
        members = s.team_members[s.team_start[team] : s.team_start[team + 1]]
        graph.add_edges_from(combinations(members.tolist(), 2))
    graph.add_edges_from(combinations(np.flatnonzero(people.role == TOP).tolist(), 2))
    return graph


def people_network(model: CollaborationModel) -> mesa.discrete_space.Network:
    """A Mesa ``Network`` of ``working_ties`` with each person placed in their post's cell."""
    graph = working_ties(model)
    network = mesa.discrete_space.Network(
        graph, random=model.random, layout=nx.get_node_attributes(graph, "pos")
    )
    for person in model.agents:
        place(person, network)
    return network


def place(person: Person, network: mesa.discrete_space.Network) -> None:
    """Put ``person`` in the cell of their post."""
    person.cell = network[person.index]
    person.cell.add_agent(person)


def organisation_layout(graph: nx.Graph, **_: Any) -> dict[int, tuple[float, float]]:
    """Node positions for Mesa's ``draw_network`` (its ``layout_alg``): organisations apart.

    Takes and ignores the keyword arguments Mesa passes to a networkx layout.
    """
    return nx.get_node_attributes(graph, "pos")


def portray(person: Person):
    """How Mesa's space drawing shows a person (an ``AgentPortrayalStyle``).

    Coloured by organisation as in the workshop dashboard (grey once out of the
    network), sized by power, shaped by role.
    """
    from mesa.visualization.components import AgentPortrayalStyle

    from collabsim.dashboard.network_view import (
        LEFT_COLOUR,
        ORGANISATION_COLOURS,
        PARTNER_COLOUR,
    )

    organisation = person.organisation
    if not person.active:
        colour = LEFT_COLOUR
    elif organisation.is_academic_partner:
        colour = PARTNER_COLOUR
    else:
        colour = ORGANISATION_COLOURS[organisation.index % len(ORGANISATION_COLOURS)]
    role = person.model.state.people.role[person.index]
    return AgentPortrayalStyle(
        color=colour, size=20 + 60 * person.power, marker=MARKERS.get(role, FRONTLINE_MARKER)
    )
