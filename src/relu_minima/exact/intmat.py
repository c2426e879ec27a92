"""Exact products of integer matrices, at the speed large problems need (issue 30).

Three ways to multiply integer matrices exactly, chosen by a bound on the result:

* float64 matrix products (BLAS), only when every partial sum is an integer of magnitude at
  most ``FLOAT_SAFE`` = 2^41: a double holds every integer up to 2^53, so no operation of the
  classical algorithm rounds, in whatever order the sums are taken and with or without fused
  multiply-adds; the factor 2^12 to spare also covers the growth of the intermediate sums of
  fast (Strassen-Winograd) schemes over a few levels of recursion;
* int64 products (numpy's integer loops, no BLAS) when every partial sum stays below 2^62;
  larger integers are cut into limbs that do, and the limbs' products recombined in Python
  integers (matrix-vector products only: a q x q x q product this way would be slow);
* python-flint's ``fmpz_mat`` (C, exact) for the general matrix product, else numpy object
  arrays of Python integers (exact, slow; python-flint is the optional ``[fast]`` extra).

Every result is exact; the bounds only choose the fastest exact way.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["FLOAT_SAFE", "INT_SAFE", "gram", "matmul", "matvec", "max_abs"]

FLOAT_SAFE = 1 << 41  # float64 products: every partial sum at most this (see the docstring)
INT_SAFE = 1 << 62  # int64 products: every partial sum below this


def max_abs(A: np.ndarray) -> int:
    """max |a| over an integer array (int64 or object), 0 when empty, as a Python int."""
    if A.size == 0:
        return 0
    if A.dtype == object:
        return int(max(abs(int(a)) for a in A.ravel()))
    return int(np.max(np.abs(A.astype(np.int64))))


def _flint():
    try:
        import flint
    except ImportError:  # pragma: no cover - depends on the environment
        return None
    return flint


def gram(A: np.ndarray) -> np.ndarray:
    """A^T A exactly, for an integer array A (n x q); int64 when it fits, else object."""
    bound = A.shape[0] * max_abs(A) ** 2
    if bound <= FLOAT_SAFE:
        Af = A.astype(np.float64)
        return np.rint(Af.T @ Af).astype(np.int64)
    return matmul(np.ascontiguousarray(A.T), A)


def matmul(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """A B exactly for integer arrays (int64 or object); int64 when it fits, else object."""
    if A.shape[1] != B.shape[0]:
        raise ValueError(f"matmul: shapes {A.shape} and {B.shape} do not chain")
    bound = A.shape[1] * max_abs(A) * max_abs(B)
    if bound <= FLOAT_SAFE:
        return np.rint(A.astype(np.float64) @ B.astype(np.float64)).astype(np.int64)
    flint = _flint()
    if flint is not None and A.size and B.size:
        C = flint.fmpz_mat(A.shape[0], A.shape[1], [int(a) for a in A.ravel().tolist()]) * \
            flint.fmpz_mat(B.shape[0], B.shape[1], [int(b) for b in B.ravel().tolist()])
        out = np.array([int(t) for t in C.entries()], dtype=object)
        out = out.reshape(A.shape[0], B.shape[1])
    else:
        out = A.astype(object).dot(B.astype(object))
    return _narrow(out, bound)


def _narrow(out: np.ndarray, bound: int) -> np.ndarray:
    if bound < INT_SAFE:
        return out.astype(np.int64)
    return out


def matvec(A: np.ndarray, x: Sequence[int]) -> list[int]:
    """A x exactly, for an int64 array A (n x q) and Python integers x, as Python integers.

    x is cut into limbs of b bits with q max|A| 2^b < 2^62, so that every limb's product is
    an exact int64 product; the limbs are recombined in Python integers (n of them)."""
    n, q = A.shape
    xs = [int(t) for t in x]
    if len(xs) != q:
        raise ValueError(f"matvec: A has {q} columns but x has {len(xs)} entries")
    if A.dtype == object:
        return [int(t) for t in A.dot(np.array(xs, dtype=object))]
    a = max_abs(A)
    if q == 0 or a == 0:
        return [0] * n
    bits = (INT_SAFE // (q * a)).bit_length() - 1
    if bits < 1:  # entries of A too large for any limb: exact object arithmetic
        return [int(t) for t in A.astype(object).dot(np.array(xs, dtype=object))]
    signs = np.array([1 if t >= 0 else -1 for t in xs], dtype=np.int64)
    mags = [abs(t) for t in xs]
    top = max(mags).bit_length()
    mask = (1 << bits) - 1
    total = [0] * n
    for shift in range(0, max(top, 1), bits):
        limb = np.array([(t >> shift) & mask for t in mags], dtype=np.int64) * signs
        if not limb.any():
            continue
        part = (A.astype(np.int64) @ limb).tolist()
        total = [s + (p << shift) for s, p in zip(total, part, strict=True)]
    return total


P31 = (1 << 31) - 1  # a prime: residues below 2^31, so a product of two stays below 2^62


def _digits(A: np.ndarray, bits: int, count: int) -> list[np.ndarray]:
    """Signed base-2^bits digits of an int64 array: A = sum_k D_k 2^(bits k), |D_k| < 2^bits."""
    sign = np.where(A < 0, -1, 1).astype(np.int64)
    mag = np.abs(A).astype(np.int64)
    mask = (1 << bits) - 1
    return [((mag >> (bits * k)) & mask) * sign for k in range(count)]


def diag_minus_product(d: Sequence[int], A: np.ndarray, B: np.ndarray) -> np.ndarray | None:
    """diag(d) - A B exactly, as int64, for int64 A (q x k) and B (k x q); None when some
    entry does not fit in int64 or the inputs are beyond the method (then use
    ``diag(d) - matmul(A, B)``).

    A and B are cut into signed digits so that each digit product is a float64 product whose
    partial sums stay below ``FLOAT_SAFE`` (exact: see the module docstring); the products are
    added with their powers of two in wrapping int64 arithmetic (exact modulo 2^64) and again
    modulo the prime 2^31 - 1. An entry whose two residues agree with one int64 value is that
    value: the true entry is below 2^95 in magnitude (checked from the bounds), and two
    integers below 2^95 that agree modulo 2^64 (2^31 - 1) are equal."""
    q, k = A.shape
    a, b = max_abs(A), max_abs(B)
    top = max((abs(int(t)) for t in d), default=0)
    if k == 0 or top + k * a * b >= 1 << 94:
        return None
    g = min(max(b.bit_length(), 1), 17)
    s = (FLOAT_SAFE // (k << g)).bit_length() - 1
    if s < 1:
        return None
    As = _digits(A.astype(np.int64), s, -(-max(a.bit_length(), 1) // s))
    Bs = _digits(B.astype(np.int64), g, -(-max(b.bit_length(), 1) // g))
    wrap = np.zeros((q, B.shape[1]), dtype=np.uint64)
    modp = np.zeros((q, B.shape[1]), dtype=np.int64)
    Bf = [Bl.astype(np.float64) for Bl in Bs]
    for i, Ak in enumerate(As):
        Af = Ak.astype(np.float64)
        for j, Bl in enumerate(Bf):
            part = np.rint(Af @ Bl).astype(np.int64)  # exact: |partial sums| <= FLOAT_SAFE
            shift = s * i + g * j
            if shift < 64:
                wrap += part.view(np.uint64) << np.uint64(shift)
            modp = (modp + (part % P31) * pow(2, shift, P31)) % P31
    diag = np.array([t % (1 << 64) for t in d], dtype=np.uint64)
    out = (-wrap).view(np.int64).copy()
    out[np.arange(q), np.arange(q)] = (diag - wrap[np.arange(q), np.arange(q)]).view(np.int64)
    expect = (-modp) % P31
    expect[np.arange(q), np.arange(q)] = (np.array([t % P31 for t in d], dtype=np.int64)
                                          - modp[np.arange(q), np.arange(q)]) % P31
    if not np.array_equal(out % P31, expect):
        return None  # some entry is beyond int64
    return out
