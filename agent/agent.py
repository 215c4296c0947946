"""`Agent`: plays real OpenSpiel games by searching, over the learned model or (oracle mode) the real rules.

The root is the real state as its player sees it: the real legal actions, P worlds (belief particles) for
what the player cannot see. The learned search samples the worlds' hidden tokens from the belief sampler b
(possible worlds by construction: games.belief's walk) and reads each world with h; the oracle searches with the
real rules on the same possible worlds (uniformly chosen ones without a model).
"""
from __future__ import annotations

import copy
import dataclasses
import os
import pathlib
import random
from collections.abc import Sequence

import pyspiel
import torch

import games
from agent.episodes import play_random, trace
from agent.model import EOS, SEP, Model
from agent.model.config import GameSpec, replace, return_scale
from agent.model.files import load_model
from agent.model.sampling import sample_hidden, sample_hidden_walks
from agent.model.tokens import pad_rows
from agent.rundir import RunDir, warn
from agent.search import SearchResult, Tree, pool, simulate
from agent.search.config import SearchConfig
from agent.search.learned import LearnedExpander
from agent.search.oracle import NetworkValue, OracleExpander, RolloutValue
from agent.search.rules_inner import RulesInnerExpander
from games.base import GameAdapter
from games.belief import Unsupported, Walk, fill_uniformly
from tokenizer import Tokenizer


