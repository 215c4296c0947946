"""Card slots: one latent slot per card of the deck, for games whose tokens end with a view of the hands.

Card games' rules are mostly about where each card is. In a game with a view (crazy_eights, hearts: `<view> me
hand C2 CK ... top D8`) the latent holds, after its general slots, one slot per card of the deck, and the model's
networks use them as follows:

- h: slot c starts as card c's embedding plus `start` plus where the view mentions c and the cards sharing
  its suit or rank (`context`: `me hand`, `p+1 hand`, `top`), then reads the view alone;
- phi: what the action says about each card (`play D7`) marks the slots (`mark_action`);
- e: the cards a chance step named (or none) vote for codes, one code per card at the start, and where it named
  no card, the seat it named (a trick's taker, with `ModelConfig.chance_read` outcome) a code per seat
  (`code_vote`);
- g: the code marks the slots of the cards it names (`mark_code`), as phi marks the card an action names;
- G: names a card by pointing at its slot, its query against the slot's key (`point`), plus a learned gate times
  the log-probability, by the model's own playable head, that a legal action names the card (the playable prior:
  at unrolled depths, where another seat acts, G otherwise names cards that seat lacks or may not play);
- the playable head: whether a legal action names each card, from the card's slot and a summary of the latent
  (`playable`: "held by the seat to act and of the suit led" is a conjunction, so an MLP, not a linear score);
- the holding head: which seat holds each card, read from the card's slot (`holders`).

So "the card to match shares my suit" is an input, and the card that left a hand is found by its slot, not
searched for by the encoders.
"""
from __future__ import annotations

import dataclasses

import torch
from torch import nn

from agent.model.networks import MLP, CardEmbedding
from tokenizer import vocab

PAD, SEP, EOS, VIEW = (vocab.ids()[w] for w in (vocab.PAD, vocab.SEP, vocab.EOS, vocab.VIEW))
CARD_VOTE = 5.0  # e's starting logit for the code of a card chance moved, against ~N(0, 1) from its features


