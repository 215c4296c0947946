"""The evaluation's baselines are wired right (checked against exact values), its ablation searches with the real
legal set below the root, and `scripts.evaluate` turns a run directory into its report or a clear error."""
from __future__ import annotations

import itertools
import json
import random

import pytest
import torch
from open_spiel.python import policy as os_policy
from open_spiel.python.algorithms import expected_game_score

import games
from agent.agent import Agent, load_agent
from agent.episodes import play_random, trace
from agent.evaluation.matches import head_to_head
from agent.evaluation.players import Player, UniformRandom, cfr_plus, gin_bot, ismcts
from agent.model import Model
from agent.model.config import GameSpec, preset
from agent.model.files import save_model
from agent.rundir import RunDir
from agent.search.config import SearchConfig
from agent.search.tree import Decision
from games.chance import sample_chance
from scripts import evaluate
from tokenizer import Tokenizer


def test_uniform_random_against_itself_is_even():
    for game, n in (("leduc_poker", 2000), ("hearts", 200)):
        adapter = games.load(game)
        res = head_to_head(adapter, UniformRandom(1), UniformRandom(2), n, seed=0)
        assert abs(res["mean_return"] - res["table_mean"]) <= res["ci95"], (game, res)
        assert res["games"] == n and set(res["by_seat"]) == set(range(adapter.num_players))


class _Always(Player):
    """Plays one fixed action wherever it is legal (blackjack: 0 hits, 1 stands)."""

    def __init__(self, action: int):
        self.action = action

    def act(self, moves):
        """The fixed action in every game asked about."""
        return [self.action for _ in moves]


def test_a_one_player_game_measures_the_player_against_the_opponent_playing_alone():
    """Blackjack has no seat for the opponent, so its figure to beat is its own return: always hitting busts in
    every game (-1 each, by the rules), while standing at once loses far less."""
    adapter = games.load("blackjack")
    res = head_to_head(adapter, _Always(1), _Always(0), 300, seed=0)
    assert res["alone"] and res["table_mean"] == -1.0
    assert -0.6 < res["mean_return"] < 0.0 and res["margin"] == pytest.approx(res["mean_return"] + 1.0)
    assert res["margin_ci95"] == pytest.approx(res["ci95"])  # the opponent's returns do not vary
    assert len(res["histories"]) == 300


def test_cfr_plus_gains_its_exact_value_against_uniform_random_on_leduc():
    adapter = games.load("leduc_poker")
    cfr = cfr_plus(adapter, 300)
    game = adapter.game

    class Avg(os_policy.Policy):
        def __init__(self):
            super().__init__(game, [0, 1])

        def action_probabilities(self, state, player_id=None):
            return cfr.policy.action_probabilities(state)

    uniform = os_policy.UniformRandomPolicy(game)
    exact = 0.5 * (expected_game_score.policy_value(game.new_initial_state(), [Avg(), uniform])[0]
                   + expected_game_score.policy_value(game.new_initial_state(), [uniform, Avg()])[1])
    assert 0.6 <= exact <= 0.8, exact  # "about +0.7 per hand"
    res = head_to_head(adapter, cfr, UniformRandom(1), 2000, seed=0)
    assert abs(res["mean_return"] - exact) <= res["ci95"], (res, exact)


@pytest.mark.parametrize("game", ["kuhn_poker", "leduc_poker"])
def test_ismcts_beats_uniform_random(game):
    adapter = games.load(game)
    res = head_to_head(adapter, ismcts(adapter, 300), UniformRandom(1), 400, seed=0)
    assert res["mean_return"] - res["ci95"] > 0, res


def test_baselines_refuse_games_they_do_not_play():
    with pytest.raises(ValueError, match="CFR"):
        cfr_plus(games.load("hearts"))
    with pytest.raises(ValueError, match="gin"):
        gin_bot(games.load("leduc_poker"))
    with pytest.raises(ValueError, match="resample"):
        ismcts(games.load("crazy_eights"))
    with pytest.raises(ValueError, match="segmentation fault"):  # OpenSpiel's bot crashes there
        ismcts(games.load("hearts"))


def _inner_nodes(node: Decision, depth: int = 0):
    for child in node.children:
        if child is None:
            continue
        for dec in child.children.values():
            yield dec, depth + 1
            yield from _inner_nodes(dec, depth + 1)


