"""Building blocks built from `transformers` configs (random init, nothing downloaded), plus small heads."""
from __future__ import annotations

import inspect

import torch
from torch import nn
from transformers import BertConfig, BertModel, LlamaConfig, LlamaForCausalLM
from transformers.models.llama.modeling_llama import LlamaModel
from transformers.utils import logging as hf_logging

from agent.model.config import GameSpec, ModelConfig
from tokenizer import vocab

hf_logging.set_verbosity_error()  # no advice about pretrained weights: these models are built from scratch
# the keyword a decoder takes its key-value cache by (transformers 5 renames `past_key_values` to `cache`)
CACHE = "cache" if "cache" in inspect.signature(LlamaModel.forward).parameters else "past_key_values"


def init_std(cfg: ModelConfig) -> float:
    """Weight init scale: 1/sqrt(width), so small models start with tokens that reach the outputs (the usual
    0.02 is tuned for widths near 768 and leaves a width-64 encoder nearly blind to its input at init)."""
    return cfg.width ** -0.5


def encoder(cfg: ModelConfig, spec: GameSpec, layers: int, positions: int, tokens: bool = True) -> BertModel:
    """A bidirectional transformer encoder (BERT layout) of `layers` layers over at most `positions` vectors;
    without `tokens` it reads only given vectors and has no word-embedding table."""
    conf = BertConfig(vocab_size=spec.vocab_size, hidden_size=cfg.width, num_hidden_layers=layers,
                      num_attention_heads=cfg.heads, intermediate_size=cfg.ffn_mult * cfg.width,
                      max_position_embeddings=positions, type_vocab_size=2, hidden_dropout_prob=0.0,
                      attention_probs_dropout_prob=0.0, pad_token_id=0, initializer_range=init_std(cfg),
                      attn_implementation="sdpa")
    net = BertModel(conf, add_pooling_layer=False)
    if not tokens:
        net.embeddings.word_embeddings = nn.Identity()
    return net


def decoder(cfg: ModelConfig, spec: GameSpec, layers: int) -> LlamaForCausalLM:
    """A causal transformer decoder with a language-model head over the shared vocabulary (Llama layout)."""
    conf = LlamaConfig(vocab_size=spec.vocab_size, hidden_size=cfg.width, num_hidden_layers=layers,
                       num_attention_heads=cfg.heads, num_key_value_heads=cfg.heads,
                       intermediate_size=cfg.ffn_mult * cfg.width, max_position_embeddings=cfg.max_tokens + 64,
                       pad_token_id=0, bos_token_id=1, eos_token_id=2, tie_word_embeddings=False,
                       initializer_range=init_std(cfg), attn_implementation="sdpa")
    return LlamaForCausalLM(conf)


class CardEmbedding(nn.Module):
    """A token embedding where a card's vector is its own plus its rank word's plus its suit word's: what cards
    have in common (the suit to follow, the rank to match) is one shared direction from the start."""

    def __init__(self, base: nn.Embedding):
        super().__init__()
        self.base = base
        V = base.num_embeddings
        rank_of, suit_of, is_card = torch.arange(V), torch.arange(V), torch.zeros(V, 1)
        for card, rank, suit in vocab.card_parts():
            rank_of[card], suit_of[card], is_card[card] = rank, suit, 1.0
        self.register_buffer("rank_of", rank_of, persistent=False)
        self.register_buffer("suit_of", suit_of, persistent=False)
        self.register_buffer("is_card", is_card, persistent=False)

    def table(self) -> torch.Tensor:
        """The composed embeddings of the whole vocabulary (V, W)."""
        w = self.base.weight
        return w + self.is_card * (w[self.rank_of] + w[self.suit_of])

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """Token ids (...) -> vectors (..., W)."""
        return nn.functional.embedding(ids, self.table())


class Borrowed(nn.Module):
    """Another module's forward, used without owning its parameters (so a checkpoint stores them once)."""

    def __init__(self, owner: nn.Module):
        super().__init__()
        self._owner = [owner]  # a list, not an attribute: not a submodule

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """The owner's output for x."""
        return self._owner[0](x)


class TiedHead(Borrowed):
    """A language-model head whose output vectors are its owner's (a `CardEmbedding`) table: logits = h . table^T."""

    def forward(self, h: torch.Tensor) -> torch.Tensor:
        """Hidden states (..., W) -> logits over the vocabulary (..., V)."""
        return h @ self._owner[0].table().T


class MLP(nn.Sequential):
    """Linear -> GELU -> Linear: the heads on top of a latent."""

    def __init__(self, n_in: int, n_hidden: int, n_out: int, out_bias: bool = True):
        super().__init__(nn.Linear(n_in, n_hidden), nn.GELU(), nn.Linear(n_hidden, n_out, bias=out_bias))


class ScaleGradient(torch.autograd.Function):
    """Identity forward; multiplies the gradient by `scale` backward (MuZero's dynamics gradient scaling)."""

    @staticmethod
    def forward(ctx, x, scale):
        ctx.scale = scale
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.scale, None


def scale_gradient(x: torch.Tensor, scale: float) -> torch.Tensor:
    """`x` unchanged, with its gradient scaled by `scale` on the way back."""
    return ScaleGradient.apply(x, scale)


def straight_through_one_hot(logits: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(code, probs): code is exactly one-hot(argmax) forward and carries softmax's gradient backward."""
    probs = logits.softmax(-1)
    hard = nn.functional.one_hot(probs.argmax(-1), probs.shape[-1]).to(probs.dtype)
    return hard + (probs - probs.detach()), probs  # the bracket is exactly 0 forward, so the code is exactly one-hot
