"""Token rows as tensors: rows of token ids of different lengths padded with <pad> into one int64 batch."""
from __future__ import annotations

import numpy as np
import torch

from tokenizer import vocab

PAD = vocab.ids()[vocab.PAD]


def pad_rows(rows: list[list[int]], *, width: int | None = None, left: bool = False, device=None) -> torch.Tensor:
    """(len(rows), width) int64 tensor of `rows` right-padded with <pad> (left-padded with `left`) on `device`."""
    longest = max(map(len, rows), default=0)
    if width is None:
        width = max(1, longest)  # at least one column, so that an all-empty batch still has a shape to view
    elif longest > width:
        raise ValueError(f"a row of {longest} tokens does not fit in width {width}")
    out = np.full((len(rows), width), PAD, dtype=np.int64)  # filled in numpy and converted once: the fast way
    for i, r in enumerate(rows):
        if left:
            out[i, width - len(r):] = r
        else:
            out[i, :len(r)] = r
    t = torch.from_numpy(out)
    return t if device is None else t.to(device)