class Agent:
    """Chooses actions in real states with the chance-aware search."""

    def __init__(self, game: GameAdapter | str, model: Model | None = None, *,
                 search: SearchConfig = SearchConfig(), oracle: bool = False, value: str = "network",
                 inner_actions: str = "generated", beliefs: str = "possible", seed: int = 0):
        """`model` is needed unless `oracle` with `value='rollout'`; `value` ('network' or 'rollout') is the
        oracle's leaf evaluation; `inner_actions` ('generated' or 'rules') is where the learned search's
        inner candidates come from (`agent.search.rules_inner`); `beliefs` ('possible' or 'free') whether the
        learned search's root particles are possible worlds drawn through games.belief's walk or b's free
        samples (the search before the walk, kept to measure what the walk is worth); `seed` fixes worlds,
        noise and the generator's draws."""
        self.adapter = games.load(game) if isinstance(game, str) else game
        self.tok = Tokenizer.for_game(self.adapter)
        self.model, self.cfg, self.oracle = model, search, oracle
        if value not in ("network", "rollout"):
            raise ValueError(f"value must be 'network' or 'rollout', got {value!r}")
        if inner_actions not in ("generated", "rules") or (inner_actions == "rules" and oracle):
            raise ValueError(f"inner_actions must be 'generated' or 'rules' (learned search only), "
                             f"got {inner_actions!r}")
        if beliefs not in ("possible", "free") or (beliefs == "free" and (oracle or inner_actions == "rules")):
            raise ValueError(f"beliefs must be 'possible' or 'free' (free: the learned search with generated inner "
                             f"actions only), got {beliefs!r}")
        self.beliefs = beliefs
        if model is None and not (oracle and value == "rollout"):
            raise ValueError("the learned search needs a model; without one use oracle=True, value='rollout'")
        if model is not None and model.spec.game != self.adapter.name:
            raise ValueError(f"the model was built for {model.spec.game}, not {self.adapter.name}")
        # the unit of the MMD root's step: the one the model learned its values in (a run's, saved with it)
        self.scale = model.spec.value_scale if model is not None else return_scale(self.adapter)
        self.rng = random.Random(seed)
        self.device = next(model.parameters()).device if model is not None else torch.device("cpu")
        self.generator = torch.Generator(self.device).manual_seed(seed)
        if model is not None:
            model.eval()
        if oracle:
            fn = RolloutValue(self.rng) if value == "rollout" else NetworkValue(model, self.tok)
            self.expander = OracleExpander(fn)
        else:
            self.expander = LearnedExpander(model, generator=self.generator)
        self.inner_actions = inner_actions
        if inner_actions == "rules":
            self.expander = RulesInnerExpander(self.expander, self.tok, self.rng)

    @property
    def hidden_cap(self) -> int:
        """The most hidden tokens b's free samples may write (`hidden_bound`, within the search's limit)."""
        return min(self.cfg.max_hidden_tokens, hidden_bound(self.adapter))

    def with_search(self, search: SearchConfig) -> Agent:
        """This agent with other search settings, sharing its model and random streams (drawing from either
        advances both)."""
        other = copy.copy(self)
        other.cfg = search
        return other

    # ----- the interface evaluation tools use -----
    def act(self, state: pyspiel.State) -> int:
        """The action the search recommends for the player to move in `state`."""
        return self.search([state])[0][1]

    def action_probabilities(self, state: pyspiel.State, player: int | None = None) -> dict[int, float]:
        """The search's policy over the legal actions of the player to move (`player`, if given, must be it)."""
        if player is not None and player != state.current_player():
            raise ValueError(f"player {player} is not to move in this state (player {state.current_player()} is)")
        result, _ = self.search([state])[0]
        policy = dict.fromkeys(state.legal_actions(), 0.0)
        for action, p in zip(self.root_actions(state, result), result.policy):
            policy[action] = p
        return policy

    # ----- batched search -----
    def search(self, states: Sequence[pyspiel.State], *, noise: bool = False) -> list[tuple[SearchResult, int]]:
        """One search per state (`cfg.repeats` independent ones pooled), all in lock step: (result,
        recommended action id) each."""
        R = self.cfg.repeats
        trees = self.trees([s for s in states for _ in range(R)], noise=noise)
        results = [pool([t.result() for t in trees[i * R:(i + 1) * R]]) for i in range(len(states))]
        return [(r, self.root_actions(s, r)[r.action]) for s, r in zip(states, results)]

    def trees(self, states: Sequence[pyspiel.State], *, noise: bool = False) -> list[Tree]:
        """The searched trees themselves (one per state), for inspection and statistics."""
        roots = self._oracle_roots(states) if self.oracle else self._learned_roots(states)
        trees = [Tree(r, self.adapter.num_players, self.cfg, self.rng, noise, self.scale) for r in roots]
        simulate(self.expander, trees)
        return trees

    def root_actions(self, state: pyspiel.State, result: SearchResult) -> list[int]:
        """The real action ids of a search's root keys, in order."""
        if self.oracle:
            return list(result.keys)
        ids = {tuple(self.tok.encode_action(state, a)): a for a in state.legal_actions()}
        return [ids[k] for k in result.keys]

    # ----- beliefs: possible worlds drawn from b -----
    def sample_worlds(self, state: pyspiel.State, n: int, player: int | None = None) -> list[pyspiel.State]:
        """`n` worlds drawn from the learned belief: real states, reached by legal actions from the initial state,
        that `player` (default: the one to move) cannot tell from `state` (games.belief's walk, b choosing each
        hidden word among those some such world allows). Without a model, each word is drawn uniformly among
        them. ValueError where the walk cannot be made (a game without a guide whose look-ahead passes its
        budget)."""
        player = state.current_player() if player is None else player
        try:
            walk = Walk(self.adapter, state, player)
            walks = [walk.copy() for _ in range(n)]
            if self.model is None:
                for w in walks:
                    fill_uniformly(w, self.rng)
            else:
                sample_hidden_walks(self.model, [self.tok.encode_observation(state, player)] * n, walks,
                                    generator=self.generator)
        except Unsupported as e:
            raise ValueError(f"no possible worlds can be drawn here: {e}") from None
        return [w.world() for w in walks]

    def resample(self, state: pyspiel.State, player: int) -> pyspiel.State:
        """One world drawn from the learned belief (`sample_worlds`); OpenSpiel's resampler callback, so
        `ISMCTSBot(...).set_resampler(agent.resample)` plans on the learned belief."""
        return self.sample_worlds(state, 1, player)[0]

    def _root_hidden(self, states, obs, P) -> tuple[list[list[list[int]]], list[list[pyspiel.State]] | None]:
        """P hidden-token rows per state and the worlds they describe (`sample_worlds`). Where no walk can be
        made (a game without a guide: the generic fallback, some non-default parameters) the learned search,
        which reads only the tokens, takes b's free samples, with a warning once; `rules_inner` refuses."""
        if self.beliefs == "possible":
            try:
                walks = [Walk(self.adapter, s, s.current_player()) for s in states]
                rows = [w.copy() for w in walks for _ in range(P)]
                flat = sample_hidden_walks(self.model, [o for o in obs for _ in range(P)], rows,
                                           generator=self.generator)
                return ([flat[i * P:(i + 1) * P] for i in range(len(states))],
                        [[w.world() for w in rows[i * P:(i + 1) * P]] for i in range(len(states))])
            except Unsupported as e:
                if self.inner_actions == "rules":
                    raise ValueError(f"rules_inner plans on possible worlds, and none can be drawn here: {e}") from None
                warn(f"beliefs are b's free samples, not always possible worlds: {e}")
        return sample_hidden(self.model, obs, P, max_len=self.hidden_cap, generator=self.generator), None

    def _learned_roots(self, states):
        _check_decisions(states)
        P = self.cfg.particles
        obs = [self.tok.encode_observation(s, s.current_player()) for s in states]
        hidden, possible = self._root_hidden(states, obs, P)
        rows = [o + [SEP] + h + [EOS] for o, hs in zip(obs, hidden) for h in hs]
        ids = pad_rows(rows, device=self.device)
        with torch.no_grad():
            latents = self.model.represent(ids)
        if self.inner_actions == "rules":  # each particle's latent comes from the world it carries
            roots = [s.current_player() for s in states for _ in range(P)]
            infos = self.expander.describe(latents, [w for ws in possible for w in ws], roots)
            return [infos[i * P:(i + 1) * P] for i in range(len(states))]
        keys = [[tuple(self.tok.encode_action(s, a)) for a in s.legal_actions()] for s in states]
        infos = self.expander.describe(latents, keys=[k for k in keys for _ in range(P)])
        return [infos[i * P:(i + 1) * P] for i in range(len(states))]

    def _oracle_roots(self, states):
        """The oracle plans on P possible worlds per state (`sample_worlds`: the learned belief's, or uniformly
        chosen words without a model)."""
        _check_decisions(states)
        pairs = []
        for s in states:
            p = s.current_player()
            pairs += [(w, p, [0.0] * self.adapter.num_players) for w in self.sample_worlds(s, self.cfg.particles, p)]
        infos = self.expander.describe(pairs)
        P = self.cfg.particles
        return [infos[i * P:(i + 1) * P] for i in range(len(states))]


