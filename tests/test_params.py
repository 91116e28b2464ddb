"""Every validation rule of the parameter declarations, scenarios and events."""

from __future__ import annotations

import pickle
import re

import numpy as np
import pytest
from field_studies import quoted_words_missing

import collabsim
from collabsim.params import EVENT_KINDS, LEVERS, PARAMETERS, Event, ParameterError, Params
from collabsim.scenarios import available, read_scenario_file, scenario
from collabsim.scenarios import load as load_scenario

NUMERIC = [p for p in PARAMETERS.values() if p.kind in ("float", "int")]


def test_defaults_are_the_iocn_scenario():
    assert scenario("iocn") == Params()


def test_every_declaration_is_complete():
    for p in PARAMETERS.values():
        assert p.meaning and p.group and p.evidence, p.name
        assert p.validate(p.default) == p.default, p.name
        if p.kind in ("float", "int"):
            assert p.low <= p.default <= p.high, p.name
            assert p.unit, p.name


def test_levers_are_the_public_names_of_the_design():
    for name in (
        "academic_partner",
        "partner_strength",
        "distributed_leadership",
        "cede_willingness",
        "incremental_share",
        "central_leader_strength",
        "programme_intensity",
        "results_pressure",
        "power_imbalance",
        "turnover_rate",
        "meeting_interval",
        "network_type",
    ):
        assert name in LEVERS


@pytest.mark.parametrize("p", NUMERIC, ids=lambda p: p.name)
def test_numbers_outside_the_allowed_range_are_refused(p):
    for bad in (p.low - 1, p.high + 1):
        allowed = rf"{p.name}=.*not allowed.*{p.low:g} to {p.high:g}"
        with pytest.raises(ParameterError, match=allowed):
            Params(**{p.name: bad})


@pytest.mark.parametrize("p", NUMERIC, ids=lambda p: p.name)
def test_numbers_of_the_wrong_type_are_refused(p):
    for bad in ("0.5", True, None, float("nan")):
        with pytest.raises(ParameterError, match=p.name):
            Params(**{p.name: bad})


def test_int_parameters_refuse_fractions_but_accept_whole_floats():
    with pytest.raises(ParameterError, match="n_people"):
        Params(n_people=100.5)
    assert Params(n_people=100.0).n_people == 100


@pytest.mark.parametrize("name", [n for n, p in PARAMETERS.items() if p.kind == "bool"])
def test_bools_must_be_bools(name):
    for bad in (1, 0, "true", None):
        with pytest.raises(ParameterError, match=rf"{name}=.*true or false"):
            Params(**{name: bad})


def test_choice_parameters_list_the_choices():
    with pytest.raises(ParameterError, match="network_type='city'.*place, issue"):
        Params(network_type="city")


def test_organisations_must_be_known_kinds_with_suggestions():
    with pytest.raises(ParameterError, match="organisations.*did you mean general_practice"):
        Params(organisations=["acute_trust", "general_practise"])
    with pytest.raises(ParameterError, match="organisations"):
        Params(organisations="acute_trust")
    with pytest.raises(ParameterError, match="organisations"):
        Params(organisations=[])
    with pytest.raises(ParameterError, match="leave out 'university'"):
        Params(organisations=["acute_trust", "university"])


@pytest.mark.parametrize("kinds", [[1, 2], ["pharmacy", 3.5], ["pharmacy", ["commissioner"]]])
def test_organisations_that_are_not_names_are_refused_in_words(kinds):
    with pytest.raises(ParameterError, match="organisations=.* is not allowed: expected a list"):
        Params(organisations=kinds)


@pytest.mark.parametrize("kind", [["budget_cut"], {"a": 1}, 7, None])
def test_an_event_kind_that_is_not_a_name_is_refused_in_words(kind):
    with pytest.raises(ParameterError, match="is not an event kind; allowed: self_interest_act"):
        Params(events=[{"step": 3, "kind": kind}])


def test_unknown_names_suggest_close_ones():
    with pytest.raises(ParameterError, match="'cede_wilingness'.*did you mean cede_willingness"):
        Params(cede_wilingness=0.3)
    with pytest.raises(ParameterError, match="unknown parameter 'zzz'$"):
        Params(zzz=1)
    with pytest.raises(AttributeError, match="unknown parameter 'academic_parter'"):
        Params().academic_parter  # noqa: B018
    with pytest.raises(ParameterError, match="'Cede_Willingness'.*did you mean cede_willingness"):
        Params(Cede_Willingness=0.3)  # case does not count, and the name comes back as declared


def test_shares_of_tops_and_middles_cannot_exceed_one():
    with pytest.raises(ParameterError, match="top_share \\+ middle_share"):
        Params(top_share=0.5, middle_share=0.6)


