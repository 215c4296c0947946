"""Every supported game has a recipe, and each recipe is a valid training config within the laptop budget."""
from __future__ import annotations

import pytest

import games
from agent.training.recipes import RECIPES
from scripts.train import parse


def test_every_supported_game_has_a_recipe():
    assert sorted(RECIPES) == sorted(games.supported())


@pytest.mark.parametrize("game", sorted(RECIPES))
def test_a_recipe_parses_to_its_game_on_the_tiny_preset_within_30_minutes(game):
    cfg = parse(["--recipe", game]).resolved()
    assert cfg.game == game and cfg.preset == "tiny" and cfg.minutes <= 30


def test_flags_after_a_recipe_win_and_a_bad_recipe_is_refused_in_one_line():
    assert parse(["--recipe", "hearts", "--minutes", "2"]).minutes == 2
    assert parse(["--minutes", "2", "--recipe", "hearts"]).minutes == 2  # flags given before it win as well
    with pytest.raises(SystemExit, match="no recipe for 'poker'; recipes: kuhn_poker"):
        parse(["--recipe", "poker"])


def test_model_fields_after_a_recipe_join_its_own_and_win_where_they_overlap():
    assert parse(["--recipe", "hearts"]).model == {"chance_read": "outcome"}
    assert parse(["--recipe", "hearts", "--model", "width", "32"]).model == {"chance_read": "outcome", "width": 32}
    assert parse(["--recipe", "hearts", "--model", "chance_read", "chance", "--minutes", "2"]).model == {
        "chance_read": "chance"}
    assert parse(["--recipe", "crazy_eights", "--model", "width", "32"]).model == {"width": 32}
    assert parse(["--game", "hearts", "--model", "width", "32"]).model == {"width": 32}
