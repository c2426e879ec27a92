"""The ``relu-minima`` command: ``check-paper``, ``verify FILE.json``,
``snap trained.npz data.npz`` and ``recheck CERT.json``."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

__all__ = ["main"]


def _check_paper(args: argparse.Namespace) -> int:
    from .report import run_claims

    out = Path(args.output)

    live = sys.stderr.isatty()

    def progress(message: str) -> None:
        # on a terminal each step rewrites one status line; in a log, one line per step
        if live:
            print(f"\r\033[K{message[:120]}", end="", file=sys.stderr, flush=True)
        else:
            print(message, file=sys.stderr, flush=True)

    report = run_claims(out, keys=args.only, quick=args.quick, progress=progress,
                         full=args.full, mnist=args.mnist, steps=args.steps)
    if live:
        print("\r\033[K", end="", file=sys.stderr, flush=True)
    md, js = report.write(out)
    print(report.table())
    # every file written, figures too, so that none is a surprise
    figures = [out / name for o in report.outcomes for name in o.result.figures]
    print("\nwritten:\n" + "\n".join(f"  {path}" for path in (md, js, *figures)))
    if report.failed:
        print(f"{len(report.failed)} check(s) failed:", file=sys.stderr)
        for o in report.failed:
            print(f"--- {o.claim.key}: {o.established}\n{o.crash}", file=sys.stderr)
        return 1
    return 0


def _radius(text: str, option: str = "--witness") -> Fraction:
    """``--witness RADIUS``: an exact positive number, refused by argparse (exit 2) otherwise."""
    from .errors import ReluMinimaError
    from .exact.numbers import exact

    try:
        radius = exact(text, option)
    except ReluMinimaError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if radius <= 0:
        raise argparse.ArgumentTypeError(
            f"{option}={text} must be a positive radius, such as 1/1000.")
    return radius


def _witness(cert: Any, radius: Fraction) -> Any:
    """The nearby point with strictly lower loss (:mod:`relu_minima.verify.witness`), or None
    when there is none to give (the point is a minimum or undecided)."""
    from .verify.witness import find_witness

    return find_witness(cert, radius)


def _budget_value(text: str) -> int | float | str:
    """An option's number as typed (int if it is one); the library refuses a bad budget by name."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _verify(args: argparse.Namespace) -> int:
    from .errors import ReluMinimaError
    from .exact.io import load_problem
    from .verify.dispatch import verify_local_minimum

    try:
        params, dataset = load_problem(Path(args.file))
        if args.frozen:  # added to the file's own frozen names
            params = params.with_space(bias=params.space.bias,
                                       frozen=[*params.space.frozen, *args.frozen])
        budget = {name: _budget_value(getattr(args, name))
                  for name in ("max_directions", "time_limit") if getattr(args, name) is not None}
        cert = verify_local_minimum(params, dataset, **budget)
    except (ReluMinimaError, OSError) as exc:  # load_problem names the file and the reason
        print(f"relu-minima verify: bad input: {exc}", file=sys.stderr)
        return 2
    witness = None if args.witness is None else _witness(cert, args.witness)
    from .verify.globalmin.search import (
        compare_to_global,  # "bad local minimum, proven" (small m, n)
    )

    glob = compare_to_global(cert) if cert.is_local_minimum is True else None
    if args.json:
        # stdout holds only the JSON, so that it can be parsed; the proof text goes inside it
        out = cert.to_dict()
        if args.witness is not None:
            out["witness_within_radius"] = None if witness is None else witness.to_dict()
        if glob is not None:
            out["global_optimum"] = glob.to_dict()
        print(json.dumps(out, indent=2))
    else:
        from .verify.certificate import CLI_WITNESS_HINT
        from .verify.witness import no_witness_sentence

        print(cert.render(witness_hint=CLI_WITNESS_HINT))
        if args.witness is not None:
            if witness is None:
                print(f"\nNo witness: {no_witness_sentence(cert, args.witness)}")
            else:
                print(f"\nWITNESS {witness.sentence()}, at\n"
                      + json.dumps(witness.to_dict()["params"]))
        if glob is not None:
            print(f"\nGLOBAL: {glob.line}")
    if cert.is_local_minimum is True:
        return 0
    if cert.is_local_minimum is False:
        return 1
    return 3  # undecided (a deep point, or a smooth point whose gradient is not told from 0)