def hidden_bound(adapter: GameAdapter, games_n: int = 32, seed: int = 0) -> int:
    """A cap for sampled hidden remainders: 1.5 x the longest seen at the decisions of `games_n` random games,
    plus 8 (a world whose hidden tokens run past it cannot be a real one; an untrained sampler would
    otherwise write until max_hidden_tokens). Measured once per game and parameters, with a tokenizer of its
    own, so an agent's cache of token streams does not keep those games (IS-MCTS makes an agent per seat)."""
    key = (adapter.name, tuple(sorted(adapter.params.items())), games_n, seed)
    if key not in _HIDDEN_BOUNDS:
        _HIDDEN_BOUNDS[key] = _longest_hidden(adapter, games_n, seed)
    return _HIDDEN_BOUNDS[key]


_HIDDEN_BOUNDS: dict[tuple, int] = {}


def _longest_hidden(adapter: GameAdapter, games_n: int, seed: int) -> int:
    """`hidden_bound`'s measurement: 1.5 x the longest hidden stream at the decisions of random games, plus 8."""
    tok, rng, longest = Tokenizer.for_game(adapter), random.Random(seed), 0
    for _ in range(games_n):
        states = trace(adapter, play_random(adapter, rng)).states[:-1]  # the decisions, terminal left out
        longest = max([longest] + [len(tok.encode_hidden(s, s.current_player())) for s in states])
    return int(1.5 * longest) + 8


def _check_decisions(states) -> None:
    for s in states:
        if s.is_terminal() or s.is_chance_node() or s.current_player() < 0:
            raise ValueError("the agent acts only where a player is to move (not at chance or terminal states)")


def load_agent(run_dir: str | os.PathLike, *, oracle: bool = False, value: str = "network",
               inner_actions: str = "generated", beliefs: str = "possible", seed: int = 0, device: str = "cpu",
               game: str | None = None,
               min_ratio: float | None = None, **search_overrides) -> Agent:
    """The agent of a training run: the newest checkpoint's weights that verify against its manifest
    (`RunDir.checkpoint`; else `RUN_DIR/model/`) and `RUN_DIR/search.json` settings (defaults if absent), with
    `search_overrides` (e.g. simulations=32) on top and `min_ratio`, if given, in place of the checkpoint's
    generator floor. `game`, if given, must be the run's game. Errors say what is wrong with a missing, half-written or
    foreign run directory."""
    run = RunDir(pathlib.Path(run_dir))
    if not run.path.is_dir():
        raise FileNotFoundError(f"run directory {run.path} does not exist")
    model_dir = run.model_dir()
    model = load_model(model_dir, device=device)
    if min_ratio is not None:
        model.cfg = replace(model.cfg, min_ratio=min_ratio)
    claimed = run.claimed_game()
    if claimed is not None and claimed != model.spec.game:
        raise ValueError(f"{run.path} mixes games: config.json says {claimed}, but its checkpoint "
                         f"{model_dir} holds a model for {model.spec.game}")
    if game is not None and game != model.spec.game:
        raise ValueError(f"{run.path} is a run of {model.spec.game}, not {game}")
    cfg = run.read_search() or SearchConfig()
    try:
        cfg = dataclasses.replace(cfg, **search_overrides)
    except (TypeError, ValueError) as e:
        raise ValueError(f"search settings {search_overrides}: {e}") from None
    adapter = games.load(model.spec.game, **model.spec.params)
    now = GameSpec.of(adapter)
    reads = {f: (getattr(model.spec, f), getattr(now, f)) for f in ("view", "card_slots", "window", "stream")
             if getattr(model.spec, f) != getattr(now, f)}
    if reads:  # its tokens are no longer what it learned to read
        raise ValueError(f"{model_dir} was trained on {model.spec.game}'s words as another version of this code "
                         f"wrote them; (saved, this code's) by field: {reads}; evaluate it at its own commit or "
                         "train a new run")
    return Agent(adapter, model, search=cfg, oracle=oracle, value=value, inner_actions=inner_actions,
                 beliefs=beliefs, seed=seed)
