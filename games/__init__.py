"""OpenSpiel card games behind one adapter interface: `games.load(name, **params)`."""
from __future__ import annotations

import importlib

import pyspiel

from games.base import ALL, Event, GameAdapter, only
from games.chance import sample_chance
from games.registry import ADAPTERS

__all__ = ["ALL", "Event", "GameAdapter", "only", "sample_chance", "load", "supported", "adapter_class"]


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
    if name not in ADAPTERS and name not in pyspiel.registered_names():
        raise ValueError(f"unknown game {name!r}; supported card games: {', '.join(supported())} "
                         "(any other OpenSpiel game with an observation or information-state tensor "
                         "loads through the generic fallback)")
    cls = adapter_class(name)
    merged = {**cls.default_params, **params}
    try:
        game = pyspiel.load_game(name, merged)
    except pyspiel.SpielError as e:
        raise ValueError(f"OpenSpiel refused {name} with parameters {merged}: {e}") from None
    return cls(game, merged)
