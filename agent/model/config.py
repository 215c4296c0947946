"""The model's typed configuration: network sizes (presets `tiny`, `small`, `base`) plus the game facts it needs."""
from __future__ import annotations

import dataclasses
import json
import math

import pyspiel

from games.base import GameAdapter


@dataclasses.dataclass(frozen=True)
class GameSpec:
    """What the networks must know about a game; stored with every checkpoint and checked on load."""

    game: str
    """OpenSpiel short name of the game."""
    params: dict = dataclasses.field(default_factory=dict)
    """Game parameters the adapter loaded it with."""
    num_players: int = 2
    """Players; value, reward, Q and to-play heads have one entry per seat, relative to the root player."""
    vocab_size: int = 0
    """Ids in the shared vocabulary."""
    vocab_fingerprint: str = ""
    """Hash of the vocabulary the model was trained on."""
    max_action_len: int = 1
    """Longest action written as tokens, `<eos>` included."""
    value_scale: float = 1.0
    """The game's unit of return (`return_scale`); value, reward and Q heads predict returns divided by it."""
    zero_sum: bool = False
    """Whether OpenSpiel says the returns of every outcome sum to zero; value, reward and Q heads then predict
    vectors that do (the mean over seats is subtracted), so one seat's estimate is every seat's."""
    view: bool = False
    """Whether the adapter shows a view (`<view>` what every seat holds now: the player's own part ends the
    observation, the others' the hidden tokens); the model then reads them into latent slots of their own where
    they are suited cards (`card_slots`)."""
    card_slots: bool = True
    """With a view: whether its hands are suited cards, each given a latent slot of its own (agent.model.cards);
    go_fish's hands are ranks, read as tokens."""
    table: list[str] = dataclasses.field(default_factory=list)
    """The adapter's `table_words`: one row each of the table head (what the view's table shows at every step)."""
    seat_facts: list[str] = dataclasses.field(default_factory=list)
    """The adapter's `seat_words`: per seat, one row each of the facts head (each seat's bid and tricks)."""
    stream: int = 0
    """The adapter's `stream_version`: which version of its words the model was trained on."""
    window: int = 0
    """The adapter's `window`: h reads the head, only this many of the most recent observation and hidden event
    tokens each, and both view parts; b the same cut of the observation, and writes every hidden token; so a
    state's cost does not grow with its history. 0 reads all."""

    @classmethod
    def of(cls, adapter: GameAdapter) -> GameSpec:
        """The spec of a loaded game adapter (with the current vocabulary)."""
        from tokenizer import vocab
        from tokenizer.tokenizer import Tokenizer

        longest = Tokenizer.for_game(adapter).max_action_len
        game = adapter.game
        return cls(game=adapter.name, params=dict(adapter.params), num_players=adapter.num_players,
                   vocab_size=vocab.size(), vocab_fingerprint=vocab.fingerprint(), max_action_len=longest,
                   value_scale=return_scale(adapter), view=adapter.has_view, table=list(adapter.table_words),
                   card_slots=adapter.card_slots, seat_facts=list(adapter.seat_words),
                   stream=adapter.stream_version,
                   window=adapter.window,
                   zero_sum=game.get_type().utility == pyspiel.GameType.Utility.ZERO_SUM)


def return_scale(adapter: GameAdapter) -> float:
    """The unit of value heads and of the search's steps: the adapter's `return_unit` where it sets one, else the
    game's largest absolute return."""
    if adapter.return_unit is not None:
        return float(adapter.return_unit)
    game = adapter.game
    scale = max(abs(game.max_utility()), abs(game.min_utility()), 1e-6)
    if not math.isfinite(scale):
        raise ValueError(f"{adapter.name} has no finite utility bound, so returns cannot be scaled")
    return float(scale)


CARD_READS = ("view", "together", "embed")  # how h fills the card slots (ModelConfig.card_read)
CHANCE_READS = ("chance", "outcome")  # what the chance encoder reads (ModelConfig.chance_read)
ACTION_READS = ("token", "slots")  # how phi reads the action (ModelConfig.action_read)


