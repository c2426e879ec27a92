"""From a trained model to a verdict (issue 25, items 1, 8, 9, 10): activations read from the
module (or given), torch files, short displays, the progress bar. The torch flows skip when
torch is absent; the same flows run from state_dicts of numpy arrays and stand-in modules."""

from __future__ import annotations

import io
import json
import sys
import zipfile
from fractions import Fraction

import numpy as np
import pytest

from relu_minima import Dataset, snap
from relu_minima.cli import main
from relu_minima.errors import InvalidArgument, ReluMinimaError
from relu_minima.train.state_dict import UnsupportedModelError, read_network

X6 = np.array([-2.0, -1.0, 0.0, 1.0, 2.0, 3.0])
Y6 = np.array([5 / 8, 7 / 8, 5 / 4, 7 / 4, 17 / 8, 19 / 8])
# a sigmoid 1-1-1 fit of these data, as L-BFGS leaves it (float64)
SIGMOID_STATE = {"0.weight": np.array([[0.8951252]]), "0.bias": np.array([-0.4475626]),
                 "2.weight": np.array([[2.1615025]]), "2.bias": np.array([0.4192488])}


# -- stand-ins for torch modules: the reader only looks at class names and state_dict() ---------
class _Module:
    def __init__(self, *children):
        self._children = list(children)

    def children(self):
        return iter(self._children)

    def named_modules(self, prefix=""):
        yield prefix, self
        for k, child in enumerate(self._children):
            yield from child.named_modules(f"{prefix}.{k}" if prefix else str(k))


class Linear(_Module):
    def __init__(self, weight, bias):
        super().__init__()
        self.weight, self.bias = weight, bias


class Sequential(_Module):
    def state_dict(self):
        out = {}
        for k, child in enumerate(self._children):
            if isinstance(child, Linear):
                out[f"{k}.weight"], out[f"{k}.bias"] = child.weight, child.bias
        return out


class Sigmoid(_Module):
    pass


class Tanh(_Module):
    pass


class ReLU(_Module):
    pass


class GELU(_Module):
    pass


def _sequential(act):
    s = SIGMOID_STATE
    return Sequential(Linear(s["0.weight"], s["0.bias"]), act,
                      Linear(s["2.weight"], s["2.bias"]))


def test_the_activation_is_read_from_the_module():
    assert read_network(_sequential(Sigmoid())).activation == "sigmoid"
    assert read_network(_sequential(Tanh())).activation == "tanh"
    assert read_network(_sequential(ReLU())).activation == "relu"
    with pytest.raises(UnsupportedModelError, match="GELU"):
        read_network(_sequential(GELU()))
    with pytest.raises(InvalidArgument, match="sigmoid"):
        read_network(_sequential(Sigmoid()), activation="tanh")


def test_a_sigmoid_module_takes_the_smooth_route():
    # main analysed it as a ReLU network and said "not near a stationary point" (exit 3)
    report = snap(_sequential(Sigmoid()), (X6, Y6))
    assert report.status == "local minimum" and report.exit_code == 0
    assert report.certificate.kind == "smooth" and report.params.activation == "sigmoid"
    assert "About: the critical point theta*" in "\n".join(report.summary())
    assert report.check()


def test_a_state_dict_with_activation_takes_the_smooth_route():
    report = snap(SIGMOID_STATE, (X6, Y6), activation="sigmoid")
    assert report.status == "local minimum" and report.certificate.kind == "smooth"
    relu = snap(SIGMOID_STATE, (X6, Y6))  # a state_dict alone is read as ReLU, as documented
    assert relu.params is None or relu.params.__class__.__name__ == "ShallowReLU"


