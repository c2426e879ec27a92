"""Sweeps: map (configuration, seed block) to trained results through any
``concurrent.futures.Executor`` (docs/experiments.md).

A :class:`Config` is one cell of an experiment (net, protocol, data, seed, number of
initialisations). :func:`sweep` cuts every cell into blocks of initialisations, submits one task
per block to the executor, shows a tqdm progress bar, and joins the blocks of each cell in
index order. Because a network's run depends only on (protocol, net, data, seed, index)
(:mod:`relu_minima.train.trainer`), the result does not depend on the executor or the block
size: a process pool (the default), :class:`SerialExecutor` (in-process), or a
``dask.distributed`` cluster (``Client(...).get_executor()``, the optional extra "dask") give
the same numbers.

>>> from relu_minima.train.protocol import Net, Protocol
>>> from relu_minima.train.trainer import TrainData
>>> xor = TrainData.binary("xor", [[0, 0], [1, 1], [0, 1], [1, 0]], [0, 0, 1, 1])
>>> cfg = Config(Net((2, 3, 1), "relu"), Protocol("demo", steps=50), xor, seed=1, count=6)
>>> [r.n for r in sweep([cfg], executor=SerialExecutor(), block=4, progress=False)]
[6]
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidArgument, InvalidType
from ..numeric.threads import limit_process
from .protocol import Net, Protocol
from .trainer import TrainData, TrainResult, train, train_padded

__all__ = ["Config", "SerialExecutor", "one_blas_thread", "process_pool", "run_block",
           "run_padded_block", "sweep"]


@dataclass(frozen=True)
class Config:
    """One cell: train ``count`` networks (indices ``start .. start + count - 1``) of ``net``
    under ``protocol`` on ``data`` with ``seed``. ``tag`` is free (e.g. the table cell)."""

    net: Net
    protocol: Protocol
    data: TrainData
    seed: int = 0
    count: int = 1
    start: int = 0
    tag: Any = None

    def __post_init__(self) -> None:
        if not isinstance(self.net, Net) or not isinstance(self.protocol, Protocol) or \
                not isinstance(self.data, TrainData):
            raise InvalidType("Config(net, protocol, data, ...) needs a Net, a Protocol and a "
                              "TrainData.")
        for name in ("seed", "count", "start"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < (
                    1 if name == "count" else 0):
                raise InvalidArgument(f"{name}={value!r} must be an integer >= "
                                      f"{1 if name == 'count' else 0}.")


class SerialExecutor(Executor):
    """An executor that runs each task at once in the calling process (no pickling, no
    workers): for small sweeps, tests and check-paper's reduced scale."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the caller through the future
            future.set_exception(exc)
        return future


def run_block(config: Config, start: int, count: int, trace_points: int) -> TrainResult:
    """Train networks ``start .. start + count - 1`` of ``config`` (a picklable task)."""
    return train(config.net, config.protocol, config.data, seed=config.seed,
                 indices=range(start, start + count), trace_points=trace_points)


def run_padded_block(items: Sequence[tuple[Config, int, int]],
                     trace_points: int) -> list[TrainResult]:
    """Train blocks of several compatible configurations padded into one batch
    (:func:`relu_minima.train.trainer.train_padded`; a picklable task)."""
    first = items[0][0]
    return train_padded([c.net for c, _, _ in items], first.protocol, first.data,
                        seeds=[c.seed for c, _, _ in items],
                        indices=[range(s, s + n) for _, s, n in items],
                        trace_points=trace_points)


def _group_key(c: Config) -> tuple[Any, ...]:
    return (c.protocol, c.data.name, id(c.data), c.net.depth, c.net.activation,
            c.net.widths[0], c.net.widths[-1])


def _blocks(config: Config, block: int) -> list[tuple[int, int]]:
    end = config.start + config.count
    return [(s, min(block, end - s)) for s in range(config.start, end, block)]


def sweep(configs: Iterable[Config], *, executor: Executor | None = None, block: int = 500,
          progress: bool = True, trace_points: int = 24, pad: bool = False,
          description: str = "training") -> list[TrainResult]:
    """Train every configuration; one :class:`TrainResult` per configuration, in order.

    ``executor``: any ``concurrent.futures.Executor`` (default: :func:`process_pool`, one
    worker per core with one BLAS thread each, shut down at the end; an executor you pass is
    left running). ``block``: initialisations per task. ``progress``: a tqdm bar over blocks.
    ``pad``: train configurations that differ only in their hidden widths (same protocol,
    data, depth, activation) together, padded to the largest widths with masked units
    (:func:`~relu_minima.train.trainer.train_padded`): far fewer, larger batches for sweeps
    over widths such as Table 1's h = 2..7. The numbers agree with ``pad=False`` up to the
    order of floating-point sums (tests/test_trainer.py).
    """
    cfgs: Sequence[Config] = list(configs)
    if isinstance(block, bool) or not isinstance(block, int) or block < 1:
        raise InvalidArgument(f"block={block!r} must be a positive integer (inits per task).")
    if executor is not None and not isinstance(executor, Executor) and not hasattr(
            executor, "submit"):
        raise InvalidType(f"executor={executor!r} must be a concurrent.futures.Executor.")
    own = executor is None
    pool: Any = process_pool() if own else executor
    groups: dict[Any, list[int]] = {}
    for c, cfg in enumerate(cfgs):
        groups.setdefault(_group_key(cfg) if pad else c, []).append(c)
    tasks: list[list[tuple[int, int, int]]] = []
    for members in groups.values():
        per = [[(c, s, n) for s, n in _blocks(cfgs[c], block)] for c in members]
        for b in range(max(map(len, per))):
            tasks.append([p[b] for p in per if b < len(p)])
    parts: dict[int, list[tuple[int, TrainResult]]] = {c: [] for c in range(len(cfgs))}
    try:
        futures = {}
        for task in tasks:
            if len(task) == 1:
                c, s, n = task[0]
                fut = pool.submit(run_block, cfgs[c], s, n, trace_points)
            else:
                fut = pool.submit(run_padded_block, [(cfgs[c], s, n) for c, s, n in task],
                                  trace_points)
            futures[fut] = task
        bar = _bar(len(futures), description, progress)
        try:
            for fut in as_completed(futures):
                task = futures[fut]
                got = fut.result()
                got = [got] if len(task) == 1 else got
                for (c, s, _), res in zip(task, got, strict=True):
                    parts[c].append((s, res))
                bar.update(1)
        finally:
            bar.close()
    finally:
        if own:
            pool.shutdown()
    return [TrainResult.concatenate([r for _, r in sorted(parts[c], key=lambda t: t[0])])
            for c in range(len(cfgs))]


def one_blas_thread() -> bool:
    """Limit this process's BLAS to one thread (True if it could): the initializer of
    :func:`process_pool`'s workers, since one process per core already uses every core and a
    multi-threaded BLAS in each worker oversubscribes them (measured on a loaded 2-core
    machine: 2-D products 30-1000x slower). :func:`relu_minima.numeric.threads.limit_process`."""
    return limit_process()


def process_pool(workers: int | None = None) -> ProcessPoolExecutor:
    """A process pool of ``workers`` (default: one per core) whose workers use one BLAS thread
    each (:func:`one_blas_thread`)."""
    return ProcessPoolExecutor(max_workers=workers or os.cpu_count() or 1,
                               initializer=one_blas_thread)


def _bar(total: int, description: str, enabled: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc=description, unit="block", disable=not enabled,
                leave=False)
