"""The measurements `python -m scripts.benchmark` prints: the tokenizer, the model's network calls, the search,
self-play, scale-out on Ray and the root's belief."""
