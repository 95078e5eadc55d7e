"""A seeded mutational fuzzer over a corpus: the bounded run of the test suite, with no dependency.

Each round takes a corpus input and applies 1-4 of the classic byte mutations (bit flips, byte sets
to interesting values, inserted / deleted / duplicated runs, truncation, splicing with another
input, replacing a decimal number in text by an extreme one). Inputs that raise an error the target
does not document are findings. Coverage guidance is the job of the long runs (``scripts/fuzz``).
"""
from __future__ import annotations

import random
import re
import time
from pathlib import Path

INTERESTING = [0, 1, 0x7F, 0x80, 0xFF]
EXTREME_NUMBERS = [b"0", b"-1", b"1e308", b"-1e308", b"4294967297", b"1073741825", b"99999999999999999999",
                   b"NaN", b"Infinity", b"1e-45", b"65537"]
_NUMBER = re.compile(rb"-?\d+(\.\d+)?")


def corpus(folder: Path) -> list[bytes]:
    return [p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()]


def mutate(rng: random.Random, data: bytes, others: list[bytes]) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(8)
        i = rng.randrange(len(b) + 1)
        if op == 0 and b:
            b[min(i, len(b) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1 and b:
            b[min(i, len(b) - 1)] = rng.choice(INTERESTING)
        elif op == 2:
            b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif op == 3:
            del b[i:i + rng.randint(1, 16)]
        elif op == 4:
            j = rng.randrange(len(b) + 1)
            b[i:i] = b[j:j + rng.randint(1, 64)]
        elif op == 5:
            del b[i:]
        elif op == 6 and others:
            other = rng.choice(others)
            b[i:] = other[rng.randrange(len(other) + 1):]
        elif op == 7:
            numbers = list(_NUMBER.finditer(bytes(b)))
            if numbers:
                m = rng.choice(numbers)
                b[m.start():m.end()] = rng.choice(EXTREME_NUMBERS)
    return bytes(b)


def fuzz(run, seeds: list[bytes], seconds: float, seed: int = 0, max_inputs: int | None = None):
    """Run `run(data)` on every seed, then on mutants until `seconds` pass. Returns (inputs run,
    the first input whose run raised, with its exception) — (n, None, None) when nothing did."""
    rng = random.Random(seed)
    inputs = list(seeds)
    n, deadline = 0, time.monotonic() + seconds
    while True:
        data = inputs[n] if n < len(inputs) else mutate(rng, rng.choice(inputs), inputs)
        try:
            run(data)
        except Exception as e:  # a finding: the caller reports the input that raised it
            return n + 1, data, e
        n += 1
        if (n >= len(inputs) and time.monotonic() > deadline) or (max_inputs and n >= max_inputs):
            return n, None, None
