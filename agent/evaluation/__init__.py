"""Evaluation against the real game: matches against baselines, the players that sit at a seat, exploitability,
generated-action and belief quality, and the report of a trained run."""
