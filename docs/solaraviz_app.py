"""collabsim in Mesa's own SolaraViz: the people as a network, and two reporters over time.

Serve it with ``solara run docs/solaraviz_app.py`` or, with no internet,
``python -m collabsim.dashboard --app docs/solaraviz_app.py``. Reset rebuilds the model
from ``model_params``: the same scenario and seed.
"""

from mesa.visualization import SolaraViz, make_plot_component, make_space_component

from collabsim import CollaborationModel, space

page = SolaraViz(
    CollaborationModel("beston", rng=1),
    components=[
        make_space_component(space.portray, layout_alg=space.organisation_layout),
        make_plot_component(["trust_cross_org", "commitment_mean"]),
    ],
    model_params={"params": "beston", "rng": 1},
)
