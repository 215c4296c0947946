"""The learned model: every network of the design's table, as methods of one `nn.Module`.

Shapes: B batch, T tokens, L latent slots, W width, N players, M chance codes,
C candidate actions, A action tokens. A latent state s is (B, L, W). Token
tensors are right-padded with `<pad>` (id 0). Per-player outputs (value,
reward, Q, to-play) are indexed by seat relative to the root player (0 = the
player whose observation the latent came from) and are in the game's return
units.
"""
from __future__ import annotations

import dataclasses

import torch
from torch import nn
from transformers import DynamicCache

from agent.model.cards import CardSlots, Pointer
from agent.model.config import GameSpec, ModelConfig
from agent.model.networks import (
    CACHE,
    MLP,
    Borrowed,
    CardEmbedding,
    TiedHead,
    decoder,
    encoder,
    straight_through_one_hot,
)
from agent.model.tokens import pad_rows
from tokenizer import vocab

PAD, EOS, SEP, VIEW = (vocab.ids()[w] for w in (vocab.PAD, vocab.EOS, vocab.SEP, vocab.VIEW))
HEAD = 3  # an observation's first tokens, always read: `<bos> game:NAME posK`
READ_GROUPS = 4  # the representation reads a batch in up to this many groups of rows of similar length


@dataclasses.dataclass
class Prediction:
    """Output of the prediction function f for a batch of latents."""

    value: torch.Tensor  # (B, N) expected future return per relative seat
    to_play: torch.Tensor  # (B, N) logits of which relative seat acts next
    terminal: torch.Tensor  # (B,) logit that the game has ended


