"""Uniform draws of a keyed stream in plain Python, bit for bit numpy's.

A keyed stream (``sim.model.streams``) is ``default_rng(SeedSequence(seed, spawn_key=(load,
replication, <name's number>)))``, drawn from a few times: a heavy replication derives tens of
thousands, and numpy's derivation (a ``SeedSequence``, a ``PCG64``, a ``Generator``) and its
per-draw call cost more than the arithmetic they do on such small work. This module does the
same arithmetic in Python ints: numpy's ``SeedSequence`` mixing (the pool of the common prefix
``(seed, load, replication)`` mixed once, then each name's word), the ``PCG64`` seeding from
``generate_state(4, uint64)``, its XSL-RR output, and ``Generator.uniform``'s
``low + (high - low) * ((next_uint64 >> 11) * 2**-53)``. Same seeds, same 64-bit words, the
same IEEE doubles: ``tests/sim/model/test_uniform_draws.py`` compares it with numpy draw by
draw. Only ``Uniform`` is done here; other shapes keep numpy's generator.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["UniformStreams"]

# numpy.random.SeedSequence's constants (numpy/random/bit_generator.pyx).
_POOL_SIZE = 4
_INIT_A = 0x43B0D7E5
_MULT_A = 0x931E8875
_INIT_B = 0x8B51F9DD
_MULT_B = 0x58F38DED
_MIX_MULT_L = 0xCA01F9DD
_MIX_MULT_R = 0x4973F715
_MASK32 = 0xFFFFFFFF
_MASK64 = (1 << 64) - 1
_MASK128 = (1 << 128) - 1
# PCG64's multiplier (numpy/random/src/pcg64/pcg64.h, PCG_DEFAULT_MULTIPLIER_128).
_PCG_MULT = 0x2360ED051FC65DA44385DF649FCCF645
_DOUBLE_UNIT = 1.0 / 9007199254740992.0  # 2**-53, numpy's next_double


def _words(value: int) -> list[int]:
    """An int as SeedSequence reads it: 32-bit words, least significant first; 0 is one word."""
    if value < 0:
        raise ValueError(f"a seed or spawn key must be >= 0, got {value}")
    if value == 0:
        return [0]
    words = []
    while value:
        words.append(value & _MASK32)
        value >>= 32
    return words


class _Mixer:
    """SeedSequence's entropy pool as it is being mixed, with its running hash constant."""

    __slots__ = ("hash_const", "pool")

    def __init__(self, entropy: list[int]) -> None:
        # SeedSequence.mix_entropy: the first words fill the pool, every pool word is mixed
        # into every other, then each further word is mixed into every pool word (``add``).
        self.hash_const = _INIT_A
        pool = [self._hash(entropy[i] if i < len(entropy) else 0) for i in range(_POOL_SIZE)]
        for src in range(_POOL_SIZE):
            for dst in range(_POOL_SIZE):
                if src != dst:
                    pool[dst] = _mix(pool[dst], self._hash(pool[src]))
        self.pool = pool
        for word in entropy[_POOL_SIZE:]:
            self.add(word)

    def _hash(self, value: int) -> int:
        value ^= self.hash_const
        self.hash_const = (self.hash_const * _MULT_A) & _MASK32
        value = (value * self.hash_const) & _MASK32
        return value ^ (value >> 16)

    def add(self, word: int) -> None:
        pool = self.pool
        for dst in range(_POOL_SIZE):
            pool[dst] = _mix(pool[dst], self._hash(word))

    def copy(self) -> _Mixer:
        twin = _Mixer.__new__(_Mixer)
        twin.hash_const, twin.pool = self.hash_const, list(self.pool)
        return twin


def _mix(x: int, y: int) -> int:
    result = (_MIX_MULT_L * x - _MIX_MULT_R * y) & _MASK32
    return result ^ (result >> 16)


def _hash_steps(start: int, multiplier: int, count: int) -> tuple[tuple[int, int], ...]:
    """The (xor, multiplier) pairs of ``count`` hash steps from ``start``: SeedSequence's hash
    constant runs through them whatever the data, so they are worked out once."""
    steps, constant = [], start
    for _ in range(count):
        following = (constant * multiplier) & _MASK32
        steps.append((constant, following))
        constant = following
    return tuple(steps)


_STATE_STEPS = _hash_steps(_INIT_B, _MULT_B, 8)  # generate_state(4, uint64): 8 words


def _pcg64(pool: list[int]) -> tuple[int, int]:
    """PCG64's (state, increment) seeded as ``PCG64(seed_sequence)`` seeds it: from
    ``generate_state(4, uint64)``, the pool's words hashed in turn, read as little-endian
    uint64s."""
    w = []
    for i, (xor, multiplier) in enumerate(_STATE_STEPS):
        value = ((pool[i % _POOL_SIZE] ^ xor) * multiplier) & _MASK32
        w.append(value ^ (value >> 16))
    initstate = (w[0] | (w[1] << 32)) << 64 | w[2] | (w[3] << 32)
    initseq = (w[4] | (w[5] << 32)) << 64 | w[6] | (w[7] << 32)
    increment = ((initseq << 1) | 1) & _MASK128
    state = increment  # pcg_setseq_128_srandom_r: state 0, one step, add initstate, one step
    state = ((state + initstate) * _PCG_MULT + increment) & _MASK128
    return state, increment


class UniformStreams:
    """The streams ``SeedSequence(seed, spawn_key=(*prefix, number))`` for one ``prefix``:
    ``uniform(number, low, high)`` draws what ``default_rng(...).uniform(low, high)`` would."""

    __slots__ = ("_pool", "_prefix", "_word_steps")

    def __init__(self, seed: int, prefix: tuple[int, ...]) -> None:
        run = _words(seed)
        spawn = [w for key in prefix for w in _words(key)]
        # get_assembled_entropy: with a spawn key, the seed's words are padded to the pool size.
        run += [0] * (_POOL_SIZE - len(run))
        self._prefix = _Mixer(run + spawn)
        self._pool = tuple(self._prefix.pool)
        # The padded seed fills the pool, so a number's word is added to every pool word: the
        # hash steps of a one-word number (any name's: 32 bits) come next, the same for all.
        self._word_steps = _hash_steps(self._prefix.hash_const, _MULT_A, _POOL_SIZE)

    def uniform(self, number: int, low: float, high: float) -> Callable[[], float]:
        if 0 <= number <= _MASK32:
            pool = list(self._pool)
            for i, (xor, multiplier) in enumerate(self._word_steps):
                value = ((number ^ xor) * multiplier) & _MASK32
                pool[i] = _mix(pool[i], value ^ (value >> 16))
        else:
            mixer = self._prefix.copy()
            for word in _words(number):
                mixer.add(word)
            pool = mixer.pool
        state, increment = _pcg64(pool)
        span = high - low

        def draw() -> float:
            nonlocal state
            state = (state * _PCG_MULT + increment) & _MASK128
            x = ((state >> 64) ^ state) & _MASK64
            rotation = state >> 122
            raw = ((x >> rotation) | (x << (64 - rotation))) & _MASK64
            return low + span * ((raw >> 11) * _DOUBLE_UNIT)

        return draw
