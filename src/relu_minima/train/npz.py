"""The ``.npz`` files of ``relu-minima snap trained.npz data.npz`` (docs/snap.md, "Files").

``trained.npz`` holds either the one-hidden-layer names ``W`` (m, d), ``b`` (m,), ``v`` (m,)
and ``c`` (a number), or a state_dict's names ``<layer>.weight`` (out, in) and
``<layer>.bias`` (out,) in layer order (``np.savez(path, **{k: t.numpy() for k, t in
model.state_dict().items()})``). ``data.npz`` holds ``X`` ((n, d) or (n,)) and ``y`` ((n,),
or (n, k) for k outputs: one row of targets per point, e.g. one-hot rows).
Files are read with ``allow_pickle=False``: an ``.npz`` never runs code here.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InvalidArgument, ShapeError

__all__ = ["load_npz", "load_trained"]

SAVE_HINT = ("write the weights with numpy instead: numpy.savez(path, **{k: t.detach().numpy() "
             "for k, t in model.state_dict().items()})")


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


def load_trained(path: str | Path, what: str = "trained") -> dict[str, Any]:
    """The arrays of a trained network's file: an ``.npz``, or a ``torch.save`` file of a
    ``state_dict`` (a zip holding ``data.pkl``; issue 25, item 8), read with torch when it is
    installed (``weights_only=True``: tensors only, no code runs), else refused saying how to
    write one that needs no torch."""
    p = Path(path)
    try:
        is_torch = zipfile.is_zipfile(p) and any(
            name.endswith("data.pkl") for name in zipfile.ZipFile(p).namelist())
    except OSError:
        is_torch = False
    if not is_torch:
        return load_npz(p, what)
    try:
        import torch
    except ImportError:
        raise InvalidArgument(f"{what}={str(p)!r} is a torch.save file, which needs torch to "
                              f"read (pip install torch); or {SAVE_HINT}.") from None
    try:
        obj = torch.load(p, map_location="cpu", weights_only=True)
    except Exception as err:  # any unpickling failure means the same here
        raise InvalidArgument(
            f"{what}={str(p)!r} is a torch.save file that is not a state_dict of tensors (a "
            f"whole module cannot be read without running its code: {type(err).__name__}); "
            "save model.state_dict() instead: torch.save(model.state_dict(), path), or "
            f"{SAVE_HINT}.") from None
    if isinstance(obj, dict) and isinstance(obj.get("state_dict"), dict):
        obj = obj["state_dict"]  # a training checkpoint
    if not isinstance(obj, dict) or not all(hasattr(t, "detach") for t in obj.values()):
        raise InvalidArgument(f"{what}={str(p)!r} holds a {type(obj).__name__}, not a "
                              "state_dict of tensors; save model.state_dict().")
    return {str(k): t.detach().cpu().double().numpy() for k, t in obj.items()}
