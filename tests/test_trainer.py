"""The vectorised trainer (relu_minima.train.trainer), its protocols and sweeps."""

from __future__ import annotations

import dataclasses
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from relu_minima.errors import InvalidArgument, ReluMinimaError, ShapeError
from relu_minima.train.protocol import InitLaw, Net, Protocol
from relu_minima.train.sweep import Config, SerialExecutor, sweep
from relu_minima.train.trainer import (
    TrainData,
    _backward,
    _loss_and_grad,
    forward,
    init_params,
    loss,
    train,
    train_per_init,
)

XOR = TrainData.binary("xor", [[0, 0], [1, 1], [0, 1], [1, 0]], [0, 0, 1, 1])

CASES = [
    (Net((2, 3, 1), "relu"), Protocol("gd", loss="squared", optimizer="gd", lr=0.1, steps=60)),
    (Net((2, 4, 1), "sigmoid"), Protocol("adam", loss="logistic", optimizer="adam", lr=0.05,
                                         steps=60)),
    (Net((2, 3, 3, 1), "tanh"), Protocol("sgd", loss="squared", optimizer="sgd", lr=0.1,
                                         steps=60, batch_size=1)),
    (Net((2, 3, 2, 3), "relu"), Protocol("ce", loss="cross_entropy", optimizer="adam", lr=0.01,
                                         steps=60, batch_size=2,
                                         init=InitLaw("normal", mean=0.1, scale=0.5,
                                                      bias_std=0.1))),
]
THREE = TrainData.of("three", [[0, 0], [1, 1], [0, 1], [1, 0]], [0, 1, 2, 1])


def _data(net: Net) -> TrainData:
    return THREE if net.widths[-1] > 1 else XOR


def _same(a, b) -> None:
    for (Wa, ba), (Wb, bb) in zip(a.params, b.params, strict=True):
        np.testing.assert_allclose(Wa, Wb, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(ba, bb, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(a.final_loss, b.final_loss, rtol=1e-12, atol=1e-14)
    assert np.array_equal(a.success, b.success)
    np.testing.assert_allclose(a.trace_loss, b.trace_loss, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("net", "protocol"), CASES, ids=[p.name for _, p in CASES])
def test_vectorised_equals_per_init_loop(net, protocol):
    data = _data(net)
    vec = train(net, protocol, data, seed=3, indices=range(5))
    loop = train_per_init(net, protocol, data, seed=3, indices=range(5))
    _same(vec, loop)
    # and the networks did move (the test would pass vacuously on a no-op trainer otherwise)
    init, _ = init_params(net, protocol.init, 3, range(5))
    assert not np.allclose(init[0][0], vec.params[0][0])


@pytest.mark.parametrize(("net", "protocol"), CASES, ids=[p.name for _, p in CASES])
def test_gradient_matches_finite_differences(net, protocol):
    # random inputs: with zero biases the XOR point (0, 0) lies on every ReLU kink
    base = _data(net)
    data = TrainData.of("random", np.random.default_rng(1).random((4, 2)), base.labels)
    params, _ = init_params(net, protocol.init, 0, [0, 1])
    out, cache = forward(net, params, data.X)
    value, g = _loss_and_grad(protocol, out, np.broadcast_to(data.labels, (2, data.n)))
    grads = _backward(net, params, cache, g)
    h = 1e-6
    for layer in range(net.depth):
        for j in (0, 1):
            p = [(W.copy(), b.copy()) for W, b in params]
            arr = p[layer][j]
            arr[1].flat[-1] += h  # network 1, its last weight or bias of this layer
            numeric = (loss(net, protocol, p, data) - value) / h
            assert abs(numeric[1] - grads[layer][j][1].flat[-1]) < 1e-4
            assert numeric[0] == 0.0  # network 0 untouched


def test_seeds_reproducible_and_distinct():
    net, protocol = CASES[2]
    a = train(net, protocol, XOR, seed=7, indices=[0, 1, 2])
    b = train(net, protocol, XOR, seed=7, indices=[2, 0, 1])
    assert np.array_equal(a.params[0][0][[2, 0, 1]], b.params[0][0])
    c = train(net, protocol, XOR, seed=8, indices=[0, 1, 2])
    assert not np.array_equal(a.params[0][0], c.params[0][0])
    assert not np.array_equal(a.params[0][0][0], a.params[0][0][1])


def test_blocks_and_executors_agree():
    net, protocol = CASES[2]
    cfg = Config(net, protocol, XOR, seed=5, count=7, tag="x")
    ref = train(net, protocol, XOR, seed=5, indices=range(7))
    serial = sweep([cfg], executor=SerialExecutor(), block=3, progress=False)[0]
    with ThreadPoolExecutor(2) as pool:
        threads = sweep([cfg], executor=pool, block=2, progress=False)[0]
    for res in (serial, threads):
        assert list(res.indices) == list(range(7))
        assert np.array_equal(res.params[0][0], ref.params[0][0])
        assert np.array_equal(res.trace_loss, ref.trace_loss)


def test_process_pool_agrees():
    net, protocol = CASES[0]
    cfg = Config(net, protocol, XOR, seed=2, count=4)
    ref = train(net, protocol, XOR, seed=2, indices=range(4))
    got = sweep([cfg], block=2, progress=False)[0]  # the default: a process pool
    assert np.array_equal(got.params[1][0], ref.params[1][0])


def test_dask_local_cluster_agrees():
    distributed = pytest.importorskip("distributed")
    net, protocol = CASES[1]
    cfg = Config(net, protocol, XOR, seed=4, count=5)
    ref = train(net, protocol, XOR, seed=4, indices=range(5))
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        got = sweep([cfg], executor=client.get_executor(), block=2, progress=False)[0]
    assert np.array_equal(got.params[0][0], ref.params[0][0])
    assert np.array_equal(got.success, ref.success)


def test_protocol_frozen_printable_and_checked():
    p = CASES[3][1]
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.lr = 1.0
    text = str(p)
    for part in ("ce:", "adam(lr=0.01", "batch 2", "cross_entropy loss", "60 steps",
                 "normal(scale 0.5)", "weights mean 0.1", "zero training error"):
        assert part in text
    assert hash(p) == hash(p.replace())
    assert p.to_dict()["init"]["kind"] == "normal"
    for bad in ({"optimizer": "sgd"}, {"lr": -1.0}, {"loss": "hinge"}, {"steps": 0},
                {"optimizer": "gd", "batch_size": 2}, {"targets": (1.0, 1.0)},
                {"success": "loss_below"}):
        with pytest.raises(ReluMinimaError):
            Protocol("bad", **bad)
    with pytest.raises(InvalidArgument):
        InitLaw("normal")
    with pytest.raises(ShapeError):
        train(Net((3, 2, 1)), Protocol("x"), XOR, seed=0, indices=[0])


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**31), st.integers(1, 4))
def test_sgd_epochs_visit_every_point_once(seed, batch):
    """Property: in every epoch of SGD each network sees each point exactly once (the
    counter-based shuffle is a permutation, per network, per epoch)."""
    from relu_minima.train.trainer import _permutations

    keys = np.random.default_rng(seed).integers(0, 2**63, size=3, dtype=np.uint64)
    for epoch in range(3):
        perm = _permutations(keys, epoch, 4)
        assert all(sorted(row) == [0, 1, 2, 3] for row in perm.tolist())