def test_rules_inner_ablation_searches_exactly_the_real_legal_set_below_the_root():
    adapter = games.load("leduc_poker")
    torch.manual_seed(0)
    model = Model(preset("tiny"), GameSpec.of(adapter))
    agent = Agent(adapter, model, search=SearchConfig(simulations=24, particles=2), inner_actions="rules", seed=0)
    state = adapter.new_initial_state()
    state.apply_action(0)
    state.apply_action(3)
    seen = 0
    for tree in agent.trees([state]):
        for root in tree.particles:
            for node, _ in _inner_nodes(root):
                _, real, _ = node.info.handle
                want = [] if real.is_terminal() else sorted(
                    tuple(agent.tok.encode_action(real, a)) for a in real.legal_actions())
                assert sorted(node.info.keys) == want
                assert node.info.terminal == real.is_terminal()
                seen += 1
    assert seen >= 10
    with pytest.raises(ValueError, match="inner_actions"):
        Agent(adapter, model, inner_actions="rules", oracle=True)


@pytest.mark.parametrize("params", [{}, {"players": 3}])
def test_rules_inner_plans_on_possible_worlds_or_refuses(params):
    """crazy_eights, which OpenSpiel gives no resampler: every particle carries a world drawn through the walk
    that its player cannot tell from the real state. At three players the walk has no guide: rules_inner
    refuses in one line, where the learned search would take b's free samples."""
    adapter = games.load("crazy_eights", **params)
    torch.manual_seed(0)
    agent = Agent(adapter, Model(preset("tiny"), GameSpec.of(adapter)), search=SearchConfig(simulations=8, particles=4),
                  inner_actions="rules", seed=0)
    state = adapter.new_initial_state()
    sample_chance(state, random.Random(0))  # the deal: a player to move
    player = state.current_player()
    if params:
        with pytest.raises(ValueError, match="rules_inner plans on possible worlds, and none can be drawn here"):
            agent.trees([state])
        return
    for tree in agent.trees([state]):
        for root in tree.particles:
            _, world, _ = root.info.handle
            assert agent.tok.encode_observation(world, player) == agent.tok.encode_observation(state, player)


@pytest.fixture
def run_dir(tmp_path):
    adapter = games.load("kuhn_poker")
    torch.manual_seed(0)
    save_model(Model(preset("tiny"), GameSpec.of(adapter)), tmp_path / "model")
    RunDir(tmp_path).write_search(SearchConfig(simulations=6, particles=2))
    return tmp_path


def test_evaluate_writes_the_report_of_a_run(run_dir, capsys):
    res = evaluate.main(["--run", str(run_dir), "--episodes", "20", "--ismcts-simulations", "50",
                         "--cfr-iterations", "50", "--quality-positions", "24", "--wandb-mode", "disabled",
                         "--opponents", "random", "cfr", "gin_bot", "--variants", "agent", "particles1",
                         "rules_inner"])
    printed = capsys.readouterr().out
    assert {(m["variant"], m["opponent"]) for m in res["matches"]} == {
        (v, o) for v in ("agent", "particles1", "rules_inner") for o in ("random", "cfr")}
    assert [s["opponent"] for s in res["skipped"]] == ["gin_bot"]
    assert all(m["chosen_legal"] == 1.0 and m["games"] == 20 for m in res["matches"])
    assert set(res["exploitability"]) == {"agent", "particles1", "rules_inner"}
    assert all(0 <= e <= 1.5 for e in res["exploitability"].values())
    assert set(res["generator"]) >= {"0", "1"} and 0 <= res["generator"]["0"]["precision"] <= 1
    assert 0 <= res["belief_posterior"]["tv_mean"] <= 1
    # the agent's root worlds at each quality position (24, under the default 50), judged by OpenSpiel
    assert res["possible_worlds"] == {"share": 1.0, "drawn": 24 * 8, "states": 24}
    saved = json.loads((run_dir / "eval" / "results.json").read_text())
    assert saved["matches"] == json.loads(json.dumps(res["matches"]))
    assert (run_dir / "eval" / "matches.png").stat().st_size > 0
    assert "vs random" in printed and "exploitability" in printed


def test_a_variant_that_fails_is_reported_and_the_others_are_kept(run_dir, monkeypatch, capsys):
    from agent.evaluation import report

    real = report.variant

    def variant(run, name, *args):
        if name == "particles1":
            raise ValueError("no possible world")
        return real(run, name, *args)

    monkeypatch.setattr(report, "variant", variant)
    res = evaluate.main(["--run", str(run_dir), "--episodes", "10", "--quality-positions", "8", "--wandb-mode",
                         "disabled", "--opponents", "random", "--variants", "agent", "particles1"])
    assert res["failed"] == [{"variant": "particles1", "why": "no possible world"}]
    assert [(m["variant"], m["opponent"]) for m in res["matches"]] == [("agent", "random")]
    assert "particles1 could not be evaluated: no possible world" in capsys.readouterr().out