@dataclasses.dataclass(frozen=True)
class ModelConfig:
    """Sizes of every network of the model; see `PRESETS` for the named ones."""

    preset: str = "custom"
    """Name of the preset these sizes came from."""
    width: int = 64
    """Hidden size shared by every network (latent slots, token embeddings)."""
    heads: int = 4
    """Attention heads in every transformer."""
    ffn_mult: int = 4
    """Feed-forward width as a multiple of `width`."""
    latent_slots: int = 4
    """The latent state s is `latent_slots` vectors of size `width` that read the whole full state (plus, in
    games whose adapter shows a view, one slot per card of the deck that reads only the view: picking the
    current hands out of a long history is hard for a few slots, agent.model.cards)."""
    repr_layers: int = 2
    """Layers of the representation encoder h."""
    belief_layers: int = 2
    """Layers of the belief sampler b (a decoder)."""
    generator_layers: int = 2
    """Layers of the action generator G (a decoder)."""
    dynamics_layers: int = 1
    """Layers of each of the afterstate dynamics phi and the dynamics g."""
    chance_layers: int = 1
    """Layers of the chance encoder e."""
    chance_codes: int = 64
    """M, the number of discrete chance codes (a single draw from a 52-card deck needs at least 52)."""
    max_tokens: int = 2048
    """Longest token sequence the encoders accept (observation, `<sep>`, hidden)."""
    candidates: int = 8
    """K, the most distinct actions the generator proposes per latent."""
    coverage: float = 0.99
    """The generator stops proposing once its candidates hold this share of the mass of the finished sequences
    it found."""
    card_read: str = "view"
    """How h fills the card slots in games with a view: `view`, a second transformer pass over the view after a
    first over hidden and observation events; `together`, the card slots join the first pass, which reads the
    observation alone (the hidden hands reach the slots through where the view places each card); `embed`, each
    slot is its card's place in the view through an MLP, and the first pass reads the observation alone, less
    its view's card tokens. The last two cost a fraction of the first: h no longer reads the hidden stream nor
    the view token by token. `view` is the default: every recipe was measured with it (docs/results.md)."""
    chance_read: str = "chance"
    """What the chance encoder e reads of a transition: `chance`, what the chance steps after the action added (a
    card drawn); `outcome`, led by what the action itself caused (`Tokenizer.outcome`: a trick's taker, the answer
    to an ask), so that psi predicts it and g is told it, as for a drawn card, where otherwise g must work it out
    (who leads next) from the cards played. `chance` is the default; the trick games' and go_fish's recipes read
    outcomes (agent.training.recipes)."""
    action_read: str = "token"
    """How the afterstate dynamics phi reads the action: `token`, as one more position its encoder attends to
    (besides the card slots an action names, in games with a view); `slots`, also added to every latent slot
    through a learned map, a direct path for actions that name no card (a bid), which otherwise barely move the
    afterstate (results.md). `token` is the default; spades' and oh_hell's recipes read `slots`."""
    min_ratio: float = 0.2
    """The generator also drops a candidate less than this fraction as probable as its most probable one (min-p
    truncation at the sequence level): G learns a uniform distribution over the legal set, so a candidate five
    times less probable than the best is the tail it has not yet unlearned, not an action."""

    def __post_init__(self):
        if self.width % self.heads:
            raise ValueError(f"width {self.width} must be a multiple of heads {self.heads}")
        for f in dataclasses.fields(self):
            v = getattr(self, f.name)
            if f.type == "int" and v < 1:
                raise ValueError(f"model config {f.name} must be >= 1, got {v}")
        if not 0.0 < self.coverage <= 1.0:
            raise ValueError(f"coverage must be in (0, 1], got {self.coverage}")
        if self.card_read not in CARD_READS:
            raise ValueError(f"card_read must be one of {', '.join(CARD_READS)}, got {self.card_read!r}")
        if self.chance_read not in CHANCE_READS:
            raise ValueError(f"chance_read must be one of {', '.join(CHANCE_READS)}, got {self.chance_read!r}")
        if self.action_read not in ACTION_READS:
            raise ValueError(f"action_read must be one of {', '.join(ACTION_READS)}, got {self.action_read!r}")
        if not 0.0 <= self.min_ratio < 1.0:
            raise ValueError(f"min_ratio must be in [0, 1), got {self.min_ratio}")


PRESETS: dict[str, ModelConfig] = {
    "tiny": ModelConfig(preset="tiny"),
    "small": ModelConfig(preset="small", width=128, latent_slots=8, repr_layers=3, belief_layers=3,
                         generator_layers=2, dynamics_layers=2, chance_layers=1),
    "base": ModelConfig(preset="base", width=256, heads=8, latent_slots=16, repr_layers=6, belief_layers=6,
                        generator_layers=4, dynamics_layers=3, chance_layers=2, candidates=16),
}


def preset(name: str, **overrides) -> ModelConfig:
    """The named preset, with fields replaced by `overrides`; ValueError names the presets and fields."""
    if name not in PRESETS:
        raise ValueError(f"unknown model preset {name!r}; presets: {', '.join(PRESETS)}")
    return replace(PRESETS[name], **overrides)


def replace(cfg: ModelConfig, **overrides) -> ModelConfig:
    """`cfg` with some fields replaced, each value read as its field's type (a whole number for a count, any
    number for a share); ValueError on a field that does not exist or a value of the wrong kind."""
    types = {f.name: f.type for f in dataclasses.fields(ModelConfig)}
    unknown = sorted(set(overrides) - set(types))
    if unknown:
        raise ValueError(f"unknown model config fields {unknown}; fields: {', '.join(sorted(types))}")
    return dataclasses.replace(cfg, **{name: _as(types[name], name, v) for name, v in overrides.items()})


def _as(kind: str, name: str, value):
    """A model config value as its field's type (the dataclass's annotation, a string here)."""
    number = isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "int" and number and float(value).is_integer():
        return int(value)
    if kind == "float" and number:
        return float(value)
    if kind == "str" and isinstance(value, str):
        return value
    wanted = {"int": "a whole number", "float": "a number", "str": "a name"}.get(kind, kind)
    raise ValueError(f"model config {name} takes {wanted}, got {value!r}")


def to_json(cfg: ModelConfig, spec: GameSpec) -> str:
    """The JSON stored beside a checkpoint's weights."""
    return json.dumps({"model": dataclasses.asdict(cfg), "game": dataclasses.asdict(spec)}, indent=2, sort_keys=True)


def from_json(text: str) -> tuple[ModelConfig, GameSpec]:
    """Parse `to_json`'s output; ValueError says what is malformed."""
    try:
        data = json.loads(text)
        model, game = data["model"], data["game"]
    except (json.JSONDecodeError, KeyError, TypeError) as e:
        raise ValueError(f"malformed model config JSON (expected keys 'model' and 'game'): {e}") from None
    try:
        return replace(ModelConfig(), **model), GameSpec(**game)
    except TypeError as e:
        raise ValueError(f"malformed model config JSON: {e}") from None