def _snap(args: argparse.Namespace) -> int:
    from .train.npz import load_npz, load_trained
    from .train.rationals import long_integers
    from .train.snap import snap

    with long_integers():  # exact points of large problems have numbers of > 4300 digits
        return _snap_run(args, (load_trained, load_npz), snap)


def _snap_run(args: argparse.Namespace, loaders: Any, snap: Any) -> int:
    from .errors import ReluMinimaError

    load_trained, load_npz = loaders
    try:
        params = load_trained(args.trained, "trained")
        data = load_npz(args.data, "data", ("X", "y"))
        report = snap(params, (data["X"], data["y"]), tol=args.tol,
                      max_distance=args.max_distance, data_rule=args.data_rule,
                      activation=args.activation,
                      negative_slope=getattr(args, "negative_slope", None))
    except (ReluMinimaError, OSError) as exc:
        print(f"relu-minima snap: bad input: {exc}", file=sys.stderr)
        return 2
    cert = report.certificate
    witness = None
    if args.witness is not None and cert is not None and report.is_local_minimum is False:
        witness = _witness(cert, args.witness)
    if args.json:
        out = report.to_dict()
        if args.witness is not None:
            out["witness_within_radius"] = None if witness is None else witness.to_dict()
        print(json.dumps(out, indent=2))
    else:
        print(report)
        if args.witness is not None:
            if witness is None:
                from .verify.witness import no_witness_sentence

                why = (no_witness_sentence(cert, args.witness, "the snapped point")
                       if cert is not None and report.exit_code != 3
                       else f"the status is '{report.status}', so no lower point is known.")
                print(f"\nNo witness: {why}")
            else:
                print(f"\nWITNESS {witness.sentence('the snapped point')}, at\n"
                      + json.dumps(witness.to_dict()["params"]))
    return report.exit_code  # as verify: 0 minimum, 1 not, 3 undecided / not near


