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


def _state_words(pool: list[int], count: int) -> list[int]:
    """SeedSequence.generate_state(count // 2, uint64) as 32-bit words, in order."""
    hash_const = _INIT_B
    words = []
    for i in range(count):
        value = pool[i % _POOL_SIZE] ^ hash_const
        hash_const = (hash_const * _MULT_B) & _MASK32
        value = (value * hash_const) & _MASK32
        words.append(value ^ (value >> 16))
    return words


def _pcg64(pool: list[int]) -> tuple[int, int]:
    """PCG64's (state, increment) seeded as ``PCG64(seed_sequence)`` seeds it."""
    w = _state_words(pool, 8)
    s = [w[2 * i] | (w[2 * i + 1] << 32) for i in range(4)]  # little-endian uint64s
    initstate, initseq = (s[0] << 64) | s[1], (s[2] << 64) | s[3]
    increment = ((initseq << 1) | 1) & _MASK128
    state = increment  # pcg_setseq_128_srandom_r: state 0, one step, add initstate, one step
    state = ((state + initstate) * _PCG_MULT + increment) & _MASK128
    return state, increment


class UniformStreams:
    """The streams ``SeedSequence(seed, spawn_key=(*prefix, number))`` for one ``prefix``:
    ``uniform(number, low, high)`` draws what ``default_rng(...).uniform(low, high)`` would."""

    __slots__ = ("_prefix",)

    def __init__(self, seed: int, prefix: tuple[int, ...]) -> None:
        run = _words(seed)
        spawn = [w for key in prefix for w in _words(key)]
        # get_assembled_entropy: with a spawn key, the seed's words are padded to the pool size.
        run += [0] * (_POOL_SIZE - len(run))
        self._prefix = _Mixer(run + spawn)

    def uniform(self, number: int, low: float, high: float) -> Callable[[], float]:
        mixer = self._prefix.copy()  # the padded seed fills the pool: the rest is added
        for word in _words(number):
            mixer.add(word)
        state, increment = _pcg64(mixer.pool)
        span = high - low

        def draw() -> float:
            nonlocal state
            state = (state * _PCG_MULT + increment) & _MASK128
            x = ((state >> 64) ^ state) & _MASK64
            rotation = state >> 122
            raw = ((x >> rotation) | (x << (64 - rotation))) & _MASK64
            return low + span * ((raw >> 11) * _DOUBLE_UNIT)

        return draw
