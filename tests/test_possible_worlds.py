"""Beliefs that are possible worlds by construction (games.belief walks, agent.model.sampling.sample_hidden_walks,
Agent.sample_worlds / Agent.resample): checked against OpenSpiel's own information states and legality, and the
sampler's draws against b's probabilities renormalised over the possible fills."""
from __future__ import annotations

import collections
import copy
import dataclasses
import random

import pytest
import torch

import games
from agent.agent import Agent
from agent.episodes import play_random, trace
from agent.evaluation.beliefs import exact_posteriors, posterior_distance, representatives, walk_distance
from agent.evaluation.matches import head_to_head
from agent.evaluation.players import LearnedResampler, UniformRandom, ismcts_learned
from agent.model import SEP, Model
from agent.model.config import GameSpec, preset
from agent.search.config import SearchConfig
from games.belief import Unsupported, Walk
from games.cards import CARDS
from tests.infosets import information, legal_replay, replays_legally
from tokenizer import Tokenizer, vocab

WALKABLE = [name for name in games.supported() if games.adapter_class(name).belief_walk]
GUIDED = [name for name in WALKABLE if type(games.load(name)).belief_guide is not games.GameAdapter.belief_guide]


def agent_for(name: str, seed: int = 0, **params) -> Agent:
    torch.manual_seed(seed)
    adapter = games.load(name, **params)
    return Agent(adapter, Model(preset("tiny"), GameSpec.of(adapter)), seed=seed)


def decision_points(adapter, n: int, seed: int = 0):
    """`n` states where a player is to move, from random games."""
    rng, out = random.Random(seed), []
    while len(out) < n:
        out += trace(adapter, play_random(adapter, rng)).states[:-1]  # the decisions, the terminal state left out
    return out[:n]


def random_walk(walk: Walk, rng: random.Random, choose=None) -> Walk:
    """`walk` finished with a uniformly random allowed word at each choice (or `choose(walk, allowed)`); what it
    offered (the forced words and the allowed ones, in turn) is kept in `walk.offered`, its choices in
    `walk.chosen`."""
    walk.offered, walk.chosen = [walk.take_forced()], []
    while not walk.done:
        allowed = walk.allowed()
        walk.chosen.append(choose(walk, allowed) if choose else rng.choice(allowed))
        walk.feed(walk.chosen[-1])
        walk.offered += [allowed, walk.take_forced()]
    return walk


@pytest.mark.parametrize("name", WALKABLE)
def test_every_sampled_world_is_possible(name):
    """An untrained b, which left to itself writes impossible worlds: 50 decision points, 8 worlds each (2 in
    the guided games, whose random walks are checked at 100 more points below)."""
    agent = agent_for(name)
    tok = agent.tok
    for state in decision_points(agent.adapter, 50):
        player = state.current_player()
        worlds = agent.sample_worlds(state, 2 if name in GUIDED else 8)
        for world in worlds:
            assert information(world, player) == information(state, player)
            assert replays_legally(world) and world.current_player() == player
            # its hidden tokens are those the player's stream has in that world
            assert tok.encode_observation(world, player) == tok.encode_observation(state, player)
        assert information(agent.resample(state, player), player) == information(state, player)
    for state in decision_points(agent.adapter, 5, seed=8):  # what the search reads: each world's hidden tokens
        player = state.current_player()
        hidden, worlds = agent._root_hidden([state], [tok.encode_observation(state, player)], 2)
        assert hidden[0] == [tok.encode_hidden(w, player) for w in worlds[0]]


@pytest.mark.parametrize("name", GUIDED)
def test_random_walks_give_possible_worlds(name):
    """Words chosen at random among those a guided walk allows, at 100 decision points of random games: every
    world has the real state's information state for the player and replays legally (a rule the guide missed
    ends in a dead end or an impossible world)."""
    adapter, rng = games.load(name), random.Random(1)
    for state in decision_points(adapter, 100, seed=11):
        player = state.current_player()
        world = random_walk(Walk(adapter, state, player), rng).world()
        assert information(world, player) == information(state, player) and replays_legally(world)
        assert world.current_player() == player


