"""OpenSpiel card games behind one adapter interface: `games.load(name, **params)`."""
from __future__ import annotations

import importlib

import pyspiel

from games.base import ALL, Event, GameAdapter, only
from games.chance import sample_chance
from games.registry import ADAPTERS

__all__ = ["ALL", "Event", "GameAdapter", "only", "sample_chance", "load", "supported", "adapter_class",
           "check_game"]


def supported() -> list[str]:
    """Names of the card games with a dedicated adapter (others may load through the generic fallback)."""
    return list(ADAPTERS)


def adapter_class(name: str) -> type[GameAdapter]:
    """The adapter class for `name`: a dedicated one, else the generic fallback."""
    if name in ADAPTERS:
        module, cls = ADAPTERS[name].split(":")
        return getattr(importlib.import_module(module), cls)
    from games.generic import GenericGame
    return GenericGame


def load(name: str, **params) -> GameAdapter:
    """Load OpenSpiel game `name` with `params` over its defaults; raises ValueError naming what is accepted."""
    cls = adapter_class(name)
    return cls(check_game(name, params), {**cls.default_params, **params})


def check_game(name: str, params: dict) -> pyspiel.Game:
    """OpenSpiel's game `name` with `params` over the adapter's defaults. Refused, in one line that says what is
    accepted: a game OpenSpiel does not have, a parameter it does not take, a value of another type than the
    parameter's default (an integer is accepted where a number is), and values OpenSpiel itself refuses."""
    if name not in ADAPTERS and name not in pyspiel.registered_names():
        raise ValueError(f"unknown game {name!r}; supported card games: {', '.join(supported())} "
                         "(any other sequential OpenSpiel game with an observation or information-state tensor "
                         "or string loads through the generic fallback)")
    game = pyspiel.load_game(name)  # what it takes: its type's specification (bridge's own parameters read empty)
    defaults = {**game.get_type().parameter_specification, **game.get_parameters()}
    takes = ", ".join(f"{k} (default {v!r})" for k, v in sorted(defaults.items())) or "none"
    for key, value in params.items():
        if key not in defaults:
            raise ValueError(f"{name} has no parameter {key!r}; its parameters: {takes}")
        kind = type(defaults[key])
        fits = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        fits |= kind is float and isinstance(value, int) and not isinstance(value, bool)
        if not fits:
            raise ValueError(f"{name}'s parameter {key} takes {kind.__name__} values like {defaults[key]!r}, "
                             f"got {value!r}")
    merged = {**adapter_class(name).default_params, **params}
    try:
        return pyspiel.load_game(name, merged)
    except pyspiel.SpielError as e:
        raise ValueError(f"OpenSpiel refused {name} with parameters {merged}: {e}") from None
