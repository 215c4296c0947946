"""Evaluate a trained run: head-to-head against baselines, ablations, exploitability, generation and belief quality.

`evaluate_run` returns one JSON-ready dict (`scripts.evaluate` prints, plots and logs it). Variants of the
agent are the rows (the agent as trained, and the ablations), opponents the columns.
"""
from __future__ import annotations

import dataclasses
import pathlib
import random
import time
from collections.abc import Callable

import torch

from agent.agent import Agent, load_agent
from agent.episodes import Episode, play_random, trace
from agent.evaluation import beliefs as belief_quality
from agent.evaluation.exploitability import AgentPolicy, exploitability
from agent.evaluation.generator import generator_quality
from agent.evaluation.match_store import MatchStore
from agent.evaluation.matches import head_to_head
from agent.evaluation.players import (
    AgentPlayer,
    Player,
    UniformRandom,
    cfr_plus,
    gin_bot,
    ismcts,
    ismcts_learned,
    ismcts_python,
    ismcts_walk,
)
from agent.evaluation.rule_players import rule_player
from agent.model.targets import make_batch
from games.belief import Unsupported

VARIANTS = ("agent", "particles1", "rules_inner", "oracle", "free_beliefs")
WORLDS = 8  # root worlds drawn at each of `EvalSettings.world_states` positions (the search's particles are fewer)
DEFAULT_VARIANTS = VARIANTS[:4]  # free_beliefs, the search before possible worlds, on request
OPPONENTS = ("random", "ismcts", "ismcts_learned", "cfr", "gin_bot", "rules", "oracle", "free_beliefs")
# ismcts_learned, Python and slow, on request
DEFAULT_OPPONENTS = ("random", "ismcts", "cfr", "gin_bot", "rules", "oracle")


@dataclasses.dataclass
class EvalSettings:
    """What `evaluate_run` measures and how hard it tries."""

    episodes: int = 200
    """Games per (variant, opponent) pair; seats rotate across them."""
    opponents: tuple[str, ...] = DEFAULT_OPPONENTS
    """Opponents to play (those that do not apply to the game are skipped with a note); also ismcts_learned:
    OpenSpiel's Python IS-MCTS on worlds from the run's learned belief, at --ismcts-learned-simulations; and
    free_beliefs: the same run's search on b's free samples, not possible worlds."""
    variants: tuple[str, ...] = DEFAULT_VARIANTS
    """Rows: the agent as trained and its ablations (particles1, rules_inner, oracle; also free_beliefs:
    b's free samples at the root instead of possible worlds)."""
    seed: int = 0
    """Seed of every match, world sample and baseline."""
    ismcts_simulations: int = 1000
    """IS-MCTS simulations per move (real rules, one random rollout per leaf)."""
    ismcts_learned_simulations: int = 200
    """Simulations per move of the Python IS-MCTS with the learned resampler (fewer: Python is slower)."""
    belief_duel: int = 0
    """Games of Python IS-MCTS on the learned belief against it on OpenSpiel's uniform resampler (0: none)."""
    cfr_iterations: int = 1000
    """CFR+ iterations for the Nash-like opponent (kuhn_poker and leduc_poker)."""
    exploitability: bool = True
    """Measure exploitability where it is computable (kuhn_poker, leduc_poker, liars_dice)."""
    quality_positions: int = 200
    """Real positions (from the evaluation games) for generated-action and belief quality."""
    world_states: int = 50
    """Of those positions, how many the agent draws 8 root worlds at, each checked to be possible by OpenSpiel's
    information state (50: the beliefs issue's "50 or more decision points"; 0: none checked)."""

    def __post_init__(self):
        """Refuse counts that leave nothing to measure, naming the option."""
        for name, low in (("episodes", 1), ("ismcts_simulations", 1), ("ismcts_learned_simulations", 1),
                          ("cfr_iterations", 1), ("belief_duel", 0),
                          ("quality_positions", 0), ("world_states", 0)):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < low:
                raise ValueError(f"{name} must be an integer of at least {low}, got {getattr(self, name)!r}")


def variant(run: pathlib.Path, name: str, seed: int, device: str, overrides: dict) -> Agent:
    """The agent of `run` as variant `name`: agent, particles1, rules_inner, oracle or free_beliefs."""
    kw = dict(seed=seed, device=device, **overrides)
    if name == "agent":
        return load_agent(run, **kw)
    if name == "particles1":
        return load_agent(run, **(kw | {"particles": 1}))
    if name == "rules_inner":
        return load_agent(run, inner_actions="rules", **kw)
    if name == "oracle":
        return load_agent(run, oracle=True, value="network", **kw)
    if name == "free_beliefs":
        return load_agent(run, beliefs="free", **kw)
    raise ValueError(f"unknown variant {name!r}; variants: {', '.join(VARIANTS)}")