HAND_SIZE = {"hearts": 13, "bridge": 13, "euchre": 5, "skat": 10, "oh_hell": None}  # oh_hell: the tricks drawn


@pytest.mark.parametrize("name", sorted(HAND_SIZE))
def test_set_dealt_games_deal_silently(name):
    """The games that deal hands as sets show nothing per dealt card: at the first decision of a random game
    the hidden stream is the other hands (twice where a view repeats them) and a few words per hand, its first
    word a card, and the walk's first choice is that card, among cards the player does not hold."""
    adapter, rng = games.load(name), random.Random(3)
    tok, n = Tokenizer.for_game(adapter), adapter.num_players
    for _ in range(3):
        state = adapter.new_initial_state()
        while state.is_chance_node():
            state.apply_action(rng.choice([o for o, _ in state.chance_outcomes()]))
        player = state.current_player()
        others = (n - 1) * (HAND_SIZE[name] or state.history()[0])
        hidden = tok.describe(tok.encode_hidden(state, player))
        assert len(hidden) <= (2 if adapter.has_view else 1) * others + 3 * (n - 1) + 1, hidden
        walk = Walk(adapter, state, player)
        assert walk.take_forced() == [] and hidden[0] in walk.allowed()
        mine = set(tok.describe(tok.encode_observation(state, player)))
        assert all(word in CARDS and word not in mine for word in walk.allowed())


def swapped_world(tok: Tokenizer, state, player: int, rng: random.Random, tries: int = 80):
    """Another world the player cannot tell from `state`, found without any walk: two dealt cards trade places
    (everywhere in the history), as often as that keeps the history legal and the player's information state the
    same, OpenSpiel's and the player's stream (which recalls more where OpenSpiel gives only an observation);
    None if no trade does."""
    history, moved = state.history(), False
    chance, replay = [], state.get_game().new_initial_state()
    for i, action in enumerate(history):
        chance += [i] if replay.is_chance_node() else []
        replay.apply_action(action)
    for _ in range(tries):
        i, j = rng.sample(chance, 2)
        a, b = history[i], history[j]
        trial = [b if x == a and (k in chance or k > i) else a if x == b and (k in chance or k > j) else x
                 for k, x in enumerate(history)]
        world = legal_replay(state.get_game(), trial)
        if world is not None and information(world, player) == information(state, player) and (
                tok.encode_observation(world, player) == tok.encode_observation(state, player)):
            history, moved = trial, True
    return legal_replay(state.get_game(), history) if moved else None


@pytest.mark.parametrize("name", GUIDED)
def test_the_walk_reads_only_what_the_player_knows(name):
    """A walk over a world the player cannot tell from the real state (found by trading dealt cards, no walk)
    offers, choice by choice, the same words as a walk over the real state: the guide is built from the real
    state and must not read its hidden part. And the real state's own hidden words are always among those
    offered."""
    adapter, rng = games.load(name), random.Random(2)
    tok = Tokenizer.for_game(adapter)
    traded = 0
    for state in decision_points(adapter, 20, seed=12):
        player = state.current_player()
        world = swapped_world(tok, state, player, rng)
        if world is None:
            continue
        traded += 1
        over_truth = random_walk(Walk(adapter, state, player), rng)
        picks = iter(over_truth.chosen)
        over_world = random_walk(Walk(adapter, world, player), rng,
                                 choose=lambda walk, allowed, picks=picks: next(picks))
        assert over_world.offered == over_truth.offered
        truth = tok.describe(tok.encode_hidden(state, player))
        assert random_walk(Walk(adapter, state, player), rng,
                           choose=lambda walk, allowed, truth=truth: truth[len(walk.words)]).words == truth
    assert traded >= 15