def test_min_ratio_overrides_the_generator_floor_of_the_checkpoint(run_dir, monkeypatch):
    from agent.evaluation import generator as quality

    floors, real = [], quality.sample_actions

    def sample_actions(model, *args, **kw):  # records the floor G's candidates are cut at
        floors.append(model.cfg.min_ratio)
        return real(model, *args, **kw)

    monkeypatch.setattr(quality, "sample_actions", sample_actions)
    args = ["--run", str(run_dir), "--episodes", "2", "--quality-positions", "8", "--wandb-mode", "disabled",
            "--opponents", "random", "--variants", "agent", "--no-exploitability"]
    res = evaluate.main(args)
    assert res["min_ratio"] == preset("tiny").min_ratio and set(floors) == {preset("tiny").min_ratio}
    floors.clear()
    res = evaluate.main(args + ["--min-ratio", "0.05"])
    assert res["min_ratio"] == 0.05 and set(floors) == {0.05}
    with pytest.raises(SystemExit, match=r"min_ratio must be in \[0, 1\), got 1.5"):
        evaluate.main(args + ["--min-ratio", "1.5"])


def test_search_options_override_the_runs_play_search(run_dir, monkeypatch, capsys):
    from agent.evaluation import report

    searched, real = [], report.Agent.search

    def search(self, states, **kw):  # records the settings every search of the evaluation runs with
        searched.append(self.cfg)
        return real(self, states, **kw)

    monkeypatch.setattr(report.Agent, "search", search)
    args = ["--run", str(run_dir), "--episodes", "4", "--quality-positions", "4", "--wandb-mode", "disabled",
            "--opponents", "random", "--variants", "agent", "--no-exploitability"]
    res = evaluate.main(args + ["--play.root", "gumbel", "--play.gumbel-c-scale", "0.5", "--play.repeats", "2"])
    assert (res["search"]["root"], res["search"]["gumbel_c_scale"], res["search"]["repeats"]) == ("gumbel", 0.5, 2)
    assert searched and {(c.root, c.gumbel_c_scale, c.repeats, c.simulations) for c in searched} == {
        ("gumbel", 0.5, 2, 6)}  # the run's own simulations where none is given
    with pytest.raises(SystemExit):
        evaluate.main(args + ["--play.gumbel-c-scale", "-1"])
    assert "gumbel_c_scale must be a finite number >= 0, got -1.0" in capsys.readouterr().err


def test_evaluate_explains_a_bad_run_directory(run_dir, tmp_path):
    with pytest.raises(SystemExit, match="does not exist"):
        evaluate.main(["--run", str(tmp_path / "nowhere"), "--wandb-mode", "disabled"])
    (run_dir / "config.json").write_text(json.dumps({"game": "leduc_poker"}))
    with pytest.raises(SystemExit, match="kuhn_poker"):
        evaluate.main(["--run", str(run_dir), "--wandb-mode", "disabled"])
    with pytest.raises(ValueError, match="not leduc_poker"):
        (run_dir / "config.json").unlink()
        load_agent(run_dir, game="leduc_poker")
    with pytest.raises(SystemExit, match="unknown opponents"):
        evaluate.main(["--run", str(run_dir), "--opponents", "stockfish"])


def test_unrolled_latents_take_their_chance_codes_from_the_encoder_or_from_sigma(monkeypatch):
    """`codes="encoder"` feeds g the encoder's code of the real transition; `"sampled"` draws it from psi's sigma
    (here all on code 5), as the search does."""
    from agent.evaluation.generator import unroll_latents
    from agent.model.targets import make_batch

    adapter = games.load("leduc_poker")
    torch.manual_seed(0)
    model, tok = Model(preset("tiny"), GameSpec.of(adapter)).eval(), Tokenizer.for_game(adapter)
    rng = random.Random(0)
    samples = [(trace(tok.adapter, play_random(tok.adapter, rng)), 0) for _ in range(4)]
    batch = make_batch(tok, samples, 2, 32, rng)
    fed = []
    real_dynamics = model.dynamics

    def dynamics(after, code):  # records the code g is fed
        fed.append(code.argmax(-1))
        return real_dynamics(after, code)

    monkeypatch.setattr(model, "dynamics", dynamics)
    unroll_latents(model, batch)
    with torch.no_grad():
        encoder = [model.chance_code(batch.chance_events[:, k])[0].argmax(-1) for k in range(2)]
    assert all(torch.equal(a, b) for a, b in zip(fed, encoder))
    fed.clear()
    sigma = torch.full((4, model.cfg.chance_codes), -1e9)
    sigma[:, 5] = 0.0
    monkeypatch.setattr(model, "afterstate_predict", lambda after: (torch.zeros(len(after), 2), sigma[:len(after)]))
    unroll_latents(model, batch, codes="sampled", generator=torch.Generator().manual_seed(0))
    assert len(fed) == 2 and all((c == 5).all() for c in fed)
    with pytest.raises(ValueError, match="codes must be"):
        unroll_latents(model, batch, codes="oracle")