def test_landscape_k_must_be_below_n_practices():
    with pytest.raises(ParameterError, match="landscape_k=5.*n_practices=5"):
        Params(n_practices=5, landscape_k=5)


def test_enough_people_for_every_organisation():
    with pytest.raises(ParameterError, match="n_people=8.*organisations need at least"):
        Params(n_people=8)


def test_events_are_validated():
    with pytest.raises(ParameterError, match="kind='budget_cutt'.*did you mean budget_cut"):
        Params(events=[{"step": 3, "kind": "budget_cutt"}])
    with pytest.raises(ParameterError, match="step=-1"):
        Params(events=[{"step": -1, "kind": "budget_cut"}])
    with pytest.raises(ParameterError, match="step=1.5"):
        Params(events=[{"step": 1.5, "kind": "budget_cut"}])
    with pytest.raises(ParameterError, match="needs step and kind"):
        Params(events=[{"kind": "budget_cut"}])
    with pytest.raises(ParameterError, match="unknown field 'when'"):
        Params(events=[{"step": 1, "kind": "budget_cut", "when": 2}])
    with pytest.raises(ParameterError, match="organisation='hospital'"):
        Params(events=[{"step": 1, "kind": "budget_cut", "organisation": "hospital"}])
    with pytest.raises(ParameterError, match="organisation='health_board'.*not in this network"):
        Params(events=[{"step": 1, "kind": "budget_cut", "organisation": "health_board"}])
    with pytest.raises(ParameterError, match="list of events"):
        Params(events={"step": 1, "kind": "budget_cut"})
    with pytest.raises(ParameterError, match="organisation='university'"):
        Params(
            academic_partner=False,
            events=[{"step": 1, "kind": "partner_withdraws", "organisation": "university"}],
        )


def test_every_event_kind_is_accepted_and_normalised():
    events = [{"step": i, "kind": k} for i, k in enumerate(EVENT_KINDS)]
    params = Params(events=events)
    assert [e.kind for e in params.events] == list(EVENT_KINDS)
    assert all(isinstance(e, Event) for e in params.events)
    assert params.to_dict()["events"] == events


def test_command_line_parsing_follows_the_declarations():
    assert PARAMETERS["cede_willingness"].parse("0.25") == 0.25
    assert PARAMETERS["n_people"].parse("40") == 40
    assert PARAMETERS["academic_partner"].parse("no") is False
    assert PARAMETERS["academic_partner"].parse("True") is True
    assert PARAMETERS["organisations"].parse("acute_trust, pharmacy") == ("acute_trust", "pharmacy")
    for name, text in (
        ("cede_willingness", "high"),
        ("n_people", "4.5"),
        ("academic_partner", "maybe"),
        ("events", "x"),
    ):
        with pytest.raises(ParameterError, match=name):
            PARAMETERS[name].parse(text)
    assert Event.parse("104:self_interest_act:acute_trust") == Event(
        104, "self_interest_act", "acute_trust"
    )
    for bad in ("104", "x:budget_cut", "1:2:3:4"):
        with pytest.raises(ParameterError, match="--event"):
            Event.parse(bad)


def test_params_are_immutable_comparable_and_picklable():
    p = Params(cede_willingness=0.2)
    with pytest.raises(AttributeError, match="immutable"):
        p.cede_willingness = 0.3
    q = p.replace(cede_willingness=0.3)
    assert p.cede_willingness == 0.2 and q.cede_willingness == 0.3
    same = Params(cede_willingness=0.2)
    assert p != q and p == same and hash(p) == hash(same)
    assert pickle.loads(pickle.dumps(p)) == p
    assert "cede_willingness=0.2" in repr(p)
    with pytest.raises(ParameterError, match="cede_willingness"):
        p.replace(cede_willingness=2)


def test_replace_checks_what_it_changes_against_what_it_keeps():
    """A copy is held to the rules between parameters, and its values are validated."""
    p = Params(landscape_k=3)
    with pytest.raises(ParameterError, match="landscape_k=3 .* n_practices=3"):
        p.replace(n_practices=3)
    q = p.replace(n_practices=12, horizon=np.int64(40))
    assert q == Params(landscape_k=3, n_practices=12, horizon=40)
    assert type(q.horizon) is int


def test_shipped_scenarios_load_and_cite_evidence():
    assert set(available()) >= {"iocn", "clahrc", "beston", "hierarchy"}
    for name in available():
        preset = read_scenario_file(
            collabsim.scenarios.resources.files(collabsim.scenarios) / f"{name}.toml"
        )
        assert preset.description and preset.evidence, name
        scenario(name)
    assert scenario("clahrc").network_type == "issue"
    assert scenario("beston").events[0].kind == "partner_withdraws"
    assert scenario("hierarchy").convened is False