def opponent(name: str, agent: Agent, settings: EvalSettings, make_oracle: Callable[[], Agent],
             make_free: Callable[[], Agent]) -> Player:
    """The opponent `name` for `agent`'s game; ValueError says why it does not apply."""
    adapter = agent.adapter
    if name == "random":
        return UniformRandom(settings.seed)
    if name == "ismcts":
        return ismcts(adapter, settings.ismcts_simulations)
    if name == "ismcts_learned":
        return ismcts_learned(agent, settings.ismcts_learned_simulations)
    if name == "cfr":
        return cfr_plus(adapter, settings.cfr_iterations, settings.seed)
    if name == "gin_bot":
        return gin_bot(adapter)
    if name == "rules":  # our own rule-based player (crazy_eights, hearts)
        return rule_player(adapter)
    if name == "oracle":
        return AgentPlayer(make_oracle(), "oracle")
    if name == "free_beliefs":  # the same run's search on b's free samples: what possible worlds are worth
        return AgentPlayer(make_free(), "free_beliefs")
    raise ValueError(f"unknown opponent {name!r}; opponents: {', '.join(OPPONENTS)}")


def evaluate_run(run: pathlib.Path, settings: EvalSettings, *, device: str = "cpu", overrides: dict | None = None,
                 say: Callable[[str], None] = print, reuse: bool = True) -> dict:
    """Every figure of the evaluation for `run` (see the module docstring), as one JSON-ready dict. Each finished
    match is kept in the run (agent.evaluation.match_store) and, with `reuse`, one kept by the same code for the
    same checkpoint and settings is read back instead of played again."""
    overrides = overrides or {}
    store = MatchStore(run, reuse)
    base = variant(run, "agent", settings.seed, device, overrides)
    game = base.adapter.name
    out: dict = {"run": str(run), "game": game, "settings": dataclasses.asdict(settings),
                 "search": dataclasses.asdict(base.cfg), "min_ratio": base.model.cfg.min_ratio, "matches": [],
                 "skipped": [], "failed": [], "exploitability": {}}
    opponents: dict[str, Player] = {}
    oracle_agent: list[Agent] = []

    def make_oracle() -> Agent:
        if not oracle_agent:
            oracle_agent.append(variant(run, "oracle", settings.seed + 1, device, overrides))
        return oracle_agent[0]

    def make_free() -> Agent:
        return variant(run, "free_beliefs", settings.seed + 1, device, overrides)

    for name in settings.opponents:
        try:
            opponents[name] = opponent(name, base, settings, make_oracle, make_free)
        except ValueError as e:
            out["skipped"].append({"opponent": name, "why": str(e)})
            say(f"skipping opponent {name}: {e}")
    histories = []
    for vname in settings.variants:
        try:  # a variant that cannot be evaluated is reported; the others' figures are kept
            agent = base if vname == "agent" else variant(run, vname, settings.seed, device, overrides)
            histories += evaluate_variant(out, vname, agent, opponents, settings, say, store)
        except ValueError as e:
            out["failed"].append({"variant": vname, "why": str(e)})
            say(f"variant {vname} stopped: {e}")
    out.update(quality(base, histories, settings))
    if settings.belief_duel:
        out["belief_duel"] = belief_duel(base, settings, say)
    return out


def belief_duel(agent: Agent, settings: EvalSettings, say: Callable[[str], None]) -> dict:
    """IS-MCTS on the run's learned belief against IS-MCTS on OpenSpiel's uniform resampler (where it has one that
    works, else on the walk's uniformly chosen words): the same Python bot and simulations, seats rotated,
    `belief_duel` games; a belief that reads the opponent's moves should win."""
    t, adapter, sims = time.monotonic(), agent.adapter, settings.ismcts_learned_simulations
    uniform, against = ((ismcts_python(adapter, sims), "OpenSpiel's uniform resampler")
                        if adapter.has_resampler and not adapter.resampler_fails else
                        (ismcts_walk(adapter, sims), "the walk's uniformly chosen words (no working OpenSpiel "
                                                     "resampler)"))
    res = head_to_head(adapter, ismcts_learned(agent, sims), uniform, settings.belief_duel, settings.seed,
                       progress="belief duel")
    say(f"IS-MCTS on the learned belief vs on {against}: {res['mean_return']:+.3f} ± {res['ci95']:.3f} per game, "
        f"margin over the table {res['margin']:+.3f} ± {res['margin_ci95']:.3f} ({settings.belief_duel} games, "
        f"{sims} simulations, {time.monotonic() - t:.0f} s)")
    return {k: v for k, v in res.items() if k != "histories"} | {"against": against}