class Model(nn.Module):
    """Belief sampler b, representation h, generator G, policy scorer, f, phi, psi, chance encoder e, dynamics g."""

    def __init__(self, cfg: ModelConfig, spec: GameSpec):
        super().__init__()
        self.cfg, self.spec = cfg, spec
        W, N, M = cfg.width, spec.num_players, cfg.chance_codes
        self.repr = decoder(cfg, spec, cfg.repr_layers).model  # a causal transformer without an LM head
        self.repr.embed_tokens = CardEmbedding(self.repr.embed_tokens)
        self.slots = nn.Parameter(torch.randn(cfg.latent_slots, W) * 0.02)
        # games with a view of suited cards: one more latent slot per card of the deck (agent.model.cards)
        self.cards = (CardSlots(W, N, M, self.repr.embed_tokens, seat_votes=self.reads_outcomes)
                      if spec.view and spec.card_slots else None)
        if self.cards is not None and cfg.card_read == "embed":  # each card slot from its place in the view alone
            self.card_mlp = MLP(W, 2 * W, W)
        L = cfg.latent_slots + (len(self.cards) if self.cards is not None else 0)  # vectors in a latent state
        self.belief = decoder(cfg, spec, cfg.belief_layers)
        self.generator = decoder(cfg, spec, cfg.generator_layers)
        # G reads and writes tokens with h's embeddings: the cards h reads in a hand are the cards G can name
        self.generator.model.embed_tokens = Borrowed(self.repr.embed_tokens)
        self.generator.lm_head = TiedHead(self.repr.embed_tokens)
        self.generator_in = nn.Linear(W, W)
        self.action_tokens = nn.Embedding(spec.vocab_size, W, padding_idx=PAD)
        self.action_positions = nn.Embedding(spec.max_action_len, W)
        self.action_mlp = MLP(W, 2 * W, W)
        self.scorer_state = nn.Linear(L * W, W)
        self.scorer = MLP(2 * W, 2 * W, 1, out_bias=False)  # a softmax over candidates: a shared bias has no effect
        self.prediction = MLP(L * W, 2 * W, 2 * N + 1)
        self.afterstate_net = encoder(cfg, spec, cfg.dynamics_layers, L + 1, tokens=False)
        self.afterstate_head = MLP(L * W, 2 * W, N + M)
        self.chance_net = encoder(cfg, spec, cfg.chance_layers, cfg.max_tokens + 1)
        self.chance_slot = nn.Parameter(torch.randn(1, W) * 0.02)
        # Pooled features share a large common part; standardising them across the batch (running statistics at
        # eval) and a unit-variance head make distinct transitions start on distinct codes instead of collapsing.
        self.chance_norm = nn.BatchNorm1d(W, affine=False)
        # phi, where it reads the action into every slot (`ModelConfig.action_read`): the action's vector, mapped
        self.action_slots = nn.Linear(W, W) if cfg.action_read == "slots" else None
        self.chance_head = nn.Linear(W, M)
        nn.init.normal_(self.chance_head.weight, std=1.0 / W ** 0.5 if self.cards is not None else 1.0)  # cards vote
        self.code_embed = nn.Linear(M, W, bias=False)
        self.dynamics_net = encoder(cfg, spec, cfg.dynamics_layers, L + 1, tokens=False)
        self.reward_head = MLP((L + 1) * W, 2 * W, N)
        if spec.view:  # one vector per seat, scored against the card table: which cards that seat holds
            self.holding_head = MLP(L * W, 2 * W, N * W)
        if self.cards is not None:
            self.playable_head = MLP(L * W, 2 * W, W)  # the summary the playable head reads beside each card
        if spec.table:  # one vector per table word, scored against the card table: what the table shows
            self.table_head = MLP(L * W, 2 * W, len(spec.table) * W)
        if spec.seat_facts:  # one vector per seat and seat word, scored against the card table: bids, tricks
            self.facts_head = MLP(L * W, 2 * W, N * len(spec.seat_facts) * W)
        self.register_buffer("value_scale", torch.tensor(spec.value_scale), persistent=False)

    # ----- representation h -----
    def represent(self, tokens: torch.Tensor) -> torch.Tensor:
        """h: full-state tokens (B, T) = observation `<sep>` hidden [`<eos>`] -> latent (B, L, W).

        The transformer reads hidden `<sep>` observation, then the latent slots: the most recent events sit
        next to the slots (rotary positions make recency easy to find), and each slot sees everything before it.
        In games with a view, the card slots (agent.model.cards) are filled as `ModelConfig.card_read` says: the
        same transformer reads the view alone (the seen part, what the player holds, then the unseen part, what the
        others hold) into them, all at one position (`view`); or they join the slots of a single pass over the
        observation (`together`); or each is its card's place in the view through an MLP (`embed`, and the pass
        over the observation skips its view's card tokens, which the card slots carry). In the last two the hidden
        events are not read: where the view places each card carries the hidden hands.
        """
        tokens = self._window(self._trim(tokens), hidden=True)[0]
        read = self.cfg.card_read if self.cards is not None else "view"
        if read == "view":
            s = self._read(self._hidden_first(tokens), self.slots)
            if self.cards is None:
                return s
            view = self.cards.view(tokens)
            return torch.cat([s, self._read(view, self.cards.initial(view), same_position=True)], 1)
        cards = self.cards.initial(self.cards.view(tokens))  # (B, cards, W)
        observation = self._observation(tokens, view_cards=read == "together")
        if read == "together":
            return self._read(observation, torch.cat([self.slots.expand(len(tokens), -1, -1), cards], 1))
        # the search's worlds of one root share its observation: each distinct observation is read once
        unique, inverse = torch.unique(observation, dim=0, return_inverse=True)
        # in one call: windowed observations without their view's cards are of similar length (results.md)
        return torch.cat([self._read(unique, self.slots, groups=1)[inverse], cards + self.card_mlp(cards)], 1)

    def read_lengths(self, tokens: torch.Tensor) -> torch.Tensor:
        """How many tokens of each full-state row (B, T) h's first pass reads (B,): the window of the whole row, or
        of its observation where the card slots are not read from the view's tokens (`card_read`; under `embed`
        without the view's card tokens, which reach h through the card slots)."""
        tokens = self._window(self._trim(tokens), hidden=True)[0]
        if self.cards is not None and self.cfg.card_read != "view":
            tokens = self._observation(tokens, view_cards=self.cfg.card_read == "together")
        return (tokens != PAD).sum(1)

    def windowed(self, rows: list[list[int]]) -> list[list[int]]:
        """Token rows (observation first) as the networks read them: without the events before the window."""
        if self.spec.window <= 0:
            return rows
        cut = self._window(pad_rows(rows))[0].tolist()
        return [r[:sum(t != PAD for t in r)] for r in cut]

    def _window(self, tokens: torch.Tensor, hidden: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
        """Right-padded rows that start with an observation (`<bos> game posK`, its events, its `<view>` part, then
        `<sep>`, the hidden events and their `<view>` part) -> the rows without all but the last `spec.window`
        observation event tokens (and, with `hidden`, hidden event tokens), and how many each lost before its
        `<sep>` (B,). Rows pass whole where the spec has no window."""
        B, T = tokens.shape
        W = self.spec.window
        dropped = torch.zeros(B, dtype=torch.long, device=tokens.device)
        if W <= 0:
            return tokens, dropped
        cols = torch.arange(T, device=tokens.device).unsqueeze(0)
        used = (tokens != PAD).sum(1, keepdim=True)
        is_sep = tokens == SEP
        sep = torch.where(is_sep.any(1, keepdim=True), is_sep.long().argmax(1, keepdim=True), used)
        marks = (tokens == VIEW) | is_sep
        end = marks.long().argmax(1, keepdim=True)  # where the observation's events end (the first mark)
        drop = (cols >= HEAD) & (cols < end - W)
        if hidden:  # the hidden events run from after <sep> to their view or the row's end (<eos> kept)
            after = marks & (cols > sep)
            last = used - (tokens.gather(1, (used - 1).clamp(min=0)) == EOS).long()
            end2 = torch.where(after.any(1, keepdim=True), after.long().argmax(1, keepdim=True), last)
            drop |= (cols > sep) & (cols < end2 - W)
        dropped = (drop & (cols < sep)).sum(1)
        if not bool(drop.any()):
            return tokens, dropped
        keep = ~drop & (tokens != PAD)
        target = torch.where(keep, keep.long().cumsum(1) - 1, T)  # kept tokens move left; the rest to a dump column
        out = torch.full((B, T + 1), PAD, dtype=tokens.dtype, device=tokens.device).scatter(1, target, tokens)
        return out[:, :max(int(keep.sum(1).max()), 1)], dropped

    def _read(self, ordered: torch.Tensor, slots: torch.Tensor, same_position: bool = False,
              groups: int = READ_GROUPS) -> torch.Tensor:
        """The representation transformer over tokens (B, T; padding anywhere) followed by `slots` (S, W) or
        (B, S, W) -> (B, S, W); with `same_position` every slot sits at the position after the last token. Rows
        are read in groups of similar length (up to `groups` of at least 8 rows) without the columns that are
        padding in every row of the group, so a short history beside a long one is not read through its padding."""
        B = ordered.shape[0]
        groups = min(groups, B // 8)
        if groups <= 1:
            return self._read_rows(ordered, slots, same_position)
        used = (ordered != PAD).sum(1)
        order = used.argsort()
        out = []
        for rows in order.chunk(groups):
            tokens = ordered[rows]
            cols = (tokens != PAD).any(0)
            cols[-1] = True  # keep the last column: `same_position` places the slots after it
            out.append(self._read_rows(tokens[:, cols], slots if slots.dim() == 2 else slots[rows], same_position))
        return torch.cat(out)[order.argsort()]

    def _read_rows(self, ordered: torch.Tensor, slots: torch.Tensor, same_position: bool) -> torch.Tensor:
        """`_read` in one call: tokens (B, T; padding anywhere), slots (S, W) or (B, S, W) -> (B, S, W)."""
        B, L = ordered.shape[0], slots.shape[-2]
        x = torch.cat([self.repr.embed_tokens(ordered), slots.expand(B, -1, -1)], 1)
        mask = torch.cat([(ordered != PAD).long(), torch.ones(B, L, dtype=torch.long, device=ordered.device)], 1)
        pos = (mask.cumsum(1) - 1).clamp(min=0)
        if same_position:
            pos[:, -L:] = pos[:, -L - 1:-L] + 1  # callers pass at least one (maybe padding) token column
        return self.repr(inputs_embeds=x, attention_mask=mask, position_ids=pos).last_hidden_state[:, -L:]

    def _observation(self, tokens: torch.Tensor, view_cards: bool = True) -> torch.Tensor:
        """Right-padded `obs <sep> hidden [<eos>]` rows -> the observations alone (right-padded, trimmed); without
        `view_cards`, also without the card tokens of the observation's view (the card slots carry them)."""
        is_sep = tokens == SEP
        if not bool(is_sep.any(1).all()):
            raise ValueError("every full-state row needs a <sep> between observation and hidden tokens")
        cols = torch.arange(tokens.shape[1], device=tokens.device).unsqueeze(0)
        keep = cols < is_sep.long().argmax(1, keepdim=True)
        if not view_cards:
            is_view = tokens == VIEW
            in_view = is_view.any(1, keepdim=True) & (cols > is_view.long().argmax(1, keepdim=True))
            keep &= ~(in_view & self.repr.embed_tokens.is_card.squeeze(-1).bool()[tokens])
        target = torch.where(keep, keep.long().cumsum(1) - 1, tokens.shape[1])  # kept tokens move left
        out = torch.full((tokens.shape[0], tokens.shape[1] + 1), PAD, dtype=tokens.dtype, device=tokens.device)
        out = out.scatter(1, target, torch.where(keep, tokens, PAD))
        return out[:, :max(int(keep.sum(1).max()), 1)]

    @staticmethod
    def _hidden_first(tokens: torch.Tensor) -> torch.Tensor:
        """Right-padded `obs <sep> hidden [<eos>]` rows -> left-padded `hidden <sep> obs` rows."""
        B, T = tokens.shape
        n = (tokens != PAD).sum(1, keepdim=True)  # used length per row
        is_sep = tokens == SEP
        if not bool(is_sep.any(1).all()):
            raise ValueError("every full-state row needs a <sep> between observation and hidden tokens")
        s = is_sep.long().argmax(1, keepdim=True)  # index of <sep>
        last = tokens.gather(1, (n - 1).clamp(min=0))
        h = n - 1 - s - (last == EOS).long()  # hidden length without <eos>
        width = int((s + 1 + h).max())
        off = torch.arange(width, device=tokens.device).unsqueeze(0) - (width - (s + 1 + h))  # (B, width)
        src = torch.where(off < h, s + 1 + off, torch.where(off == h, s, off - h - 1))
        out = tokens.gather(1, src.clamp(0, T - 1))
        return torch.where(off < 0, torch.full_like(out, PAD), out)

    def _trim(self, tokens: torch.Tensor) -> torch.Tensor:
        """Drop all-padding columns on the right; refuse sequences longer than the encoders accept."""
        if tokens.dim() != 2:
            raise ValueError(f"expected token ids of shape (batch, length), got {tuple(tokens.shape)}")
        used = int((tokens != PAD).sum(1).max()) if tokens.numel() else 0
        self.check_ids(tokens)
        if used > self.cfg.max_tokens:
            raise ValueError(f"a token sequence of length {used} exceeds max_tokens={self.cfg.max_tokens}")
        return tokens[:, :max(used, 1)]

    def check_ids(self, tokens: torch.Tensor) -> None:
        """Refuse token ids this model has no embedding for: words added to the vocabulary after it was trained
        (the game's tokens changed since; it needs training again)."""
        top = int(tokens.max()) if tokens.numel() else 0
        if top >= self.spec.vocab_size:
            word = vocab.words()[top] if top < vocab.size() else str(top)
            raise ValueError(f"token {word!r} (id {top}) is not in this model's vocabulary of {self.spec.vocab_size} "
                             f"words: {self.spec.game}'s tokens changed after it was trained; train it again")

    def _returns(self, raw: torch.Tensor) -> torch.Tensor:
        """A head's raw outputs (B, N) -> returns per seat in game units; summing to zero in zero-sum games."""
        if self.spec.zero_sum:
            raw = raw - raw.mean(-1, keepdim=True)
        return raw * self.value_scale

    # ----- prediction f -----
    def predict(self, s: torch.Tensor) -> Prediction:
        """f: latent (B, L, W) -> value per seat, to-play logits, terminal logit."""
        N = self.spec.num_players
        out = self.prediction(s.flatten(1))
        return Prediction(value=self._returns(out[:, :N]), to_play=out[:, N:2 * N], terminal=out[:, 2 * N])

    def holdings(self, s: torch.Tensor) -> torch.Tensor:
        """Which tokens each relative seat holds in the view (games with a view): latent (B, L, W) -> logits
        (B, N, V), seat j's vector against h's token table (so a card is named by the vector h reads it with),
        plus for each card a score per seat read from that card's slot (where the model has card slots)."""
        seats = self.holding_head(s.flatten(1)).view(len(s), self.spec.num_players, -1)
        logits = seats @ self.repr.embed_tokens.table().T
        return logits if self.cards is None else logits.index_add(2, self.cards.card_ids, self.cards.holders(s))

    def playable(self, s: torch.Tensor) -> torch.Tensor:
        """Whether a legal action names each card of the deck (games with card slots): latent (B, L, W) -> logits
        (B, cards), each card's slot read beside a summary of the whole latent (who acts, what was led)."""
        return self.cards.playable_scores(s, self.playable_head(s.flatten(1)))

    def table(self, s: torch.Tensor) -> torch.Tensor:
        """What the view's table shows (games with `table_words`): latent (B, L, W) -> logits (B, R, V), one
        vector per table word against h's token table (`top` and its card, `draw` and how many)."""
        rows = self.table_head(s.flatten(1)).view(len(s), len(self.spec.table), -1)
        return rows @ self.repr.embed_tokens.table().T

    def facts(self, s: torch.Tensor) -> torch.Tensor:
        """Each seat's facts in the view (games with `seat_words`): latent (B, L, W) -> logits (B, N * S, V), seat
        by seat from the root player, a vector per seat word against h's token table (`bid` and its number)."""
        rows = self.facts_head(s.flatten(1)).view(len(s), self.spec.num_players * len(self.spec.seat_facts), -1)
        return rows @ self.repr.embed_tokens.table().T

    # ----- actions: embedding and policy scorer -----
    def embed_actions(self, actions: torch.Tensor) -> torch.Tensor:
        """Action token ids (..., A) -> one vector per action (..., W)."""
        A = actions.shape[-1]
        x = self.action_tokens(actions) + self.action_positions.weight[:A]
        x = (x * (actions != PAD).unsqueeze(-1)).sum(-2)
        return self.action_mlp(x)

    def score(self, s: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        """Policy scorer: latent (B, L, W) and candidates (B, C, A) -> logits (B, C)."""
        C = actions.shape[1]
        state = self.scorer_state(s.flatten(1)).unsqueeze(1).expand(-1, C, -1)
        return self.scorer(torch.cat([state, self.embed_actions(actions)], -1)).squeeze(-1)

    # ----- afterstates and chance -----
    def afterstate(self, s: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        """phi: latent (B, L, W) and one action per row (B, A) -> afterstate (B, L, W). In games with card slots the
        card slots first get what the action says about their card (agent.model.cards); with `action_read` slots
        every slot first gets the action's vector through a map of its own."""
        if self.cards is not None:
            s = self.cards.mark_action(s, actions)
        a = self.embed_actions(actions)
        if self.action_slots is not None:
            s = s + self.action_slots(a).unsqueeze(1)
        return self._combine(self.afterstate_net, s, a)[:, :-1]

    def afterstate_predict(self, after: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """psi: afterstate (B, L, W) -> (Q per seat (B, N), chance-code logits sigma (B, M))."""
        out = self.afterstate_head(after.flatten(1))
        N = self.spec.num_players
        return self._returns(out[:, :N]), out[:, N:]

    @property
    def reads_outcomes(self) -> bool:
        """Whether e reads what an action caused before what chance added (`ModelConfig.chance_read`): the
        batches it learns and is judged on are made so (`make_batch(..., outcomes=...)`)."""
        return self.cfg.chance_read == "outcome"

    def chance_code(self, tokens: torch.Tensor, groups: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
        """e: tokens a transition added to the full state (B, T) -> (straight-through one-hot code (B, M), probs
        (B, M)).
        `groups` equal blocks of rows (the unroll steps of a batch) are standardised each with its own statistics.
        In games with card slots the cards the tokens name (or 'no card') add a learned vote that starts at one code
        per card (agent.model.cards), so that draws of distinct cards start on distinct codes; reading outcomes, a
        seat named where no card is (a trick's taker) votes for a code of its own."""
        tokens = self._trim(tokens)
        B = tokens.shape[0]
        x = torch.cat([self.chance_slot.expand(B, -1, -1), self.chance_net.embeddings.word_embeddings(tokens)], 1)
        mask = torch.cat([torch.ones(B, 1, dtype=torch.long, device=tokens.device), (tokens != PAD).long()], 1)
        h = self.chance_net(inputs_embeds=x, attention_mask=mask).last_hidden_state  # (B, 1 + T, W)
        h = (h * mask.unsqueeze(-1)).sum(1) / mask.sum(1, keepdim=True)  # mean over slot and tokens
        norm = self.chance_norm  # batch statistics in training (a single row uses the running ones)
        h = torch.cat([nn.functional.batch_norm(part, norm.running_mean, norm.running_var, momentum=norm.momentum,
                                                training=self.training and len(part) > 1, eps=norm.eps)
                       for part in h.chunk(groups)])
        logits = self.chance_head(h)
        if self.cards is not None:  # which cards the events name, or none: a vote for their codes
            logits = logits + self.cards.code_vote(tokens, h.dtype)
        return straight_through_one_hot(logits)

    def dynamics(self, after: torch.Tensor, code: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """g: afterstate (B, L, W) and code (B, M) -> (next latent (B, L, W), reward per seat (B, N)). In games
        with a view the code first marks the card slots it names (agent.model.cards), as phi marks the card an
        action names."""
        if self.cards is not None:
            after = self.cards.mark_code(after, code)
        out = self._combine(self.dynamics_net, after, self.code_embed(code))
        return out[:, :-1], self._returns(self.reward_head(out.flatten(1)))

    def one_hot_code(self, index: torch.Tensor) -> torch.Tensor:
        """Chance code indices (B,) -> one-hot codes (B, M), as the search feeds them to g."""
        return nn.functional.one_hot(index, self.cfg.chance_codes).to(self.slots.dtype)

    @staticmethod
    def _combine(net, s: torch.Tensor, extra: torch.Tensor) -> torch.Tensor:
        """Run an encoder over the latent slots followed by one extra vector (marked token type 1)."""
        x = torch.cat([s, extra.unsqueeze(1)], 1)
        types = torch.zeros(x.shape[:2], dtype=torch.long, device=x.device)
        types[:, -1] = 1
        return net(inputs_embeds=x, token_type_ids=types).last_hidden_state

    # ----- action generator G (teacher forced; sampling lives in agent.model.sampling) -----
    def generator_prefix(self, s: torch.Tensor) -> torch.Tensor:
        """The generator's input embeddings for a latent: (B, L, W); action tokens follow it."""
        return self.generator_in(s)

    def generator_pointer(self, s: torch.Tensor) -> Pointer | None:
        """What G's pointer reads for latents (B, L, W): a key per card slot and the playable prior
        (agent.model.cards); None without card slots."""
        if self.cards is None:
            return None
        with torch.no_grad():
            playable = self.playable(s)
        return self.cards.pointer(s, playable)

    def generator_logits(self, hidden: torch.Tensor, pointer: Pointer | None) -> torch.Tensor:
        """G's next-token logits (R, T, V) from its hidden states (R, T, W): the token table's scores, plus for
        each card its pointer score (`pointer` from `generator_pointer`, one row per hidden row)."""
        logits = self.generator.lm_head(hidden)
        if pointer is None:
            return logits
        return logits.index_add(2, self.cards.card_ids, self.cards.point(hidden, pointer))

    def action_log_prob(self, s: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        """log G(action | s) for candidates (B, C, A) ending in `<eos>`; rows of only `<pad>` give 0. The prefix
        (the latent's L vectors) goes through G once per latent; then each latent's candidates run their own
        tokens side by side in one row after it, each seeing the prefix and its own earlier tokens (a block mask),
        so the prefix's keys and values are not copied once per candidate."""
        B, C, A = actions.shape
        valid = actions[..., 0] != PAD
        out = torch.zeros(B, C, device=s.device, dtype=s.dtype)
        if not valid.any():
            return out
        rows = valid.nonzero(as_tuple=True)
        seqs = actions[rows]  # (R, A)
        latents, of_row = rows[0].unique(return_inverse=True)  # the latents with candidates; each row's latent
        cache = DynamicCache()  # filled in place with the prefix's keys and values
        prefix = self.generator_prefix(s[latents])  # (n, L, W)
        first = self.generator.model(inputs_embeds=prefix, use_cache=True,
                                     **{CACHE: cache}).last_hidden_state[:, -1:]  # predicts token 0
        hidden = first[of_row]  # (R, 1, W)
        if A > 1:
            rest = self._candidate_hidden(seqs[:, :-1], of_row, (valid.cumsum(1) - 1)[rows], len(latents), cache)
            hidden = torch.cat([hidden, rest], 1)  # (R, A, W): position j predicts token j
        pointer = self.generator_pointer(s)
        logits = self.generator_logits(hidden, None if pointer is None else pointer[rows[0]])  # (R, A, V)
        logp = logits.log_softmax(-1).gather(-1, seqs.unsqueeze(-1)).squeeze(-1)
        out[rows] = (logp * (seqs != PAD)).sum(-1)
        return out

    def _candidate_hidden(self, inputs: torch.Tensor, latent: torch.Tensor, place: torch.Tensor, n: int,
                          cache: DynamicCache) -> torch.Tensor:
        """G's hidden states (R, T, W) over each candidate's input tokens (R, T), after its latent's prefix, which
        `cache` holds for `n` latents (and to which this call appends): one row per latent holds its candidates'
        tokens, candidate `place` (R,) of cache row `latent` (R,) in block `place`; a token sees the prefix and
        its own candidate's earlier tokens, at the positions it would have right after the prefix."""
        T = inputs.shape[1]
        L = cache.get_seq_length()
        per = int(place.max()) + 1
        grid = torch.full((n, per, T), PAD, dtype=inputs.dtype, device=inputs.device)
        grid[latent, place] = inputs
        q = torch.arange(per * T, device=inputs.device)
        block, at = q // T, q % T
        own = (block.unsqueeze(1) == block.unsqueeze(0)) & (at.unsqueeze(0) <= at.unsqueeze(1))  # (Q, Q)
        sees = torch.cat([own.new_ones(len(q), L), own], 1)  # the prefix, then its own candidate's tokens
        x = self.generator.get_input_embeddings()(grid.view(n, -1))
        mask = torch.zeros(sees.shape, dtype=x.dtype, device=x.device).masked_fill(~sees, torch.finfo(x.dtype).min)
        hidden = self.generator.model(inputs_embeds=x, attention_mask=mask.expand(n, 1, -1, -1),  # additive
                                      position_ids=(L + at).expand(n, -1), use_cache=True,
                                      **{CACHE: cache}).last_hidden_state  # (n, per * T, W)
        return hidden.view(n, per, T, -1)[latent, place]

    # ----- belief sampler b (teacher forced; sampling lives in agent.model.sampling) -----
    def belief_log_prob(self, tokens: torch.Tensor, sep_index: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(log b(hidden | observation) (B,), hidden token count (B,)) for full-state tokens; hidden = after `<sep>`."""
        tokens, dropped = self._window(self._trim(tokens))
        sep_index = sep_index - dropped
        logits = self.belief(input_ids=tokens, attention_mask=(tokens != PAD).long()).logits[:, :-1]
        target = tokens[:, 1:]
        pos = torch.arange(1, tokens.shape[1], device=tokens.device)
        keep = (pos.unsqueeze(0) > sep_index.unsqueeze(1)) & (target != PAD)
        logp = logits.log_softmax(-1).gather(-1, target.unsqueeze(-1)).squeeze(-1)
        return (logp * keep).sum(-1), keep.sum(-1)


def parameter_count(model: nn.Module) -> int:
    """Trainable parameters of a module."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)
