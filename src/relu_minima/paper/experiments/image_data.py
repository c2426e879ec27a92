"""Image datasets for the Figure 1 and 2 analogues (Section 3.1.1, Appendix A). Nothing is
downloaded:

* :func:`load_digits_data`: scikit-learn's bundled 8x8 digits (1,797 images, pixels 0..16),
  with the optional extra ``pip install relu-minima[digits]``; :func:`digits_available` says
  whether it is installed, so callers skip cleanly without it.
* :func:`read_mnist`: a user-supplied MNIST, either the standard IDX files (a directory holding
  ``train-images-idx3-ubyte`` and ``train-labels-idx1-ubyte``, optionally ``.gz``, or one IDX
  file of images) or an ``.npz`` (keys ``x_train``/``y_train`` as in keras' ``mnist.npz``, or
  ``X``/``y``, or ``images``/``labels``).

Pixels stay integers; ``scale`` is the exact factor that maps them to [0, 1] (1/16 for the
digits, 1/255 for MNIST, as in Appendix A: "data divided by 255").
"""

from __future__ import annotations

import gzip
import importlib.util
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from ...errors import InvalidArgument, MissingDependency, ShapeError

__all__ = ["ImageData", "builtin_images", "digits_available", "load_digits_data", "read_idx",
           "read_mnist", "reference_images"]


@dataclass(frozen=True)
class ImageData:
    """``X``: (N, d) integer pixels; ``y``: (N,) labels (or None); ``X * scale`` lies in
    [0, 1]."""

    name: str
    X: np.ndarray
    y: np.ndarray | None
    scale: Fraction

    @property
    def n(self) -> int:
        return int(self.X.shape[0])

    @property
    def d(self) -> int:
        return int(self.X.shape[1])


def builtin_images() -> ImageData:
    """Twelve 4x4 integer images, pixel (r, c) of image k = (3k + 5r + 7c) mod 17 (0..16, no
    image all zero): the stand-in when scikit-learn is not installed."""
    X = np.array([[(3 * k + 5 * r + 7 * c) % 17 for r in range(4) for c in range(4)]
                  for k in range(12)], dtype=np.int64)
    return ImageData("12 built-in 4x4 images ((3k + 5r + 7c) mod 17)", X,
                     np.arange(12, dtype=np.int64) % 2, Fraction(1, 16))


def reference_images() -> ImageData:
    """The 8x8 digits when scikit-learn is installed, else :func:`builtin_images`."""
    return load_digits_data() if digits_available() else builtin_images()


def digits_available() -> bool:
    """Whether scikit-learn (the extra ``relu-minima[digits]``) is installed."""
    return importlib.util.find_spec("sklearn") is not None


def load_digits_data() -> ImageData:
    """scikit-learn's bundled 8x8 digits (shipped with the package: no download)."""
    if not digits_available():
        raise MissingDependency("the 8x8 digits need scikit-learn: pip install "
                                "'relu-minima[digits]' (or pip install scikit-learn).")
    from sklearn.datasets import load_digits

    bunch = load_digits()
    X = np.asarray(bunch.data)
    ints = X.astype(np.int64)
    if not np.array_equal(ints, X) or ints.min() < 0 or ints.max() > 16:
        raise ShapeError("scikit-learn's digits are not integers in 0..16 as documented.")
    return ImageData("scikit-learn 8x8 digits", ints, np.asarray(bunch.target, dtype=np.int64),
                     Fraction(1, 16))


_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str | Path) -> np.ndarray:
    """One IDX file (LeCun's MNIST format; ``.gz`` read transparently): magic 0 0 type ndim,
    then ndim big-endian int32 sizes, then the data."""
    p = Path(path)
    if not p.is_file():
        raise MissingDependency(f"path={str(p)!r} is not a file.")
    raw = gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes()
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _IDX_TYPES:
        raise InvalidArgument(f"path={str(p)!r} is not an IDX file (bad magic number).")
    ndim = raw[3]
    head = 4 + 4 * ndim
    if ndim < 1 or len(raw) < head:
        raise InvalidArgument(f"path={str(p)!r}: IDX header is truncated.")
    dims = tuple(int(v) for v in np.frombuffer(raw[4:head], dtype=">i4"))
    dtype = np.dtype(_IDX_TYPES[raw[2]])
    size = int(np.prod(dims)) * dtype.itemsize
    if len(raw) != head + size:
        raise InvalidArgument(f"path={str(p)!r}: {len(raw) - head} data bytes, the header "
                              f"{dims} needs {size}.")
    return np.frombuffer(raw[head:], dtype=dtype).reshape(dims).astype(dtype.newbyteorder("="))


def _find(directory: Path, stem: str) -> Path | None:
    for name in (stem, stem + ".gz", stem.replace("-idx", ".idx"),
                 stem.replace("-idx", ".idx") + ".gz"):
        if (directory / name).is_file():
            return directory / name
    return None


def _images(arr: np.ndarray, source: str) -> np.ndarray:
    if arr.ndim < 2:
        raise ShapeError(f"{source}: images have shape {arr.shape}; need (N, ...) pixels.")
    flat = arr.reshape(arr.shape[0], -1)
    ints = flat.astype(np.int64)
    if not np.array_equal(ints, flat) or ints.min() < 0 or ints.max() > 255:
        raise InvalidArgument(f"{source}: pixels must be integers in 0..255 (raw MNIST).")
    return ints


def read_mnist(path: str | Path) -> ImageData:
    """The training images (and labels, when found) of a user-supplied MNIST (module doc)."""
    p = Path(path)
    if p.is_dir():
        img = _find(p, "train-images-idx3-ubyte")
        if img is None:
            raise MissingDependency(f"path={str(p)!r} holds no train-images-idx3-ubyte[.gz].")
        lab = _find(p, "train-labels-idx1-ubyte")
        X = _images(read_idx(img), str(img))
        y = None if lab is None else read_idx(lab).astype(np.int64)
    elif p.suffix == ".npz":
        if not p.is_file():
            raise MissingDependency(f"path={str(p)!r} is not a file.")
        with np.load(p) as z:
            keys = next((k for k in (("x_train", "y_train"), ("X", "y"), ("images", "labels"))
                         if k[0] in z.files), None)
            if keys is None:
                raise InvalidArgument(f"path={str(p)!r} has arrays {z.files}; need x_train "
                                      "(and y_train), X (and y), or images (and labels).")
            X = _images(z[keys[0]], str(p))
            y = z[keys[1]].astype(np.int64) if keys[1] in z.files else None
    else:
        X, y = _images(read_idx(p), str(p)), None
    if y is not None and y.shape != (X.shape[0],):
        raise ShapeError(f"{p}: {X.shape[0]} images but labels of shape {y.shape}.")
    return ImageData(f"MNIST from {p}", X, y, Fraction(1, 255))