def test_the_walk_allows_only_the_cards_the_player_has_not_seen():
    """Kuhn, player 1 after their own deal: the opponent holds one of the two other cards, never theirs."""
    adapter = games.load("kuhn_poker")
    for mine in range(3):
        for theirs in range(3):
            if mine == theirs:
                continue
            state = adapter.new_initial_state()
            state.apply_action(theirs)
            state.apply_action(mine)
            state.apply_action(0)  # player 0 passes: player 1 to move
            walk = Walk(adapter, state, 1)
            assert walk.take_forced() == []
            cards = ("RJ", "RQ", "RK")
            assert walk.allowed() == sorted(c for i, c in enumerate(cards) if i != mine)


def test_a_game_that_deals_silently_is_refused_by_the_walk_and_sampled_as_before():
    """crazy_eights at three players: its guide covers two (more seats make the places interleave)."""
    agent = agent_for("crazy_eights", players=3)
    state = decision_points(agent.adapter, 1)[0]
    with pytest.raises(Unsupported, match="show nothing"):
        Walk(agent.adapter, state, state.current_player())
    assert agent.act(state) in state.legal_actions()  # the search still runs, on b's free samples


def test_draws_follow_b_renormalised_over_the_possible_fills():
    """Leduc, after the deal: the one hidden word is the opponent's card. Its frequency over 3000 draws matches
    b's probabilities for that word, renormalised over the five cards the player has not seen."""
    agent = agent_for("leduc_poker", seed=1)
    state = agent.adapter.new_initial_state()
    state.apply_action(0)  # player 0 gets card 0
    state.apply_action(5)  # player 1 gets card 5
    tok, ids = Tokenizer.for_game(agent.adapter), vocab.ids()
    obs = tok.encode_observation(state, 0)
    with torch.no_grad():
        logits = agent.model.belief(input_ids=torch.tensor([obs + [SEP]])).logits[0, -1]
    walk = Walk(agent.adapter, state, 0)
    allowed = walk.allowed()
    assert len(allowed) == 5
    probs = logits[[ids[w] for w in allowed]].softmax(-1).tolist()
    n = 3000
    worlds = agent.sample_worlds(state, n)
    counts = collections.Counter(tok.describe(tok.encode_hidden(w, 0))[0] for w in worlds)
    assert set(counts) <= set(allowed)
    for word, p in zip(allowed, probs):
        seen = counts[word] / n
        assert abs(seen - p) < 4 * (p * (1 - p) / n) ** 0.5 + 1e-3, (word, seen, p)


def test_ismcts_plans_on_worlds_from_the_learned_belief():
    """OpenSpiel's Python IS-MCTS with `LearnedResampler`: every world it is handed is possible, and it plays
    whole games; a game the walk does not cover is refused with the reason."""
    agent = agent_for("leduc_poker")
    asked = []

    class Spy(LearnedResampler):
        def __call__(self, state, player):
            world = super().__call__(state, player)
            asked.append((information(world, player), information(state, player)))
            return world

    resampler = Spy(agent, batch=8)
    state = decision_points(agent.adapter, 1, seed=3)[0]
    for _ in range(20):
        resampler(state, state.current_player())
    assert len(asked) == 20 and all(a == b for a, b in asked)
    res = head_to_head(agent.adapter, ismcts_learned(agent, simulations=10), UniformRandom(0), 4, 0)
    assert res["games"] == 4 and all(len(h) > 2 for h in res["histories"])
    with pytest.raises(ValueError, match="learned resampler needs possible worlds"):
        ismcts_learned(agent_for("crazy_eights", players=3), simulations=10)