def evaluate_variant(out: dict, vname: str, agent: Agent, opponents: dict[str, Player], settings: EvalSettings,
                     say: Callable[[str], None], store: MatchStore | None = None) -> list[list[int]]:
    """One row of the table: `agent` against every opponent (a match `store` kept is read back), then its
    exploitability (and, for the agent as trained, its belief's distance to the exact posterior), added to `out`;
    returns the agent's game histories."""
    histories = []
    for oname, opp in opponents.items():
        if vname == "oracle" and oname == "oracle":
            continue
        t = time.monotonic()
        key = {"variant": vname, "opponent": oname, "opponent_detail": opp.name, "games": settings.episodes,
               "seed": settings.seed, "search": dataclasses.asdict(agent.cfg), "min_ratio": agent.model.cfg.min_ratio,
               "device": str(agent.device)}
        res = store.get(key) if store else None
        kept = res is not None
        if kept:
            res["by_seat"] = {int(seat): r for seat, r in res["by_seat"].items()}  # JSON keeps keys as text
            say(f"{vname} vs {oname}: the match kept in {store.folder} (same checkpoint, code and settings)")
        else:
            me = AgentPlayer(agent, vname)
            res = head_to_head(agent.adapter, me, opp, settings.episodes, settings.seed)
            res["chosen_legal"] = me.legal_moves / max(me.moves, 1)
            res["agent_moves"] = me.moves
            res["seconds"] = time.monotonic() - t
            if store:
                store.put(key, res)
        if vname == "agent":
            histories += res["histories"]
        res = {k: v for k, v in res.items() if k != "histories"}
        out["matches"].append({"variant": vname, "opponent": oname, "opponent_detail": opp.name, **res})
        say(f"{vname} vs {oname}: {res['mean_return']:+.3f} ± {res['ci95']:.3f} per game, margin over the table "
            f"{res['margin']:+.3f} ± {res['margin_ci95']:.3f}, win rate {res['win_rate']:.2f} ({settings.episodes} "
            f"games, {res['seconds']:.0f} s{' when it was measured' if kept else ''})")
    if settings.exploitability and agent.adapter.uniform_exploitability is not None:
        t = time.monotonic()
        pol = AgentPolicy(agent)
        out["exploitability"][vname] = exploitability(agent, pol)
        say(f"{vname} exploitability {out['exploitability'][vname]:.4f} ({time.monotonic() - t:.0f} s)")
        if vname == "agent" and agent.adapter.enumerable:
            posts, reach = belief_quality.exact_posteriors(agent.tok, pol.action_probabilities)
            out["belief_posterior"] = belief_quality.posterior_distance(agent.model, agent.tok, posts, reach)
            out["belief_posterior_walk"] = belief_quality.walk_distance(
                agent.model, agent.tok, posts, reach, belief_quality.representatives(agent.tok))
    return histories


def quality(agent: Agent, histories: list[list[int]], settings: EvalSettings) -> dict:
    """Generated-action quality by unroll depth (0 = root, up to 3), belief consistency (b's free samples) and
    the share of the agent's root worlds that are possible, on real positions from the evaluation games
    (uniform-random games if there were none); nothing with --quality-positions 0."""
    if settings.quality_positions == 0:
        return {}
    rng = random.Random(settings.seed)
    if not histories:
        histories = [play_random(agent.adapter, rng).history for _ in range(settings.quality_positions)]
    traces = [trace(agent.adapter, Episode(h)) for h in histories]
    samples = [(tr, rng.randrange(tr.decisions)) for tr in rng.choices(traces, k=settings.quality_positions)]
    gen = torch.Generator(agent.device).manual_seed(settings.seed)
    batch = make_batch(agent.tok, samples, 3, 32, rng, outcomes=agent.model.reads_outcomes).to(agent.device)
    by_depth = generator_quality(agent.model, agent.tok, samples, batch, generator=gen)
    states = [tr.states[i] for tr, i in samples]
    try:  # judged by the belief walk, which some games lack (crazy_eights at three seats): reported, not fatal
        consistent = belief_quality.consistency_share(agent.model, agent.tok, states, generator=gen,
                                                      max_len=agent.hidden_cap)
    except Unsupported as e:
        consistent = {"skipped": f"no belief walk in this game: {e}"}
    out = {"generator": {str(d): q for d, q in by_depth.items()}, "belief_consistency": consistent}
    if settings.world_states:
        try:
            out["possible_worlds"] = belief_quality.possible_share(agent.sample_worlds, agent.tok,
                                                                   states[:settings.world_states], WORLDS)
        except ValueError as e:  # Agent.sample_worlds where the walk cannot be made
            out["possible_worlds"] = {"skipped": str(e)}
    return out