def test_zero_error_success_on_a_solvable_problem():
    # 2-7-1 sigmoid nets with Adam solve XOR from most initialisations; none "succeeds" with
    # a one-step budget, so success really depends on training
    p = Protocol("adam", loss="logistic", optimizer="adam", lr=0.05, steps=1500)
    r = train(Net((2, 7, 1), "sigmoid"), p, XOR, seed=0, indices=range(10))
    assert r.success.sum() >= 8
    short = train(Net((2, 7, 1), "sigmoid"), p.replace(steps=1), XOR, seed=0, indices=range(10))
    assert short.success.sum() < r.success.sum()
    assert r.trace_steps[-1] == 1500 and r.trace_loss.shape == (len(r.trace_steps), 10)


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_padded_widths_equal_separate_runs(activation):
    """Masked padding (Table 1's h = 2..7 in one batch) gives each net's own run."""
    protocol = Protocol("adam", loss="squared", optimizer="adam", lr=0.02, steps=80)
    nets = [Net((2, h, 1), activation) for h in (2, 5, 3)]
    cfgs = [Config(net, protocol, XOR, seed=10 + i, count=3) for i, net in enumerate(nets)]
    padded = sweep(cfgs, executor=SerialExecutor(), block=2, pad=True, progress=False)
    for cfg, got in zip(cfgs, padded, strict=True):
        ref = train(cfg.net, protocol, XOR, seed=cfg.seed, indices=range(3))
        assert got.params[0][0].shape == ref.params[0][0].shape
        _same(got, ref)


def test_training_runs_with_one_blas_thread(monkeypatch):
    # issue 30: train and train_padded run their loop with one BLAS thread, and give the
    # caller's limit back afterwards (numeric.threads.one_thread)
    threadpoolctl = pytest.importorskip("threadpoolctl")
    from relu_minima.train import trainer

    def blas_threads() -> set[int]:
        return {i["num_threads"] for i in threadpoolctl.threadpool_info()
                if i["user_api"] == "blas"}

    seen = []
    real = trainer._run

    def spy(*args, **kwargs):
        seen.append(blas_threads())
        return real(*args, **kwargs)

    monkeypatch.setattr(trainer, "_run", spy)
    p = Protocol("p", loss="logistic", optimizer="adam", lr=0.05, steps=5)
    with threadpoolctl.threadpool_limits(limits=2, user_api="blas"):
        if not blas_threads() - {1}:
            pytest.skip("no BLAS library that threadpoolctl can set to two threads")
        train(Net((2, 3, 1), "relu"), p, XOR, seed=0, indices=range(2))
        trainer.train_padded([Net((2, 3, 1), "relu"), Net((2, 2, 1), "relu")], p, XOR,
                             seeds=[0, 1], indices=[range(2), range(2)])
        assert blas_threads() == {2}
    assert seen == [{1}, {1}]


def test_worker_blas_limit_is_safe_to_call():
    from relu_minima.train.sweep import one_blas_thread, process_pool

    assert one_blas_thread() in (True, False)
    with process_pool(1) as pool:  # the initializer runs in the worker
        assert pool.submit(int, "7").result() == 7


@settings(max_examples=8, deadline=None)
@given(st.sampled_from(["relu", "sigmoid", "tanh"]), st.sampled_from(["gd", "sgd", "adam"]),
       st.sampled_from(["squared", "logistic"]), st.integers(1, 4), st.integers(0, 2**20))
def test_vectorised_equals_loop_for_any_configuration(act, opt, loss_name, h, seed):
    """Property: for any small configuration, training n networks together gives each the
    run it gets alone."""
    p = Protocol("p", loss=loss_name, optimizer=opt, lr=0.05, steps=25,
                 batch_size=2 if opt == "sgd" else None)
    net = Net((2, h, 1), act)
    _same(train(net, p, XOR, seed=seed, indices=range(3)),
          train_per_init(net, p, XOR, seed=seed, indices=range(3)))
