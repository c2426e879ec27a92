"""Every numpy training loop of the library runs with one BLAS/OpenMP thread (issue 30; the
developers' guide: small-matrix numpy work limits BLAS threads), gives the caller's limit back
afterwards, and process-pool workers run with one thread for good.

Each case calls a public entry point under a two-thread limit and records the BLAS threads seen
by the function that does the loop's products; removing ``one_thread`` from any entry point
(numeric/threads.py) makes its case fail.
"""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest

from relu_minima import Dataset, ShallowReLU
from relu_minima.numeric import fuzz, threads
from relu_minima.paper.dead_layers import outlier_training, simulation
from relu_minima.paper.dead_layers.outlier_data import outlier_dataset
from relu_minima.paper.dead_layers.prop5_bounds import Law
from relu_minima.train import trainer
from relu_minima.train.protocol import Net, Protocol
from relu_minima.train.trainer import TrainData

threadpoolctl = pytest.importorskip("threadpoolctl")

XOR = TrainData.binary("xor", [[0, 0], [1, 1], [0, 1], [1, 0]], [0, 0, 1, 1])
P = Protocol("p", loss="logistic", optimizer="adam", lr=0.05, steps=5)


def blas_threads() -> set[int]:
    return {i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"}


def _train() -> None:
    trainer.train(Net((2, 3, 1), "relu"), P, XOR, seed=0, indices=range(2))


def _train_padded() -> None:
    trainer.train_padded([Net((2, 3, 1), "relu"), Net((2, 2, 1), "relu")], P, XOR,
                         seeds=[0, 1], indices=[range(2), range(2)])


def _outlier() -> None:
    D = outlier_dataset(8, 2)
    outlier_training.train_outlier_networks(D.to_numpy(), D.y, D.outlier, 3, 2, 1.0, 1.0, 20,
                                            3, np.random.default_rng(0))


def _simulation() -> None:
    X = outlier_dataset(8, 2).to_numpy()
    simulation.dead_layer_probabilities(X, 2, (2, 3), Law.normal(0, 1), Law.point(0), 50,
                                        np.random.default_rng(0))


def _search() -> None:
    net = ShallowReLU(W=[1], b=[-3], v=[1], c=0)
    fuzz.search_neighbourhood(net, Dataset([5, 4, 3, 1, -1], [2, 1, 0, -3, 3]), "1/10",
                              n_random=20, n_kink=2, descent_runs=2, descent_steps=2)


# (entry point, module and name of the function that runs the loop's products)
CASES = {
    "train": (_train, trainer, "_run"),
    "train_padded": (_train_padded, trainer, "_run"),
    "train_outlier_networks": (_outlier, outlier_training, "_descend"),
    "dead_layer_probabilities": (_simulation, simulation, "sample_law"),
    "search_neighbourhood": (_search, fuzz, "_descend"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_training_loops_run_with_one_blas_thread(name, monkeypatch):
    run, module, inner = CASES[name]
    seen: list[set[int]] = []
    real = getattr(module, inner)

    def spy(*args, **kwargs):
        seen.append(blas_threads())
        return real(*args, **kwargs)

    monkeypatch.setattr(module, inner, spy)
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        if not blas_threads() - {1}:
            pytest.skip("no BLAS library that threadpoolctl can set to two threads")
        run()
        assert blas_threads() == {2}  # the caller's limit is back
    assert seen, f"{name} never reached {inner}"
    assert all(s == {1} for s in seen), seen


def test_the_controller_is_found_again_after_an_import():
    # a BLAS loaded after the first use (e.g. scipy's, by a later import) must be limited too,
    # so the cached view of the libraries is dropped when a module was imported since
    first = threads._controller()
    assert threads._controller() is first
    sys.modules["_relu_minima_test_new_module"] = types.ModuleType("x")
    try:
        assert threads._controller() is not first
    finally:
        del sys.modules["_relu_minima_test_new_module"]


def _worker_threads() -> set[int]:
    return blas_threads()


def test_process_pool_workers_run_one_blas_thread():
    from relu_minima.train.sweep import process_pool

    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        if not blas_threads() - {1}:
            pytest.skip("no BLAS library that threadpoolctl can set to two threads")
        with process_pool(1) as pool:  # the initializer limits the worker
            assert pool.submit(_worker_threads).result() == {1}
