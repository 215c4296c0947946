"""Agent on real OpenSpiel games: the oracle search beats uniform random, inner-node actions come from the
generator, the batched learned search, and the interface evaluation tools rely on."""
import dataclasses
import math
import random
import statistics

import pytest
import torch

import games
from agent import Agent, load_agent
from agent.model import EOS, Model
from agent.model.config import GameSpec, preset
from agent.model.files import save_model
from agent.rundir import RunDir
from agent.search.config import SearchConfig
from agent.search.learned import LearnedExpander
from agent.search.tree import Chance, Decision
from tests.infosets import information
from tests.test_sampling import confine
from tokenizer import vocab


def play(adapter, agent, games_n: int, seed: int) -> list[float]:
    """The agent's return in each of `games_n` games against uniform random, seats rotated."""
    rng, out = random.Random(seed), []
    for g in range(games_n):
        seat = g % adapter.num_players
        state = adapter.new_initial_state()
        games.sample_chance(state, rng)
        while not state.is_terminal():
            if state.current_player() == seat:
                state.apply_action(agent.act(state))
            else:
                state.apply_action(rng.choice(state.legal_actions()))
            games.sample_chance(state, rng)
        out.append(state.returns()[seat])
    return out


@pytest.mark.parametrize("game, margin", [("kuhn_poker", 0.02), ("leduc_poker", 0.5)])
def test_oracle_search_beats_uniform_random_by_a_clear_margin(game, margin):
    adapter = games.load(game)
    agent = Agent(adapter, oracle=True, value="rollout", search=SearchConfig(simulations=64, particles=4), seed=0)
    returns = play(adapter, agent, 600, seed=1)
    mean = statistics.fmean(returns)
    half = 1.96 * statistics.stdev(returns) / math.sqrt(len(returns))
    print(f"{game}: oracle (64 simulations, 4 worlds, random rollouts) vs uniform random: "
          f"{mean:+.3f} +- {half:.3f} per game over {len(returns)} games")
    assert mean - half > margin


def tiny(game: str, seed: int = 0) -> Model:
    torch.manual_seed(seed)
    return Model(preset("tiny"), GameSpec.of(games.load(game))).eval()


def decision_state(adapter, seed: int = 0, moves: int = 0):
    """A leduc state where player 0 may call, raise or fold (after `moves` random-free setup steps)."""
    rng = random.Random(seed)
    state = adapter.new_initial_state()
    games.sample_chance(state, rng)
    return state


def inner_decisions(tree):
    """Every decision node below the root of a searched tree."""
    out, stack = [], [c for p in tree.particles for c in p.children if c is not None]
    while stack:
        node = stack.pop()
        if isinstance(node, Chance):
            stack.extend(node.children.values())
        elif isinstance(node, Decision):
            out.append(node)
            stack.extend(c for c in node.children if c is not None)
    return out


def test_inner_node_actions_come_from_the_generator_only():
    adapter = games.load("leduc_poker")
    model = tiny("leduc_poker")
    ids = vocab.ids()
    confine(model.generator, [ids["call"], ids["fold"], EOS])  # G can never say 'raise'
    with torch.no_grad():
        model.prediction[-1].bias[2 * 2] = -20.0  # f never predicts the end, so the search goes deep
    agent = Agent(adapter, model, search=SearchConfig(simulations=48, particles=2), seed=0)
    state = decision_state(adapter)
    raise_key = tuple(agent.tok.encode_action(state, 2))
    assert raise_key == (ids["raise"], EOS)
    trees = agent.trees([state])
    root_keys = trees[0].particles[0].info.keys
    assert raise_key in root_keys  # the root has the real legal actions
    inner = inner_decisions(trees[0])
    assert len(inner) >= 5
    said = {k for node in inner for k in node.info.keys}
    assert said and said <= {(ids["call"], EOS), (ids["fold"], EOS), (EOS,)}, said  # what G can say
    assert all(abs(sum(node.info.prior) - 1) < 1e-5 for node in inner)


class Counting(LearnedExpander):
    """Counts the expander's batched calls and the rows in each."""

    def __init__(self, model):
        super().__init__(model, generator=torch.Generator().manual_seed(0))
        self.calls = []

    def expand_afterstates(self, requests):
        self.calls.append(("after", len(requests)))
        return super().expand_afterstates(requests)

    def expand_states(self, requests):
        self.calls.append(("state", len(requests)))
        return super().expand_states(requests)


def test_learned_search_is_batched_across_games_and_particles():
    adapter = games.load("leduc_poker")
    agent = Agent(adapter, tiny("leduc_poker"), seed=0,
                  search=SearchConfig(simulations=12, particles=3, max_hidden_tokens=8))
    agent.expander = Counting(agent.model)
    states = [decision_state(adapter, seed) for seed in range(8)]
    results = agent.search(states)
    assert len(agent.expander.calls) <= 2 * 12  # at most one call per kind per simulation step
    assert sum(n for _, n in agent.expander.calls) == 8 * 12  # every simulation of every search expanded a leaf
    for state, (result, action) in zip(states, results):
        assert action == agent.root_actions(state, result)[result.action]  # the move is the search's
        assert sum(result.visits) == 12


