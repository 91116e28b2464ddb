"""Bad arguments are refused in one line naming them: the model's constructor and
``reset_rng``, a scenario file's ``[scenario]`` table, and an event's organisation."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from cli_support import collabsim_cmd, one_error_line
from mesa.experimental.scenarios import Scenario

import collabsim
from collabsim import CollaborationModel
from collabsim.organisations import ORGANISATION_KINDS
from collabsim.params import Event, ParameterError
from collabsim.scenarios import read_scenario_file

#: What the model's ``params`` may be, as the refusal says it.
PARAMS_ALLOWED = (
    "params must be a collabsim.Params, a scenario name, the path of a scenario TOML file or None"
)


# --- 1. the model's constructor and reset_rng -----------------------------------------------


@pytest.mark.parametrize(("given", "kind"), [(5, "int"), ({"n_people": 30}, "dict")])
def test_params_of_another_type_are_refused_saying_what_is_allowed(given, kind):
    with pytest.raises(ParameterError) as refused:
        CollaborationModel(given)
    assert str(refused.value) == f"{PARAMS_ALLOWED}, got {kind}"


def test_params_may_be_a_scenario_files_path_as_a_string_or_a_path(tmp_path):
    path = tmp_path / "own.toml"
    path.write_text("[params]\nn_people = 40\n", encoding="utf-8")
    expected = collabsim.scenario(path)
    assert CollaborationModel(str(path), rng=1).params == expected
    assert CollaborationModel(path, rng=1).params == expected


@pytest.mark.parametrize("keyword", ["rng", "seed"])
@pytest.mark.parametrize("value", ["a", 1.5, -1, True, [1, "a"]])
def test_a_seed_mesa_cannot_use_is_refused_like_collabsims_run(keyword, value):
    expected = f"{keyword}={value!r} is not allowed: expected a whole number >= 0"
    with pytest.raises(ParameterError) as refused:
        CollaborationModel("beston", **{keyword: value})
    assert str(refused.value) == expected
    if keyword == "rng" and not isinstance(value, list):  # the same words as collabsim.run's
        with pytest.raises(ParameterError) as by_run:
            collabsim.run(collabsim.scenario("beston"), seed=value, steps=1)
        assert str(by_run.value) == expected.replace("rng=", "seed=")


def test_a_mesa_scenarios_seed_is_checked_too():
    with pytest.raises(ParameterError, match=r"^scenario.rng='a' is not allowed: expected a whole"):
        CollaborationModel("beston", scenario=Scenario(rng="a"))


@pytest.mark.parametrize(
    "value",
    [
        None,
        3,
        np.int64(3),
        [1, 2],
        np.array([1, 2]),
        np.random.SeedSequence(3),
        np.random.PCG64(3),
        np.random.default_rng(3),
    ],
    ids=lambda value: type(value).__name__,
)
def test_every_rng_mesa_documents_is_still_accepted(value):
    model = CollaborationModel("beston", rng=value, silo_twin=False)
    model.step()
    model.reset_rng(value)
    model.step()


@pytest.mark.parametrize("value", [None, 3, np.int64(3)], ids=lambda value: type(value).__name__)
def test_every_seed_mesa_can_use_is_still_accepted(value):
    # Mesa's older keyword seeds Python's random too, which takes no NumPy generator
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        CollaborationModel("beston", seed=value, silo_twin=False).step()


def test_a_numpy_whole_number_seeds_as_the_python_one():
    def weeks(rng):
        model = CollaborationModel("beston", rng=rng)
        for _ in range(4):
            model.step()
        return model.timeseries()

    pd.testing.assert_frame_equal(weeks(np.int64(7)), weeks(7), check_exact=True)


@pytest.mark.parametrize("value", ["abc", 1.5, -1, True])
def test_reset_rng_refuses_what_the_constructor_refuses(value):
    model = CollaborationModel("beston", rng=1, silo_twin=False)
    with pytest.raises(ParameterError) as refused:
        model.reset_rng(value)
    assert str(refused.value) == f"rng={value!r} is not allowed: expected a whole number >= 0"


# --- 2. a scenario file's [scenario] table ----------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "horizon = -3",
            "[scenario]: unknown key 'horizon'; allowed: description, evidence",
        ),
        ("name = 5", "[scenario]: unknown key 'name'; allowed: description, evidence"),
        ("foo = 1", "[scenario]: unknown key 'foo'; allowed: description, evidence"),
        ('base = "nope"', "[scenario]: unknown key 'base'; allowed: description, evidence"),
        (
            "descripton = 'x'",
            "[scenario]: unknown key 'descripton'; allowed: description, evidence; "
            "did you mean description?",
        ),
        (
            "description = 5",
            "[scenario]: description=5 is not allowed: expected a string",
        ),
        (
            "evidence = ['a']",
            "[scenario]: evidence=['a'] is not allowed: expected a string",
        ),
    ],
)
def test_a_scenario_table_holds_only_its_own_keys_as_strings(tmp_path, line, expected):
    path = tmp_path / "p6.toml"
    path.write_text(f"[scenario]\n{line}\n", encoding="utf-8")
    with pytest.raises(ParameterError) as refused:
        read_scenario_file(path)
    assert str(refused.value) == f"{path}: {expected}"


@pytest.mark.parametrize("table", ["scenario", "params"])
def test_a_table_that_is_not_a_table_is_refused(tmp_path, table):
    path = tmp_path / "flat.toml"
    path.write_text(f"{table} = 5\n", encoding="utf-8")
    with pytest.raises(ParameterError) as refused:
        read_scenario_file(path)
    assert str(refused.value) == f"{path}: {table} must be a table ([{table}])"


def test_a_good_scenario_table_is_still_read(tmp_path):
    path = tmp_path / "own.toml"
    path.write_text(
        '[scenario]\ndescription = "d"\nevidence = "e"\n[params]\nn_people = 40\n',
        encoding="utf-8",
    )
    preset = read_scenario_file(path)
    assert (preset.description, preset.evidence, preset.values) == ("d", "e", {"n_people": 40})


def test_the_command_refuses_a_bad_scenario_table_in_one_line(tmp_path):
    (tmp_path / "p6.toml").write_text("[scenario]\nhorizon = -3\n", encoding="utf-8")
    done = collabsim_cmd("run", "--steps", "5", "--scenario", "p6.toml", cwd=tmp_path)
    line = one_error_line(done)
    assert line.endswith(
        "p6.toml: [scenario]: unknown key 'horizon'; allowed: description, evidence"
    )
    assert not (tmp_path / "results").exists()


# --- 3. an event's organisation ---------------------------------------------------------------


def test_an_unknown_organisation_lists_the_organisation_kinds():
    with pytest.raises(ParameterError) as refused:
        Event(10, "budget_cut", "nowhere")
    assert str(refused.value) == (
        "events: organisation='nowhere' is not an organisation kind; allowed: "
        + ", ".join(ORGANISATION_KINDS)
    )


def test_a_close_organisation_still_gets_a_suggestion():
    with pytest.raises(ParameterError, match="did you mean pharmacy"):
        Event(10, "budget_cut", "pharmacie")


def test_the_command_lists_the_organisation_kinds(tmp_path):
    done = collabsim_cmd("run", "--steps", "20", "--event=10:budget_cut:nowhere", cwd=tmp_path)
    line = one_error_line(done)
    assert "organisation='nowhere' is not an organisation kind; allowed: acute_trust," in line


@pytest.mark.parametrize(("option", "value"), [("silo_twin", "no"), ("progress", 3)])
def test_run_refuses_an_option_of_the_wrong_kind_in_one_line(option, value):
    with pytest.raises(ParameterError, match=f"{option}={value!r} is not allowed"):
        collabsim.run(collabsim.Params(), seed=1, steps=2, **{option: value})


def test_two_results_are_equal_when_they_ran_alike_and_produced_the_same():
    params = collabsim.scenario("beston")
    first, again = (collabsim.run(params, seed=1, steps=30) for _ in range(2))
    assert first.summary["trust_in_actor_before"] != first.summary["trust_in_actor_before"]
    assert first == again and first == pickle.loads(pickle.dumps(first))  # NaN equals NaN
    assert first != collabsim.run(params, seed=2, steps=30)
    assert first != collabsim.run(params, seed=1, steps=29)