@pytest.mark.parametrize("table, seat, wins", [
    ([1.0], 0, True), ([-1.0], 0, False), ([0.0], 0, False), ([1.5], 0, True),  # blackjack: beat the dealer
    ([1300.0, -1300.0, 1300.0, -1300.0], 0, True),  # bridge: partners 0 and 2 made their contract
    ([1300.0, -1300.0, 1300.0, -1300.0], 2, True),
    ([1300.0, -1300.0, 1300.0, -1300.0], 1, False),
    ([-2.0, 1.0, 1.0], 1, True), ([-2.0, 1.0, 1.0], 0, False),  # dou_dizhu: the peasants beat the landlord
    ([13.0, 0.0, 5.0, 8.0], 0, True), ([13.0, 0.0, 5.0, 8.0], 3, True),  # hearts-like scores, mean 6.5
    ([13.0, 0.0, 5.0, 8.0], 2, False), ([13.0, 0.0, 5.0, 8.0], 1, False),
    ([1.0, -1.0], 0, True), ([0.0, 0.0], 0, False),  # two players: the better return; a draw is no win
])
def test_a_win_by_game_kind(table, seat, wins):
    from agent.evaluation.matches import won

    assert won(table[seat], table) == wins


@pytest.mark.parametrize("game, seat", [("blackjack", 0), ("bridge", 0), ("bridge", 1), ("hearts", 2)])
def test_win_rate_of_real_games_against_their_returns(game, seat):
    """On real episodes, summarize's win rate counts exactly the games a hand rule calls won: blackjack, a return
    above 0; bridge, the seat's partnership scoring above the other; hearts, a return above the seats' mean."""
    from agent.evaluation.matches import summarize

    adapter, rng = games.load(game), random.Random(0)
    finals = [trace(adapter, play_random(adapter, rng)).states[-1].returns() for _ in range(30)]
    if game == "blackjack":
        by_hand = [r[0] > 0 for r in finals]
    elif game == "bridge":
        by_hand = [r[seat] + r[(seat + 2) % 4] > r[(seat + 1) % 4] + r[(seat + 3) % 4] for r in finals]
    else:
        by_hand = [r[seat] > sum(r) / len(r) for r in finals]
    res = summarize([r[seat] for r in finals], finals, [seat] * len(finals), adapter.num_players)
    assert res["win_rate"] == sum(by_hand) / len(finals)
    assert 0 < sum(by_hand) < len(finals)  # both outcomes occur: the rule is exercised


def _alike_observations(game: str, n: int = 200) -> tuple:
    """Two decision states of uniform random games where the player to move has the same observation string but
    other legal actions (crazy_eights: after playing an eight, the suit to name)."""
    adapter = games.load(game)
    rng, seen = random.Random(0), {}
    for _ in range(n):
        state = adapter.new_initial_state()
        while not state.is_terminal():
            if state.is_chance_node():
                state.apply_action(rng.choice([a for a, _ in state.chance_outcomes()]))
                continue
            key = (state.current_player(), state.observation_string())
            first = seen.setdefault(key, state.clone())
            if first.legal_actions() != state.legal_actions():
                return adapter, first, state
            state.apply_action(rng.choice(state.legal_actions()))
    raise AssertionError(f"no two states of {game} share an observation with other legal actions")


def test_python_ismcts_keyed_by_observations_meets_other_action_sets():
    """OpenSpiel's Python IS-MCTS keys its tree by the observation string where a game has no information state
    string; in crazy_eights one observation can come with other legal actions, which the bot must allow: its
    root node is met from worlds of both action sets."""
    from agent.evaluation.players import _python_ismcts

    adapter, first, other = _alike_observations("crazy_eights")
    worlds = [first, other]
    bot = _python_ismcts(adapter, "ismcts-test", 40, 2.0).factory(first.current_player(), 0)
    calls = itertools.count()
    bot.set_resampler(lambda state, seat: worlds[next(calls) % 2].clone())  # each set in turn
    assert bot.step(first) in set(first.legal_actions()) | set(other.legal_actions())