def test_the_cli_takes_activation(tmp_path, capsys):
    np.savez(tmp_path / "t.npz", **SIGMOID_STATE)
    np.savez(tmp_path / "d.npz", X=X6, y=Y6)
    assert main(["snap", str(tmp_path / "t.npz"), str(tmp_path / "d.npz"),
                 "--activation", "sigmoid", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["certificate"]["kind"] == "smooth"


# -- item 8: torch.save files -----------------------------------------------------------------
def test_a_torch_file_is_recognised_without_torch(tmp_path, capsys, monkeypatch):
    path = tmp_path / "model.pt"
    with zipfile.ZipFile(path, "w") as z:  # the layout of torch.save (a zip with data.pkl)
        z.writestr("model/data.pkl", b"\x80\x02}q\x00.")
        z.writestr("model/version", "3\n")
    np.savez(tmp_path / "d.npz", X=X6, y=Y6)
    monkeypatch.setitem(sys.modules, "torch", None)  # as if torch were not installed
    assert main(["snap", str(path), str(tmp_path / "d.npz")]) == 2
    err = capsys.readouterr().err
    assert "torch.save file" in err and "numpy.savez" in err and "Traceback" not in err


# -- item 9: displays of bounded size ---------------------------------------------------------
def test_a_large_report_prints_short_numbers_and_keeps_the_exact_ones():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(40, 2))
    y = np.tanh(X @ np.array([1.0, -2.0])) + 0.01 * rng.normal(size=40)
    W = rng.normal(size=(8, 2))
    b = rng.normal(size=8)
    v = rng.normal(size=8)
    report = snap({"W": W, "b": b, "v": v, "c": 0.1}, (X, y), max_distance=1e3)
    text = str(report)
    assert max(map(len, text.splitlines())) <= 500 and len(text) < 40_000
    md = report._repr_markdown_()
    assert len(md) < 10_000 and "report.exact" in md
    assert "<pre>" in report._repr_html_() and len(repr(report)) < 200
    if report.certificate is not None:  # the certificate's notebook display is bounded too
        cmd = report.certificate._repr_markdown_()
        assert len(cmd) < 40_000 and max(map(len, cmd.splitlines())) <= 500
    if report.params is not None:
        assert report.exact("params") == report.params
        exact_text = json.dumps(report.to_dict())
        assert str(report.snapped_loss) in exact_text  # the exact value, one call away
    with pytest.raises(ReluMinimaError, match="exact fields"):
        report.exact("nothing")


def test_short_numbers_keep_decimals_and_shorten_long_rationals():
    from relu_minima.verify.display import short_text

    text = short_text("L in [4.40522368281941773542008942699E-4, 5E-3], w = "
                      + "1" * 30 + "/" + "3" * 31)
    assert "4.40522368281941773542008942699E-4" in text and "[30/31 digits]" in text


# -- item 10: the progress bar ---------------------------------------------------------------------
def test_the_progress_bar_writes_to_stderr_only_when_asked(capsys):
    from relu_minima.paper.regression.examples import D1

    trained = {"W": [1.0000002], "b": [-3.0000005], "v": [0.9999998], "c": 1e-7}
    snap(trained, D1)  # stderr is not a terminal under pytest: no bar
    assert capsys.readouterr().err == ""
    buf = io.StringIO()
    old = sys.stderr
    sys.stderr = buf
    try:
        report = snap(trained, D1, progress=True)
    finally:
        sys.stderr = old
    assert report.status == "local minimum" and "snap:" in buf.getvalue()
    assert capsys.readouterr().out == ""


# -- the torch flows themselves ----------------------------------------------------------------
def _trained(act_name, bias=True, hidden=1):
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    act = {"sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "relu": torch.nn.ReLU}[act_name]
    model = torch.nn.Sequential(torch.nn.Linear(1, hidden, bias=bias), act(),
                                torch.nn.Linear(hidden, 1)).double()
    X = torch.tensor(X6[:, None])
    y = torch.tensor(Y6)
    opt = torch.optim.LBFGS(model.parameters(), max_iter=500, tolerance_grad=1e-12,
                            tolerance_change=1e-15, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = ((model(X).squeeze(1) - y) ** 2).sum()
        loss.backward()
        return loss

    for _ in range(5):
        opt.step(closure)
    return model


@pytest.mark.slow
@pytest.mark.parametrize("act", ["sigmoid", "tanh"])
def test_torch_sigmoid_and_tanh_modules_are_certified_by_the_smooth_route(act):
    model = _trained(act)
    report = snap(model, (X6, Y6))
    assert report.certificate is not None and report.certificate.kind == "smooth"
    assert report.params.activation == act and report.check()
    assert report.status == "local minimum", report.attempts


@pytest.mark.slow
def test_a_torch_save_state_dict_file_is_read(tmp_path, capsys):
    torch = pytest.importorskip("torch")
    model = _trained("relu")
    torch.save(model.state_dict(), tmp_path / "sd.pt")
    torch.save(model, tmp_path / "whole.pt")
    np.savez(tmp_path / "d.npz", X=X6, y=Y6)
    code = main(["snap", str(tmp_path / "sd.pt"), str(tmp_path / "d.npz"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code in (0, 1, 3) and out["schema"] == "relu-minima-snap-report"
    assert main(["snap", str(tmp_path / "whole.pt"), str(tmp_path / "d.npz")]) == 2
    assert "state_dict" in capsys.readouterr().err


@pytest.mark.slow
def test_a_bias_free_torch_model_snaps_over_its_own_parameters():
    model = _trained("relu", bias=False, hidden=2)
    report = snap(model, (X6, Y6))
    assert report.params is None or report.params.space.bias == (False, True)
    assert report.check()
    if report.bad_local_minimum:
        assert report.lower_point.space.bias == (False, True)


def test_exact_values_stay_exact():
    report = snap(SIGMOID_STATE, (X6, Y6), activation="sigmoid")
    assert isinstance(report.exact("distance"), Fraction)
    assert report.dataset == Dataset([-2, -1, 0, 1, 2, 3],
                                     ["5/8", "7/8", "5/4", "7/4", "17/8", "19/8"])
