"""Typed configs read back from JSON: a dataclass from the dict `dataclasses.asdict` wrote, with one-line errors."""
from __future__ import annotations

import dataclasses
from typing import TypeVar

T = TypeVar("T")


def from_dict(cls: type[T], data, source: str) -> T:
    """An instance of dataclass `cls` from `data`; ValueError names `source` and what is unknown or malformed
    (the dataclass's own checks included)."""
    names = [f.name for f in dataclasses.fields(cls)]
    if not isinstance(data, dict):
        raise ValueError(f"{source} must be a JSON object of {cls.__name__} options, got {data!r}")
    unknown = sorted(set(data) - set(names))
    if unknown:
        raise ValueError(f"{source} has unknown options {unknown}; options: {names}")
    try:
        return cls(**data)
    except (TypeError, ValueError) as e:
        raise ValueError(f"{source}: {e}") from None
