"""Structured tokens for card games: observations, hidden remainders and actions in one shared vocabulary."""
from tokenizer import vocab
from tokenizer.tokenizer import Tokenizer

__all__ = ["Tokenizer", "vocab"]