def _recheck(args: argparse.Namespace) -> int:
    """A certificate's claim decided by an SMT solver: 0 confirmed, 1 refuted, 2 bad input (or
    no solver), 3 no verdict (the solver gave up, or the certificate states nothing)."""
    from .errors import CertificateError, MissingDependency, ReluMinimaError
    from .verify.smt import NothingToCheck, recheck, sentence_of

    try:
        # the claim as written, not through Certificate.from_json: an edited file must reach
        # the solver (which refutes it), not stop at this library's own checks
        cert = json.loads(Path(args.cert).read_text())
        sentence = sentence_of(cert, args.radius, existential=args.existential)
        if args.smt2:
            Path(args.smt2).write_text(sentence.text)
        result = recheck(cert, args.solver, time_limit=args.time_limit, radius=args.radius,
                         existential=args.existential)
    except NothingToCheck as exc:
        print(f"relu-minima recheck: no verdict: {exc}", file=sys.stderr)
        return 3
    except CertificateError as exc:
        print(f"relu-minima recheck: bad input: the certificate's claim cannot be stated: {exc}",
              file=sys.stderr)
        return 2
    except (ReluMinimaError, OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        what = "no solver" if isinstance(exc, MissingDependency) else "bad input"
        print(f"relu-minima recheck: {what}: {exc}", file=sys.stderr)
        return 2
    print(result)
    if args.smt2:
        print(f"\nscript written to {args.smt2} (run it with: {args.solver} {args.smt2})")
    return result.exit_code


def _seconds(text: str) -> float:
    """argparse type: a positive number of seconds."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number of seconds (e.g. 60)")
    return value


def _status_names() -> list[str]:
    from .paper import Status

    return [s.value for s in Status]


def _claims_epilog() -> str:
    from .paper import claim_keys

    keys = claim_keys()
    width = max(map(len, keys))
    return "claim keys (for --only):\n" + "\n".join(
        f"  {key:<{width}}  {section}" for key, section in keys.items())


def _negative_values_attached(argv: list[str]) -> list[str]:
    """``--witness -1/2`` as ``--witness=-1/2``: argparse would read "-1/2" as an option and say
    "expected one argument"; attached, it reaches ``_radius``, which says what is wrong."""
    out: list[str] = []
    for k, arg in enumerate(argv):
        prev = argv[k - 1] if k else ""
        if prev in ("--witness", "--radius") and arg[:1] == "-" \
                and arg[1:2] in set("0123456789./"):
            out[-1] = f"{prev}={arg}"
        else:
            out.append(arg)
    return out


def _write_quietly(text: str) -> None:
    """Write the command's output; a reader that closed the pipe early (``| head -1``) ends it
    quietly: no traceback, and the exit status stays the documented one."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        # later writes, and the interpreter's own flush at exit, go nowhere instead of failing
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _positive_int(text: str) -> int:
    """argparse type: a positive integer, refused with a clear message otherwise."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive integer (e.g. 1000000)")
    return value


def _parser() -> argparse.ArgumentParser:
    """The command line: one sub-command per ``_add_*`` below."""
    from . import __version__

    parser = argparse.ArgumentParser(
        prog="relu-minima",
        description="Exact verification of local minima of ReLU networks, and a check of "
        "'Local minima in training of deep networks'.",
    )
    parser.add_argument("--version", action="version", version=f"relu-minima {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    _add_check_paper(sub)
    _add_verify(sub)
    _add_snap(sub)
    _add_recheck(sub)
    return parser


def _add_check_paper(sub: Any) -> None:
    from .paper import claim_keys

    cp = sub.add_parser(
        "check-paper",
        help="list every claim of the paper, check those covered, and write a report",
        # the formatter keeps the epilog's key table as written, so this text is wrapped here
        description="List every claim of the paper, check each (a claim without a check\n"
        "is reported as 'not yet covered'), print a summary table and write\n"
        "report.md and report.json. Each status is computed by the claim's check:\n"
        + ", ".join(_status_names()) + "\n(defined at the top of report.md). Exit "
        "status 1 if any check failed.",
        epilog=_claims_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cp.add_argument("-o", "--output", default="relu-minima-report",
                    help="output directory (default: ./relu-minima-report)")
    # nargs="+": "--only" with no key is an error rather than a silent run of everything
    cp.add_argument("--only", nargs="+", metavar="KEY", choices=list(claim_keys()),
                    help="check only these claims (keys listed below)")
    cp.add_argument("--quick", action="store_true",
                    help="smaller simulations (for tests); exact checks are unchanged")
    cp.add_argument("--full", action="store_true",
                    help="run the experiments (Table 1, Figure 3, ...) at the paper's scale "
                    "instead of the reduced default: Table 1 (1,000 initialisations per cell) "
                    "1-2 h on 2 cores, resumable (finished cells kept in OUTPUT/table1-cells); "
                    "the analogues far longer (Figure 1 ~340 h, Figure 2 ~17 h, Figure 5 ~4 h "
                    "on 2 cores; docs/experiments.md): use --only")
    cp.add_argument("--mnist", metavar="PATH", default=None,
                    help="a local MNIST (directory of the IDX files, one IDX file of images, "
                    "or an .npz) for the Figure 1 and 2 claims; nothing is downloaded")
    cp.add_argument("--steps", metavar="N", type=_positive_int, default=None,
                    help="training updates per network in the Figure 1, 2 and 5 analogues "
                    "(e.g. 1000000, Appendix A's budget, with --mnist); default: the scale's")
    cp.set_defaults(func=_check_paper)


def _add_verify(sub: Any) -> None:
    vf = sub.add_parser(
        "verify",
        help="decide whether the parameters in FILE.json are a local minimum "
        "(exit 0: minimum, 1: not, 2: bad input, 3: undecided)",
    )
    vf.add_argument("file", help='JSON: {"dataset": {"X": ..., "y": ...}, "params": {...}} '
                    'with params {"W", "b", "v", "c"} (one hidden layer) or '
                    '{"weights", "biases"} (deep), or {"W", "b", "v", "c", "activation": '
                    '"sigmoid" or "tanh"}; optional in params: "bias": false '
                    '(or one flag per layer) and "frozen": ["b_2[1]", ...] (parameters held '
                    'fixed)')
    vf.add_argument("--json", action="store_true",
                    help="print the certificate as JSON only (the proof text is its "
                    "'proof_text')")
    vf.add_argument("--witness", metavar="RADIUS", type=_radius,
                    help="if the point is not a minimum, also print a point within max-norm "
                    "RADIUS (exact, such as 1/1000) with strictly lower exact loss")
    vf.add_argument("--frozen", nargs="+", metavar="NAME",
                    help="also hold these parameters fixed (names such as b_2[1] for the "
                    "output bias, W_1[1,2]); the decision then moves only the others")
    vf.add_argument("--max-directions", metavar="N",
                    help="deep networks: try at most N exact descent moves (default 4000)")
    vf.add_argument("--time-limit", metavar="SECONDS",
                    help="deep networks: stop the move search after SECONDS (default: none)")
    vf.set_defaults(func=_verify)


def _add_snap(sub: Any) -> None:
    """The ``snap`` sub-command's arguments (docs/snap.md, "Command line")."""
    sn = sub.add_parser(
        "snap",
        help="snap a trained float network to an exact point and certify it "
        "(exit 0: minimum, 1: not, 2: bad input, 3: undecided or not near a stationary point)",
    )
    sn.add_argument("trained", help="trained.npz: arrays W, b, v, c (one hidden layer) or a "
                    "state_dict's '<layer>.weight', '<layer>.bias' (docs/snap.md); or a "
                    "torch.save(model.state_dict(), path) file (read when torch is installed)")
    sn.add_argument("data", help="data.npz: arrays X (n, d) and y (n,)")
    sn.add_argument("--activation", choices=["relu", "leaky_relu", "sigmoid", "tanh"],
                    default=None,
                    help="the hidden activation of the saved weights (default relu; "
                    "sigmoid/tanh take the smooth route, docs/smooth.md; leaky_relu takes "
                    "--negative-slope, docs/activations.md)")
    sn.add_argument("--negative-slope", default=None,
                    help="the leaky relu's slope below 0, an exact number such as 1/100 "
                    "(default 1/100, torch's)")
    sn.add_argument("--tol", type=float, default=1e-6,
                    help="relative kink tolerance (default 1e-6)")
    sn.add_argument("--max-distance", type=float, default=None,
                    help="largest max-norm distance of a snapped point "
                    "(default: each coordinate within 1/100 of its unit's scale)")
    sn.add_argument("--data-rule", choices=["decimal", "binary"], default="decimal",
                    help="float data to exact: shortest decimal (default) or binary value")
    sn.add_argument("--json", action="store_true", help="print the snap report as JSON only")
    sn.add_argument("--witness", metavar="RADIUS", type=_radius,
                    help="if the snapped point is not a minimum, also print a point within "
                    "max-norm RADIUS of it with strictly lower exact loss")
    sn.set_defaults(func=_snap)


def _add_recheck(sub: Any) -> None:
    rc = sub.add_parser(
        "recheck",
        help="re-check a certificate (from verify --json) with an SMT solver "
        "(exit 0: confirmed, 1: refuted, 2: bad input or no solver, 3: no verdict)",
        description="State the claim of CERT.json as an SMT-LIB 2 sentence, built from its "
        "params, dataset, loss, verdict and radius only, and let an SMT solver decide it: "
        "a second proof, independent of this library's reasoning. Exit status 0: confirmed "
        "(the solver proves the claim), 1: refuted (the solver finds a lower point or another "
        "loss), 2: bad input (not a certificate, a kind without a sentence such as 'smooth', "
        "a claim that cannot be stated) or the solver is not installed, 3: no verdict (the "
        "solver gave up or hit the time limit, which is not a verdict; an undecided "
        "certificate, which states nothing; or a lower point within a radius the certificate "
        "does not claim).",
    )
    rc.add_argument("cert", help="a certificate as JSON (relu-minima verify --json, "
                    "cert.to_json())")
    rc.add_argument("--solver", choices=["z3", "cvc5"], default="z3",
                    help="the solver (default z3: pip install 'relu-minima[smt]'; cvc5: pip "
                    "install cvc5)")
    rc.add_argument("--smt2", metavar="PATH",
                    help="also write the SMT-LIB 2 script to PATH (to read, or to run with "
                    "another solver: z3 PATH, cvc5 PATH)")
    rc.add_argument("--time-limit", metavar="SECONDS", type=_seconds, default=60.0,
                    help="time limit per check in seconds (default 60); a solver that runs out "
                    "gives no verdict")
    rc.add_argument("--radius", metavar="R", type=lambda text: _radius(text, "--radius"),
                    help="the max-norm radius of the neighbourhood (default: the certificate's "
                    "own radius; 1/1000 where it has none)")
    rc.add_argument("--existential", action="store_true",
                    help="for 'not a local minimum': also let the solver find a lower point "
                    "within the radius by itself")
    rc.set_defaults(func=_recheck)


def main(argv: list[str] | None = None) -> int:
    """``relu-minima``: parse ``argv`` (default ``sys.argv[1:]``), run the sub-command, return
    its exit status (0 minimum / success, 1 not a minimum / a check failed, 2 bad input,
    3 undecided)."""
    args = _parser().parse_args(_negative_values_attached(
        sys.argv[1:] if argv is None else list(argv)))
    # stdout is collected and written once, so that a closed pipe is met in one place
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            return int(args.func(args))
    finally:
        _write_quietly(out.getvalue())


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
