"""--game-params: checked against OpenSpiel's own parameters, kept in the run's config and its model, given to the
self-play worker, and part of the game check on --resume."""
import json

import pyspiel
import pytest

import games
from agent.agent import load_agent
from agent.rundir import RunDir
from agent.training.config import TrainConfig
from agent.training.loop import train
from scripts import train as train_script
from tests.test_bad_input import TINY, flat, refused
from tests.test_training import tiny_config


def ends(history: list[int]) -> bool:
    """Whether `history` is a whole game of 3-player kuhn poker in OpenSpiel."""
    state = pyspiel.load_game("kuhn_poker", {"players": 3}).new_initial_state()
    for action in history:
        if action not in state.legal_actions():
            return False
        state.apply_action(action)
    return state.is_terminal()


@pytest.mark.parametrize("params, says", [
    ({"plyers": 3}, "kuhn_poker has no parameter 'plyers'; its parameters: players (default 2)"),
    ({"players": "three"}, "kuhn_poker's parameter players takes int values like 2, got 'three'"),
    ({"players": 2.5}, "kuhn_poker's parameter players takes int values like 2, got 2.5"),
    ({"players": 1}, "OpenSpiel refused kuhn_poker with parameters {'players': 1}"),
])
def test_parameters_the_game_does_not_take_are_refused(params, says):
    with pytest.raises(ValueError) as e:
        TrainConfig(game="kuhn_poker", game_params=params)
    assert says in str(e.value)


def test_the_command_line_takes_them_and_refuses_bad_ones_before_writing(tmp_path, capsys):
    out = tmp_path / "run"
    said = refused(capsys, train_script.main, TINY + ["--out", str(out), "--game-params", "players", "three"])
    assert "kuhn_poker's parameter players takes int values like 2, got 'three'" in flat(said)
    assert not out.exists()
    cfg = train_script.parse(TINY + ["--game-params", "players", "3"])
    assert cfg.game_params == {"players": 3}
    assert games.load("leduc_poker", **train_script.parse(["--game", "leduc_poker", "--game-params", "players", "3",
                                                           "suit_isomorphism", "True"]).game_params).num_players == 3


def test_a_three_player_kuhn_run_trains_resumes_and_keeps_its_game(tmp_path):
    out = tmp_path / "run"
    train(tiny_config(out, steps=8, game_params={"players": 3}, actor="process"), quiet=True)
    assert json.loads(RunDir(out).config.read_text())["game_params"] == {"players": 3}
    agent = load_agent(out)
    assert agent.adapter.num_players == 3 and agent.model.spec.params == {"players": 3}
    assert agent.adapter.uniform_exploitability is None  # the 2-player figure does not carry over
    episodes = [json.loads(line) for line in (RunDir(out).latest() / "replay.jsonl").read_text().splitlines()]
    assert episodes and all(ends(e["history"]) for e in episodes)  # the worker played 3-player games
    resumed = train(tiny_config(out, steps=12, resume=True), quiet=True)  # the run's own params, not the default
    assert resumed.updates == 12 and resumed.cfg.game_params == {"players": 3}
    saved = json.loads(RunDir(out).config.read_text())
    saved["game_params"] = {}
    RunDir(out).config.write_text(json.dumps(saved))
    with pytest.raises(ValueError, match=r"holds a model for kuhn_poker \{'players': 3\}, not for kuhn_poker \{\}"):
        train(tiny_config(out, steps=16, resume=True), quiet=True)