def test_scenario_overrides_and_errors(tmp_path):
    assert scenario("beston", cede_willingness=0.2).cede_willingness == 0.2
    with pytest.raises(ParameterError, match="unknown scenario 'bestn'.*did you mean beston"):
        scenario("bestn")
    with pytest.raises(ParameterError, match="scenario beston: cede_willingness"):
        scenario("beston", cede_willingness=3)
    own = tmp_path / "mine.toml"
    own.write_text(
        '[scenario]\ndescription = "x"\n[params]\nn_people = 40\n'
        '[[events]]\nstep = 3\nkind = "budget_cut"\n'
    )
    mine = scenario(str(own))
    assert mine.n_people == 40 and mine.events[0].step == 3
    bad = tmp_path / "bad.toml"
    bad.write_text("[params]\nn_people = 40\n[extras]\nx = 1\n")
    with pytest.raises(ParameterError, match=r"unknown table \[extras\]; allowed: \[scenario\]"):
        scenario(str(bad))
    broken = tmp_path / "broken.toml"
    broken.write_text("[params\n")
    with pytest.raises(ParameterError, match="not valid TOML"):
        scenario(str(broken))
    typo = tmp_path / "typo.toml"
    typo.write_text("[params]\ncede_wilingness = 0.2\n")
    with pytest.raises(ParameterError, match="scenario typo: unknown parameter 'cede_wilingness'"):
        scenario(str(typo))


def test_run_refuses_bad_arguments(default_params):
    with pytest.raises(ParameterError, match="seed=-1"):
        collabsim.run(default_params, seed=-1)
    with pytest.raises(ParameterError, match="steps=-3"):
        collabsim.run(default_params, seed=0, steps=-3)
    with pytest.raises(ParameterError, match="params must be a collabsim.Params"):
        collabsim.run({"n_people": 30}, seed=0)
    with pytest.raises(TypeError):
        collabsim.run(default_params, 0)  # seed is keyword-only


def test_each_settings_bundle_carries_its_parameters_by_name():
    """A run's bundles read every field that names a parameter from that parameter."""
    from collabsim.settings import Settings

    params = collabsim.scenario("clahrc", trust_gain=0.123, grant_base=-0.7)
    settings = Settings.of(params)
    checked = 0
    for group, values in settings._asdict().items():
        for name in values._fields:
            if name in PARAMETERS:
                assert getattr(values, name) == params[name], (group, name)
                checked += 1
    assert checked >= 40
    assert settings.trust.trust_gain == 0.123 and settings.grants.grant_base == -0.7
    assert settings.change.word_of_mouth_across_pathways is False  # clahrc is issue-based


@pytest.mark.parametrize(
    ("name", "value"),
    [("cede_willingness", 10**400), ("network_type", np.array(["place", "issue"]))],
)
def test_values_python_cannot_compare_or_convert_are_refused_naming_the_parameter(name, value):
    with pytest.raises(ParameterError, match=f"^{name}=.* is not allowed"):
        Params(**{name: value})


@pytest.mark.parametrize(
    "name", [name for name, p in PARAMETERS.items() if p.kind in ("float", "int") and p.unit]
)
def test_an_out_of_range_value_is_refused_with_its_range_and_a_unit_that_adds_to_it(name):
    declared = PARAMETERS[name]
    with pytest.raises(ParameterError) as refused:
        Params(**{name: declared.high + 1})
    message = str(refused.value)
    assert message.startswith(f"{name}=") and f"expected {declared.allowed()}" in message
    if declared.unit != "0-1":
        assert message.endswith(f"({declared.unit})")
    elif (declared.low, declared.high) == (0, 1):  # the range says it all: no "(0-1)" after it
        assert message.endswith("from 0 to 1")
    else:
        assert message.endswith("(on a 0-1 scale)")


#: A passage in single quotes, as the declarations quote the field studies.
QUOTED = re.compile(r"(?:^|(?<=[\s(\[]))'(.+?)'(?=[\s,.;:)]|$)")


def test_every_passage_a_parameter_quotes_is_in_the_field_studies():
    """Evidence quoted for a parameter is the studies' own words (gaps as ... allowed)."""
    quoted = [(name, q) for name, p in PARAMETERS.items() for q in QUOTED.findall(p.evidence)]
    assert len(quoted) > 60  # the declarations quote the studies throughout
    missing = [(name, q, gap) for name, q in quoted if (gap := quoted_words_missing(q))]
    assert not missing, f"not in the field studies: {missing}"


def test_every_passage_a_scenario_quotes_is_in_the_field_studies():
    quoted = [
        (name, q) for name in available() for q in QUOTED.findall(load_scenario(name).evidence)
    ]
    assert len(quoted) > 10
    missing = [(name, q, gap) for name, q in quoted if (gap := quoted_words_missing(q))]
    assert not missing, f"not in the field studies: {missing}"