@pytest.mark.parametrize("name", ["kuhn_poker", "leduc_poker"])
def test_constrained_beliefs_are_no_further_from_the_exact_posterior(name):
    """Against the exact posterior under uniform play, enumerated: b renormalised over the possible fills is at
    least as close in total variation as b itself, infoset by infoset's mean and at the worst one (it moves
    mass only off impossible fills), and it gives the impossible fills none."""
    agent = agent_for(name, seed=2)
    posts, reach = exact_posteriors(agent.tok)
    free = posterior_distance(agent.model, agent.tok, posts, reach)
    walked = walk_distance(agent.model, agent.tok, posts, reach, representatives(agent.tok))
    assert walked["infosets"] == free["infosets"] == len(posts)
    assert walked["tv_mean"] <= free["tv_mean"] + 1e-9 and walked["tv_max"] <= free["tv_max"] + 1e-9
    assert walked["tv_mean"] < free["tv_mean"]  # an untrained b puts mass on impossible fills
    states = representatives(agent.tok)
    for obs, want in list(posts.items())[::len(posts) // 20 or 1]:  # the fills drawn are in the posterior's
        state = states[obs]  # support under uniform play (20 infosets)
        fills = {tuple(agent.tok.encode_hidden(world, state.current_player()))
                 for world in agent.sample_worlds(state, 10)}
        assert fills <= set(want)


def test_the_belief_duel_plays_both_beliefs_at_equal_simulations(tmp_path):
    """scripts.evaluate --belief-duel N: the learned belief's IS-MCTS against the uniform one's, reported."""
    from agent.model.files import save_model
    from agent.rundir import RunDir
    from scripts import evaluate

    agent = agent_for("kuhn_poker")
    save_model(agent.model, tmp_path / "model")
    RunDir(tmp_path).write_search(SearchConfig(simulations=4, particles=2))
    res = evaluate.main(["--run", str(tmp_path), "--opponents", "random", "--variants", "agent", "--episodes", "2",
                         "--quality-positions", "2", "--no-exploitability", "--belief-duel", "6",
                         "--ismcts-learned-simulations", "8", "--wandb-mode", "disabled"])
    duel = res["belief_duel"]
    assert duel["games"] == 6 and -2 <= duel["mean_return"] <= 2 and duel["ci95"] >= 0


def test_the_oracle_plans_on_the_learned_possible_worlds():
    """With a model, in a game the walk covers, the oracle's particles are worlds drawn from b through the walk
    (not OpenSpiel's uniform resampler), and possible ones: never the player's own card in the other hand."""
    adapter = games.load("kuhn_poker")
    torch.manual_seed(0)
    model = Model(preset("tiny"), GameSpec.of(adapter))
    oracle = Agent(adapter, model, search=dataclasses.replace(SearchConfig(), particles=16), oracle=True, seed=0)
    state = adapter.new_initial_state()
    state.apply_action(2)  # player 0: K
    state.apply_action(0)  # player 1: J
    calls = []
    oracle.sample_worlds = lambda s, n, p: calls.append(n) or Agent.sample_worlds(oracle, s, n, p)
    for tree in oracle.trees([state]):
        assert len(tree.particles) == 16
    assert calls == [16]
    worlds = Agent.sample_worlds(oracle, state, 200, 0)
    assert all(information(w, 0) == information(state, 0) for w in worlds)
    assert {w.history()[1] for w in worlds} <= {0, 1}  # player 1 holds J or Q: never player 0's own K


def test_free_beliefs_is_the_search_on_b_free_samples(tmp_path):
    """The free_beliefs variant (the search before possible worlds) reads b's free samples, which an untrained b
    leaves impossible; scripts.evaluate plays the published agent against it as an opponent."""
    from agent.model.files import save_model
    from agent.rundir import RunDir
    from scripts import evaluate

    agent = agent_for("crazy_eights")
    free = Agent(agent.adapter, agent.model, beliefs="free", seed=0)
    state = decision_points(agent.adapter, 1, seed=4)[0]
    obs = free.tok.encode_observation(state, state.current_player())
    hidden, worlds = free._root_hidden([state], [obs], 4)
    assert worlds is None and len(hidden[0]) == 4
    with pytest.raises(ValueError, match="beliefs must be"):
        Agent(agent.adapter, agent.model, beliefs="free", inner_actions="rules")
    save_model(agent.model, tmp_path / "model")
    RunDir(tmp_path).write_search(SearchConfig(simulations=4, particles=2))
    res = evaluate.main(["--run", str(tmp_path), "--opponents", "free_beliefs", "--variants", "agent", "--episodes",
                         "2", "--quality-positions", "2", "--no-exploitability", "--wandb-mode", "disabled"])
    (match,) = res["matches"]
    assert match["opponent"] == "free_beliefs" and match["games"] == 2


@pytest.mark.parametrize("name", games.supported())
def test_ismcts_with_the_learned_resampler_moves_in_every_game(name):
    """OpenSpiel's Python IS-MCTS on the learned belief chooses a legal move at two decision points of each of
    the 14 games: hearts' passing phase included, where OpenSpiel's C++ bot crashes."""
    agent = agent_for(name)
    bot = ismcts_learned(agent, simulations=4).factory(0, 0)
    for state in decision_points(agent.adapter, 30, seed=5)[::15]:
        assert bot.step(state) in state.legal_actions()


def test_the_belief_duel_in_hearts_plays_against_uniform_walks():
    """OpenSpiel's hearts resampler breaks IS-MCTS in the passing phase, so the duel's uniform side there plans on
    the walk's uniformly chosen words; both sides move in the passing phase."""
    from agent.evaluation.players import ismcts_python, ismcts_walk

    adapter = games.load("hearts")
    with pytest.raises(ValueError, match="ignores voids"):
        ismcts_python(adapter, 4)
    bot = ismcts_walk(adapter, 4).factory(0, 0)
    learned = ismcts_learned(agent_for("hearts"), simulations=4).factory(0, 0)
    for state in decision_points(adapter, 10, seed=2)[8:10]:  # in the passing phase
        assert bot.step(state) in state.legal_actions() and learned.step(state) in state.legal_actions()


# A real crazy_eights history (OpenSpiel's rules, random play) whose first starter was an eight, put back
# unseen ('board ?'); player 0 to move, having seen neither that eight nor the other hand.
PUT_BACK = [53, 11, 46, 7, 47, 19, 25, 38, 2, 1, 30, 4, 35, 0, 9, 24, 39, 52, 36, 7, 25, 55, 52, 8, 1, 52, 26, 2, 38,
            46, 52, 22, 22, 26, 55, 52, 43, 52, 31, 52, 5, 5, 9, 11, 47, 52, 51, 51, 52, 37, 35, 43, 52, 27, 52, 28,
            27, 57, 31, 28, 0, 52, 41, 52, 32, 32, 36, 37, 52, 16, 52, 15, 52, 50, 52, 12, 52, 29, 29, 41, 52, 20,
            52, 45, 45, 52, 48, 52, 3, 52, 34, 52, 17, 52, 42, 17, 16, 52, 14, 52, 40, 52, 23, 40, 52, 21, 8, 48, 50,
            52, 18, 42, 52, 10, 10, 30, 52, 49, 52, 13, 52, 44, 52, 6]


def test_a_starter_eight_put_back_keeps_an_eight_in_the_deck():
    """The eight put back was in the deck after the deal, so the walk may not deal the opponent every eight the
    player's own cards leave. After C8, D8 and H2 in their hand, where H8 must be too (they played it before
    drawing), S8 may not join: the hand is finished without it and S8 is the starter put back. (The walk once
    offered S8 there and then found no eight to put back.) Every walk from here ends in a possible world."""
    adapter = games.load("crazy_eights")
    state = adapter.new_initial_state()
    for action in PUT_BACK:
        state.apply_action(action)
    walk = Walk(adapter, state, 0)
    walk.take_forced()
    for word in ("C8", "D8", "H2"):
        assert word in walk.allowed()
        walk.feed(word)
        forced = walk.take_forced()
    assert forced[:5] == ["H8", "HK", "ST", "SK", "S8"]  # the rest of their hand, then the starter put back
    rng = random.Random(0)
    for _ in range(50):
        world = random_walk(Walk(adapter, state, 0), rng).world()
        assert information(world, 0) == information(state, 0) and replays_legally(world)


def test_a_go_fish_walk_in_the_middle_of_the_deal_looks_ahead_on_real_states():
    """Before go_fish's deal is complete its guide does not apply and the walk looks ahead, handing the states
    after each candidate to the adapter, which reads one whole (`str(before)`): those must be real states."""
    adapter = games.load("go_fish")
    rng = random.Random(3)
    state = adapter.new_initial_state()
    for _ in range(4):  # four cards into the deal
        outcomes, probs = zip(*state.chance_outcomes())
        state.apply_action(rng.choices(outcomes, probs)[0])
    for player in range(adapter.num_players):
        world = random_walk(Walk(adapter, state, player), rng).world()
        assert information(world, player) == information(state, player) and len(world.history()) == 4


@pytest.mark.parametrize("game", ["gin_rummy", "hearts", "crazy_eights"])
def test_kept_steps_equal_a_fresh_replay(game):
    """The walk's real-history steps, kept from the last history seen and extended, are what a replay from the
    start gives: for a game's states in order, out of order, interleaved with another game's, and for two
    histories that part after the steps that key them."""
    from games import belief

    adapter = games.load(game)
    rng = random.Random(3)
    first, second = (trace(adapter, play_random(adapter, rng)).states for _ in range(2))
    fork = next(s for s in first if len(s.history()) > belief._KEY_STEPS and len(s.legal_actions()) > 1)
    parted = [fork.child(a) for a in fork.legal_actions()[:2]]  # the same history but for its last step
    order = [(s, rng.randrange(adapter.num_players)) for s in first + first[::-1]]
    order += [(s, 0) for pair in zip(first, second) for s in pair] + [(s, 1) for s in parted]
    given = []
    for state, player in order:
        kept = belief._steps(adapter, state, player)
        saved = dict(belief._SEEN)
        belief._SEEN.clear()
        fresh = belief._steps(adapter, state, player)  # nothing kept
        assert kept == fresh
        belief._SEEN.clear()
        belief._SEEN.update(saved)
        given.append((kept, copy.deepcopy(fresh)))
    assert all(kept == fresh for kept, fresh in given)  # what was given is not changed by later calls


def _fill(walk: Walk, rng: random.Random) -> list[str]:
    """Finish `walk` with uniformly chosen words; the words chosen (not the forced ones)."""
    chosen = []
    walk.take_forced()
    while not walk.done:
        chosen.append(rng.choice(walk.allowed()))
        walk.feed(chosen[-1])
        walk.take_forced()
    return chosen


@pytest.mark.parametrize("game", ["gin_rummy", "hearts", "go_fish"])
def test_walks_copied_part_way_build_the_worlds_their_words_name(game):
    """A walk copied after some choices, the original and the copy then choosing differently (each applying
    steps to its world in place), builds the world a fresh walk fed the same words builds."""
    adapter = games.load(game)
    rng = random.Random(5)
    for state in decision_points(adapter, 4, seed=2):
        player = state.current_player()
        walk = Walk(adapter, state, player)
        walk.take_forced()
        head = []
        while not walk.done and len(head) < 3:
            head.append(rng.choice(walk.allowed()))
            walk.feed(head[-1])
            walk.take_forced()
        twin = walk.copy()
        tails = [_fill(walk, random.Random(1)), _fill(twin, random.Random(2))]
        for built, tail in zip([walk, twin], tails):
            fresh = Walk(adapter, state, player)
            fresh.take_forced()
            for word in head + tail:
                fresh.feed(word)
                fresh.take_forced()
            assert fresh.done and built.world().history() == fresh.world().history()
