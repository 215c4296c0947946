"""The learned model: the design's networks (`Model`), its configuration, card slots, samplers, unroll targets,
losses and model files."""
from agent.model.model import EOS, PAD, SEP, Model, parameter_count

__all__ = ["EOS", "PAD", "SEP", "Model", "parameter_count"]
