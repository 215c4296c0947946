"""The measurements `python -m scripts.benchmark` prints: the tokenizer, the model's network calls, the search
and self-play."""
