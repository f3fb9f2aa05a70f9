"""Kernels: the rules' numeric cores, written in the part of Python that numba compiles (plain
loops over numbers and numpy arrays, no objects), so that one source runs interpreted or
compiled (docs/speed.md: the port of the turn, stage by stage).

    jit.py    `@kernel`: the function itself, or numba's compiled one (`WARGAME_JIT`: auto, the
              default, compiled once `wargame warm` has filled numba's cache; 1; 0)
"""