def test_action_probabilities_cover_the_legal_actions_and_refuse_the_wrong_player():
    adapter = games.load("leduc_poker")
    agent = Agent(adapter, tiny("leduc_poker"), search=SearchConfig(simulations=8, particles=2), seed=0)
    state = decision_state(adapter)
    probs = agent.action_probabilities(state, 0)
    assert set(probs) == set(state.legal_actions())
    assert sum(probs.values()) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="not to move"):
        agent.action_probabilities(state, 1)
    with pytest.raises(ValueError, match="chance or terminal"):
        agent.act(adapter.new_initial_state())


def test_repeats_pool_independent_searches_of_each_state():
    adapter = games.load("leduc_poker")
    states = [decision_state(adapter, seed) for seed in (0, 1)]
    model, cfg = tiny("leduc_poker"), SearchConfig(simulations=10, particles=2, max_hidden_tokens=8)
    agent = Agent(adapter, model, search=dataclasses.replace(cfg, repeats=3), seed=4)
    pooled = agent.search(states)
    singles = Agent(adapter, model, search=cfg, seed=4).search([s for s in states for _ in range(3)])
    for i, (state, (result, action)) in enumerate(zip(states, pooled)):
        own = [r for r, _ in singles[3 * i:3 * i + 3]]  # the same three searches, one at a time
        assert len({tuple(r.prior) for r in own}) > 1  # they differ: worlds of their own
        assert sum(result.visits) == 30
        for field in ("policy", "prior"):
            mean = [sum(col) / 3 for col in zip(*(getattr(r, field) for r in own))]
            assert getattr(result, field) == pytest.approx(mean)
        assert result.policy[result.action] == max(result.policy)
        assert action == agent.root_actions(state, result)[result.action]


def test_same_seed_same_search():
    adapter = games.load("leduc_poker")
    state = decision_state(adapter)
    a = Agent(adapter, tiny("leduc_poker"), seed=3,
              search=SearchConfig(simulations=16, particles=2, max_hidden_tokens=8))
    b = Agent(adapter, tiny("leduc_poker"), seed=3,
              search=SearchConfig(simulations=16, particles=2, max_hidden_tokens=8))
    assert a.search([state])[0][0] == b.search([state])[0][0]


def test_agent_refuses_what_it_cannot_do():
    with pytest.raises(ValueError, match="needs a model"):
        Agent("leduc_poker")
    with pytest.raises(ValueError, match="built for kuhn_poker"):
        Agent("leduc_poker", tiny("kuhn_poker"))
    with pytest.raises(ValueError, match="value must be"):
        Agent("leduc_poker", oracle=True, value="guess")
    with pytest.raises(ValueError, match="no possible worlds can be drawn here"):  # three seats: no guide
        adapter = games.load("crazy_eights", players=3)
        Agent(adapter, oracle=True, value="rollout").act(decision_state(adapter))


def test_load_agent_reads_a_run_directory(tmp_path):
    model = tiny("kuhn_poker")
    save_model(model, tmp_path / "model")
    RunDir(tmp_path).write_search(SearchConfig(simulations=10, particles=2))
    agent = load_agent(tmp_path, simulations=6)
    assert agent.cfg.simulations == 6 and agent.cfg.particles == 2
    state = decision_state(agent.adapter)
    result, action = agent.search([state])[0]
    assert sum(result.visits) == 6 and action == agent.root_actions(state, result)[result.action]
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_agent(tmp_path / "nowhere")
    (tmp_path / "search.json").write_text("{not json")
    with pytest.raises(ValueError, match="not a valid search config"):
        load_agent(tmp_path)


def test_oracle_with_the_network_as_value_plays_legal_moves():
    adapter = games.load("leduc_poker")
    agent = Agent(adapter, tiny("leduc_poker"), oracle=True, value="network",
                  search=SearchConfig(simulations=16, particles=2), seed=0)
    state = decision_state(adapter)
    result, action = agent.search([state])[0]
    assert sum(result.visits) == 16  # PUCT's move: the most visited real action (ties to the higher prior)
    best = max(range(len(result.keys)), key=lambda a: (result.visits[a], result.prior[a]))
    assert action == result.keys[best] and action in state.legal_actions()


def test_the_oracles_network_value_reads_each_state_from_the_seat_h_was_trained_on():
    """h only ever reads a full state from the seat of the player to move, so the oracle's leaf values must
    be read from that seat and turned to seats relative to the root, in a 3-player game to test the turn."""
    from agent.episodes import full_tokens
    from agent.search.oracle import NetworkValue

    adapter = games.load("hearts")
    model, tok = tiny("hearts"), Agent(adapter, tiny("hearts"), seed=0).tok
    state = decision_state(adapter)
    while state.current_player() != 2:
        state.apply_action(state.legal_actions()[0])
    with torch.no_grad():
        own = model.predict(model.represent(torch.tensor([full_tokens(tok, state, 2)]))).value[0].tolist()
    got = NetworkValue(model, tok)([state], [0])[0]  # root seat 0: its seats 0, 1, 2, 3 are seat 2's 2, 3, 0, 1
    assert got == pytest.approx([own[2], own[3], own[0], own[1]], abs=1e-5)