class CardSlots(nn.Module):
    """The per-card parameters and operations of the latent (see the module docstring)."""

    def __init__(self, width: int, seats: int, codes: int, embed: CardEmbedding, seat_votes: bool = False):
        super().__init__()
        W, M = width, codes
        cards = [card for card, _, _ in vocab.card_parts()]
        self._embed = [embed]  # h's token table (a list, not an attribute: not a submodule of this one)
        self.register_buffer("card_ids", torch.tensor(cards, dtype=torch.long), persistent=False)
        self.start = nn.Parameter(torch.randn(W) * 0.02)  # added to a card's embedding: "the slot of card c"
        is_seat = torch.zeros(embed.base.num_embeddings, dtype=torch.bool)
        is_seat[[vocab.ids()[w] for w in vocab.SEATS]] = True
        self.register_buffer("is_seat", is_seat, persistent=False)
        self.same_suit = nn.Linear(W, W, bias=False)  # what the view says about the cards sharing c's suit
        self.same_rank = nn.Linear(W, W, bias=False)  # and about those sharing c's rank
        self.acted_on = nn.Linear(W, W)  # phi: what the action says about each card (`play c`, `nominate s`)
        # e: the cards chance moved (and 'none') vote for codes, g: a code marks cards; both start as one code per
        # card (card i <-> code i + 1 mod M, code 0 = no card), so draws of distinct cards start apart
        self.card_codes = nn.Linear(len(cards) + 1, M, bias=False)
        self.code_cards = nn.Linear(M, len(cards), bias=False)
        with torch.no_grad():
            one_per_card = nn.functional.one_hot((torch.arange(len(cards) + 1) + 1) % (len(cards) + 1) % M, M)
            self.card_codes.weight.copy_(one_per_card.T * CARD_VOTE)
            self.code_cards.weight.copy_(one_per_card[:-1])
        # e, where it reads outcomes (`seat_votes`): where the tokens name no card but a seat (`p+2 take`), a code of
        # that seat's instead of the no-card code (seat k <-> code M - 1 - k, past the cards' codes in a deck of up
        # to M - 11 cards), so that distinct takers start on distinct codes
        needed = len(cards) + 1 + len(vocab.SEATS)  # a code per card, for no card and for each seat
        if seat_votes and M < needed:
            raise ValueError(f"reading outcomes with card slots needs chance_codes >= {needed} (a code per card, for "
                             f"no card and for each seat), got {M}")
        self.seat_codes = nn.Linear(len(vocab.SEATS), M, bias=False) if seat_votes else None
        if self.seat_codes is not None:
            self.register_buffer("seat_ids", torch.tensor([vocab.ids()[w] for w in vocab.SEATS]), persistent=False)
            seat = torch.arange(len(vocab.SEATS))
            with torch.no_grad():
                self.seat_codes.weight.zero_()
                self.seat_codes.weight[(M - 1 - seat) % M, seat] = CARD_VOTE
                self.seat_codes.weight[0] -= CARD_VOTE
        self.drawn = nn.Parameter(torch.randn(W) * 0.02)  # g: the mark of a card chance moved
        self.holding = nn.Linear(W, seats)  # from each card's slot: which seat holds that card
        self.query = nn.Linear(W, W)  # G points at card slots: its state against each slot's key
        self.key = nn.Linear(W, W)
        self.playable = MLP(2 * W, 2 * W, 1)  # a card's slot and the latent's summary: does a legal action name it
        # the playable prior's weight, learned; 1 at the start: the head it reads starts near 1/2 for every card,
        # so it moves nothing until the head has learned
        self.play_gate = nn.Parameter(torch.ones(()))

    def __len__(self) -> int:
        return len(self.card_ids)

    # ----- h: the slots' inputs -----
    def view(self, tokens: torch.Tensor) -> torch.Tensor:
        """Full-state rows (B, T) -> their view alone (B, T'): the seen part, then the unseen part."""
        return torch.cat([view_part(tokens, 0), view_part(tokens, 1)], 1)

    def initial(self, view: torch.Tensor) -> torch.Tensor:
        """Each slot's input before the representation reads the view: (B, cards, W)."""
        embed = self._embed[0]
        return embed(self.card_ids) + self.start + self.context(view)

    def context(self, view: torch.Tensor) -> torch.Tensor:
        """Where each card is in a token row (B, T): per card of the deck (B, cards, W), the sum over its mentions
        of a tag, the embeddings of the word that opens the mention's event (the last word before it that is no
        card: `hand`, `top`, `trick`) and of the seat word before that one, if any (`me hand`, `p+1 hand`); plus,
        through `same_suit`, the tags of the mentions of the other cards of its suit and of its suit's word (the
        suit nominated after an eight tags itself), and through `same_rank` those of the other cards of its rank."""
        embed = self._embed[0]
        idx = torch.arange(view.shape[1], device=view.device).expand_as(view)
        is_card = embed.is_card.squeeze(-1).bool()  # (V,) the same cards as card_ids
        word_at = torch.where(~is_card[view] & (view != PAD), idx, -1).cummax(1).values
        word = torch.where(word_at >= 0, view.gather(1, word_at.clamp(min=0)), PAD)
        seat = view.gather(1, (word_at - 1).clamp(min=0))
        seat = torch.where((word_at >= 1) & self.is_seat[seat], seat, PAD)
        tag = embed(word) + embed(seat)  # (B, T, W); <pad> embeds to 0
        mentions = view.unsqueeze(-1) == self.card_ids  # (B, T, cards)
        suit = (embed.suit_of[view].unsqueeze(-1) == embed.suit_of[self.card_ids]) & ~mentions
        rank = (embed.rank_of[view].unsqueeze(-1) == embed.rank_of[self.card_ids]) & ~mentions
        at = lambda m: m.to(tag.dtype).transpose(1, 2) @ tag  # noqa: E731
        return at(mentions) + self.same_suit(at(suit)) + self.same_rank(at(rank))

    # ----- phi, e, g: marks and votes -----
    def mark_action(self, s: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
        """phi's first step: latent (B, L, W) with what each action (B, A) says about each card added to its slot
        (`play D7` marks slot D7, and the diamonds and the sevens through their own maps)."""
        return self._mark(s, self.acted_on(self.context(actions)))

    def mark_code(self, after: torch.Tensor, code: torch.Tensor) -> torch.Tensor:
        """g's first step: afterstate (B, L, W) with the cards code (B, M) names marked (`code_cards`, learned;
        at the start code i + 1 marks card i, the card whose draw e starts giving that code)."""
        return self._mark(after, self.code_cards(code).unsqueeze(-1) * self.drawn)  # (B, cards, W)

    def _mark(self, s: torch.Tensor, marks: torch.Tensor) -> torch.Tensor:
        """Latent (B, L, W) with `marks` (B, cards, W) added to its card slots (the last len(self) slots)."""
        n = len(self)
        return torch.cat([s[:, :-n], s[:, -n:] + marks], 1)

    def code_vote(self, tokens: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        """e's vote: which cards a chance step's tokens (B, T) name, or none, and then which seats they name, as
        logits over codes (B, M)."""
        named = (tokens.unsqueeze(-1) == self.card_ids).any(1).to(dtype)  # (B, cards)
        none = 1.0 - named.amax(-1, keepdim=True)
        vote = self.card_codes(torch.cat([named, none], -1))
        if self.seat_codes is None:
            return vote
        return vote + self.seat_codes((tokens.unsqueeze(-1) == self.seat_ids).any(1).to(dtype) * none)

    # ----- heads that read the slots -----
    def holders(self, s: torch.Tensor) -> torch.Tensor:
        """Per card, a score per seat for holding it, read from the card's slot: latent (B, L, W) -> (B, N, cards)."""
        return self.holding(s[:, -len(self):]).transpose(1, 2)

    def playable_scores(self, s: torch.Tensor, summary: torch.Tensor) -> torch.Tensor:
        """Per card, a logit for a legal action naming it, from the card's slot and the latent's `summary` (B, W):
        latent (B, L, W) -> (B, cards)."""
        slots = s[:, -len(self):]
        return self.playable(torch.cat([slots, summary.unsqueeze(1).expand_as(slots)], -1)).squeeze(-1)

    def pointer(self, s: torch.Tensor, playable: torch.Tensor) -> Pointer:
        """What G's pointer reads for latents (B, L, W): one key per card slot and the playable prior, the gate
        times log sigmoid of the model's playable logits (B, cards). The prior's input carries no gradient: G's
        loss trains the gate, the playable term the head."""
        return Pointer(self.key(s[:, -len(self):]), self.play_gate * nn.functional.logsigmoid(playable.detach()))

    def point(self, hidden: torch.Tensor, pointer: Pointer) -> torch.Tensor:
        """G's pointer scores (R, T, cards) from its hidden states (R, T, W): the query against each slot's key,
        plus the playable prior (`pointer` one row per hidden row)."""
        scores = self.query(hidden) @ pointer.keys.transpose(1, 2) * hidden.shape[-1] ** -0.5
        return scores + pointer.prior.unsqueeze(1)


@dataclasses.dataclass(frozen=True)
class Pointer:
    """Per latent, what G's pointer compares its state with (keys (B, cards, W)) and adds (prior (B, cards))."""

    keys: torch.Tensor
    prior: torch.Tensor

    def __getitem__(self, index) -> Pointer:
        """The rows `index` of both (the latent of each candidate)."""
        return Pointer(self.keys[index], self.prior[index])

    def repeat_interleave(self, k: int, dim: int = 0) -> Pointer:
        """Each row k times (a latent's beams share its pointer)."""
        return Pointer(self.keys.repeat_interleave(k, dim), self.prior.repeat_interleave(k, dim))


def view_part(tokens: torch.Tensor, part: int) -> torch.Tensor:
    """Right-padded `obs <sep> hidden [<eos>]` rows -> left-padded rows of one part of their view: the seen part
    (`part` 0: `<view>` up to `<sep>`) or the unseen one (1: `<view>` to the row's end); empty where there is
    none."""
    B, T = tokens.shape
    idx = torch.arange(T, device=tokens.device).expand(B, -1)
    last_view = torch.where(tokens == VIEW, idx, -1).cummax(1).values
    last_sep = torch.where(tokens == SEP, idx, -1).cummax(1).values
    keep = (last_view > last_sep) & (tokens != PAD) & (tokens != EOS) & ((last_sep >= 0) == bool(part))
    n = keep.sum(1, keepdim=True)
    width = max(int(n.max()), 1)
    dest = torch.where(keep, width - n + keep.long().cumsum(1) - 1, width)  # dropped tokens go to a spare column
    out = torch.full((B, width + 1), PAD, dtype=tokens.dtype, device=tokens.device)
    return out.scatter(1, dest, tokens)[:, :width]
