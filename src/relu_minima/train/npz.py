"""The ``.npz`` files of ``relu-minima snap trained.npz data.npz`` (docs/snap.md, "Files").

``trained.npz`` holds either the one-hidden-layer names ``W`` (m, d), ``b`` (m,), ``v`` (m,)
and ``c`` (a number), or a state_dict's names ``<layer>.weight`` (out, in) and
``<layer>.bias`` (out,) in layer order (``np.savez(path, **{k: t.numpy() for k, t in
model.state_dict().items()})``). ``data.npz`` holds ``X`` ((n, d) or (n,)) and ``y`` ((n,)).
Files are read with ``allow_pickle=False``: an ``.npz`` never runs code here.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InvalidArgument, ShapeError

__all__ = ["load_npz"]


def load_npz(path: str | Path, what: str, required: tuple[str, ...] = ()) -> dict[str, Any]:
    """The arrays of ``path`` in stored order; ``required`` names must be present."""
    p = Path(path)
    try:
        with np.load(p, allow_pickle=False) as data:
            arrays = {key: np.asarray(data[key]) for key in data.files}
    except (OSError, ValueError, zipfile.BadZipFile) as err:
        raise InvalidArgument(f"{what}={str(p)!r} could not be read as an .npz file of "
                              f"numeric arrays ({err}); write it with numpy.savez.") from None
    missing = [key for key in required if key not in arrays]
    if missing:
        raise ShapeError(f"{what}={str(p)!r} has arrays {sorted(arrays)} but no "
                         f"{', '.join(repr(k) for k in missing)}; see docs/snap.md for the "
                         "array names.")
    return arrays