def test_agent_policy_searches_every_information_set_once():
    from open_spiel.python import policy as os_policy
    from open_spiel.python.algorithms import exploitability as os_exploitability

    from agent.evaluation.exploitability import AgentPolicy, exploitability

    adapter = games.load("kuhn_poker")
    agent = Agent(adapter, oracle=True, value="rollout", search=SearchConfig(simulations=64, particles=4), seed=0)
    pol = AgentPolicy(agent)
    assert pol.fill() == 12  # kuhn_poker has 12 decision information sets
    for probs in pol.cache.values():
        assert sum(probs.values()) == pytest.approx(1.0)
    table = os_policy.TabularPolicy(adapter.game)
    for key, probs in pol.cache.items():
        table.policy_for_key(key)[:] = [probs.get(a, 0.0) for a in range(2)]
    exact = os_exploitability.exploitability(adapter.game, table)
    assert exact == pytest.approx(float(os_exploitability.exploitability(adapter.game, pol)))
    assert exploitability(agent) < 0.3  # uniform random: 0.458


@pytest.mark.parametrize("game", ["crazy_eights", "hearts"])
def test_the_model_free_oracle_plans_on_possible_worlds(game):
    """Without a model the oracle's worlds are walks with each hidden word drawn uniformly among those a possible
    world allows: in crazy_eights, which OpenSpiel gives no resampler, and in hearts, whose resampler ignores
    voids; every one has the real state's information state for its player."""
    adapter = games.load(game)
    agent = Agent(adapter, oracle=True, value="rollout", search=SearchConfig(simulations=8, particles=3), seed=0)
    rng = random.Random(3)
    state = adapter.new_initial_state()
    while len(state.history()) < 80:  # well into the play (hearts: deal, passes, a few tricks)
        if state.is_chance_node():
            games.sample_chance(state, rng)
        else:
            state.apply_action(rng.choice(state.legal_actions()))
    while state.is_chance_node():
        games.sample_chance(state, rng)
    player = state.current_player()
    for world in agent.sample_worlds(state, 5):
        assert information(world, player) == information(state, player)
    assert agent.act(state) in state.legal_actions()


def test_a_new_agent_keeps_no_token_streams_and_its_hidden_cap_is_the_games():
    """IS-MCTS on the learned belief makes an agent per seat and game: making one must not keep the random games
    its free samples' cap is measured on (they ran a 200-game hearts match out of memory)."""
    adapter = games.load("hearts")
    model = Model(preset("tiny"), GameSpec.of(adapter))
    first, second = Agent(adapter, model, seed=0), Agent(adapter, model, seed=1)
    assert len(first.tok._stream._nodes) == 0 and len(second.tok._stream._nodes) == 0
    cap = first.hidden_cap  # measured once for the game, on 32 random games' hidden streams
    tok = first.tok
    longest = max(len(tok.encode_hidden(s, s.current_player())) for s in
                  [_random_decision(adapter, random.Random(i)) for i in range(20)])
    assert longest < cap == second.hidden_cap <= SearchConfig().max_hidden_tokens


def _random_decision(adapter, rng: random.Random):
    """A decision state of a uniform random game, at a random point of it."""
    from agent.episodes import play_random, trace

    tr = trace(adapter, play_random(adapter, rng))
    return tr.states[rng.randrange(tr.decisions)]


def test_the_mmd_step_is_in_the_return_unit_the_model_learned_its_values_in():
    """A model saved with another unit than this code's for its game (dou_dizhu's before it had its own) keeps
    its own: its values are in that unit, so the MMD root's step on them is too."""
    adapter = games.load("dou_dizhu")
    spec = dataclasses.replace(GameSpec.of(adapter), value_scale=49152.0)
    assert GameSpec.of(adapter).value_scale == 24.0
    torch.manual_seed(0)
    assert Agent(adapter, Model(preset("tiny"), spec).eval(), seed=0).scale == 49152.0
    assert Agent(adapter, oracle=True, value="rollout", seed=0).scale == 24.0


@pytest.mark.parametrize("game, field, old", [("euchre", "stream", 0), ("go_fish", "view", False)])
def test_load_agent_refuses_a_model_trained_on_words_this_code_no_longer_writes(tmp_path, game, field, old):
    """euchre's streams gained a trick's taker (stream 1), go_fish a view: a model saved before reads neither."""
    spec = dataclasses.replace(GameSpec.of(games.load(game)), **{field: old})
    save_model(Model(preset("tiny"), spec), tmp_path / "model")
    with pytest.raises(ValueError, match=f"another version of this code wrote them.*'{field}'.*its own commit"):
        load_agent(tmp_path)
