"""The chance-aware search: a tree over any model of the game (`Expander`), root rules, and the expanders that
plan with the learned model, with the real rules (oracle), or with the real legal actions at inner nodes."""
from agent.search.config import SearchConfig
from agent.search.tree import AfterInfo, Expander, SearchResult, StateInfo, Tree, pool, run, simulate

__all__ = ["AfterInfo", "Expander", "SearchConfig", "SearchResult", "StateInfo", "Tree", "pool", "run", "simulate"]
