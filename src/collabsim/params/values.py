"""A run's parameter values: ``Params``, complete and validated against the table."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from collabsim.organisations import ACADEMIC_PARTNER_KIND
from collabsim.params.checks import ParameterError
from collabsim.params.table import PARAMETERS, declaration, unknown_parameter


class Params(Mapping):
    """A complete, validated set of parameter values.

    ``Params()`` gives the defaults (the ``iocn`` scenario); keyword arguments override
    them. Values are checked against their declarations and against each other; a bad
    value raises ``ParameterError`` naming the parameter, the value and what is allowed.
    Read values as attributes (``params.cede_willingness``) or as a mapping.

    Args:
        **values: Parameter values to override, by name.
    """

    def __init__(self, **values: Any) -> None:
        self._take({name: p.default for name, p in PARAMETERS.items()}, values)

    def _take(self, values: dict[str, Any], changes: Mapping[str, Any]) -> None:
        """Hold ``values`` (valid already) with ``changes`` validated and applied."""
        merged = dict(values)
        for name, value in changes.items():
            merged[name] = declaration(name).validate(value)
        _check_together(merged)
        object.__setattr__(self, "_values", merged)
        self.__dict__.update(merged)  # plain attribute reads: the model reads them often

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Params is immutable: use params.replace(name=value)")

    def __getattr__(self, name: str) -> Any:  # only called for names that are not set
        if name.startswith("_"):
            raise AttributeError(name)
        raise AttributeError(str(unknown_parameter(name)))

    def __getitem__(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise unknown_parameter(name) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Params) and self._values == other._values

    def __hash__(self) -> int:
        return hash(tuple(self._values.items()))

    def __repr__(self) -> str:
        changed = {k: v for k, v in self._values.items() if v != PARAMETERS[k].default}
        inner = ", ".join(f"{k}={v!r}" for k, v in changed.items())
        return f"Params({inner})"

    def __reduce__(self):
        return (_rebuild, (self.to_dict(),))

    def replace(self, **changes: Any) -> Params:
        """Return a copy with ``changes`` applied (and validated)."""
        copy = Params.__new__(Params)
        copy._take(self._values, changes)  # the values kept were validated when set
        return copy

    def to_dict(self) -> dict[str, Any]:
        """Return plain values (lists for sequences, dicts for events), JSON friendly."""
        out: dict[str, Any] = {}
        for name, value in self._values.items():
            if PARAMETERS[name].kind == "events":
                out[name] = [e.to_dict() for e in value]
            elif PARAMETERS[name].kind == "kinds":
                out[name] = list(value)
            else:
                out[name] = value
        return out


def _rebuild(values: dict[str, Any]) -> Params:
    return Params(**values)


def _check_together(v: dict[str, Any]) -> None:
    """Rules that involve more than one parameter."""
    if v["top_share"] + v["middle_share"] > 1.0:
        raise ParameterError(
            f"top_share + middle_share = {v['top_share'] + v['middle_share']:g} is not allowed: "
            "the two shares must add up to at most 1"
        )
    if v["landscape_k"] >= v["n_practices"]:
        raise ParameterError(
            f"landscape_k={v['landscape_k']} is not allowed: it must be smaller than "
            f"n_practices={v['n_practices']}"
        )
    n_orgs = len(v["organisations"]) + (1 if v["academic_partner"] else 0)
    if v["n_people"] < n_orgs + 2:
        raise ParameterError(
            f"n_people={v['n_people']} is not allowed: {n_orgs} organisations need at least "
            f"{n_orgs + 2} people (one each, plus the convener and central leader)"
        )
    present = organisations_present(v)
    for event in v["events"]:
        # week w runs as step w (events at 0 shape the start), so the last week that
        # happens is the horizon; a later event would silently never happen
        if event.step > v["horizon"]:
            raise ParameterError(
                f"events: {event.kind} at step={event.step} is after the scenario's last "
                f"week, horizon={v['horizon']}: expected a step from 0 to {v['horizon']}, or "
                f"a longer horizon (horizon={event.step}; on the command line --set "
                f"horizon={event.step}); to run fewer weeks, keep the horizon and run fewer "
                "steps (collabsim.run(..., steps=N), model.run_for(N), or --steps N)"
            )
        check_organisation_present(event, present)


def organisations_present(values: Mapping[str, Any]) -> set[str]:
    """The organisation kinds a network of these values has, the academic partner's too."""
    present = set(values["organisations"])
    if values["academic_partner"]:
        present.add(ACADEMIC_PARTNER_KIND)
    return present


def check_organisation_present(event: Any, present: set[str]) -> None:
    """Refuse an event about an organisation kind the network does not have (a no-op)."""
    if event.organisation is not None and event.organisation not in present:
        raise ParameterError(
            f"events: organisation={event.organisation!r} (step {event.step}, {event.kind}) "
            "is not in this network; present: " + ", ".join(sorted(present))
        )
