"""The agent: learned model, chance-aware search, and `Agent` / `load_agent` for playing real games."""
from agent.agent import Agent, load_agent

__all__ = ["Agent", "load_agent"]
