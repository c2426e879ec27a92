"""The ``relu-minima`` command: ``check-paper`` and ``verify FILE.json``."""

from __future__ import annotations

import argparse
import json
import sys
from fractions import Fraction
from pathlib import Path
from typing import Any

__all__ = ["main"]


def _check_paper(args: argparse.Namespace) -> int:
    from .report import run_claims

    out = Path(args.output)

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    report = run_claims(out, keys=args.only, quick=args.quick, progress=progress,
                        mnist=args.mnist)
    md, js = report.write(out)
    print(report.table())
    print(f"\nwritten: {md} and {js}")
    if report.failed:
        print(f"{len(report.failed)} check(s) failed:", file=sys.stderr)
        for o in report.failed:
            print(f"--- {o.claim.key}: {o.established}\n{o.crash}", file=sys.stderr)
        return 1
    return 0


def _radius(text: str) -> Fraction:
    """``--witness RADIUS``: an exact positive number, refused by argparse (exit 2) otherwise."""
    from .errors import ReluMinimaError
    from .exact.numbers import exact

    try:
        radius = exact(text, "--witness")
    except ReluMinimaError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if radius <= 0:
        raise argparse.ArgumentTypeError(
            f"--witness={text} must be a positive radius, such as 1/1000.")
    return radius


def _witness(cert: Any, radius: Fraction) -> dict[str, Any] | None:
    """The nearby point with strictly lower loss, exact numbers as strings (None: there is none
    to give, because the point is a minimum or undecided)."""
    point = cert.witness(radius)
    if point is None:
        return None
    return {"radius": str(radius), "distance": str(point.distance(cert.params)),
            "loss": str(point.loss(cert.dataset)), "params": point.to_json()}


def _verify(args: argparse.Namespace) -> int:
    from .errors import ReluMinimaError
    from .exact.io import load_problem
    from .verify.dispatch import verify_local_minimum

    try:
        params, dataset = load_problem(Path(args.file))
        cert = verify_local_minimum(params, dataset)
    except (ReluMinimaError, OSError, json.JSONDecodeError) as exc:
        print(f"relu-minima verify: bad input: {exc}", file=sys.stderr)
        return 2
    witness = None if args.witness is None else _witness(cert, args.witness)
    if args.json:
        # stdout holds only the JSON, so that it can be parsed; the proof text goes inside it
        out = cert.to_dict()
        if args.witness is not None:
            out["witness_within_radius"] = witness
        print(json.dumps(out, indent=2))
    else:
        print(cert)
        if args.witness is not None:
            if witness is None:
                why = ("the point is a local minimum." if cert.is_local_minimum
                       else "the verdict is undecided, so no lower point is known.")
                print(f"\nNo witness: {why}")
            else:
                print(f"\nWITNESS within max-norm radius {witness['radius']} (distance "
                      f"{witness['distance']}): loss {witness['loss']} < {cert.loss}, at\n"
                      + json.dumps(witness["params"]))
    if cert.is_local_minimum is True:
        return 0
    if cert.is_local_minimum is False:
        return 1
    return 3  # undecided (deep networks only)


def _status_names() -> list[str]:
    from .paper import Status

    return [s.value for s in Status]


def _claims_epilog() -> str:
    from .paper import claim_keys

    keys = claim_keys()
    width = max(map(len, keys))
    return "claim keys (for --only):\n" + "\n".join(
        f"  {key:<{width}}  {section}" for key, section in keys.items())


def main(argv: list[str] | None = None) -> int:
    from .paper import claim_keys

    parser = argparse.ArgumentParser(
        prog="relu-minima",
        description="Exact verification of local minima of ReLU networks, and a check of "
        "'Local minima in training of deep networks'.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    cp = sub.add_parser(
        "check-paper",
        help="list every claim of the paper, check those covered, and write a report",
        # the formatter keeps the epilog's key table as written, so this text is wrapped here
        description="List every claim of the paper, check those this release covers (the\n"
        "others are reported as 'not yet covered'), print a summary table and write\n"
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
    cp.add_argument("--mnist", metavar="PATH", default=None,
                    help="a local MNIST (directory of the IDX files, one IDX file of images, "
                    "or an .npz) for the Figure 1 and 2 claims; nothing is downloaded")
    cp.set_defaults(func=_check_paper)
    vf = sub.add_parser(
        "verify",
        help="decide whether the parameters in FILE.json are a local minimum "
        "(exit 0: minimum, 1: not, 2: bad input, 3: undecided)",
    )
    vf.add_argument("file", help='JSON: {"dataset": {"X": ..., "y": ...}, "params": {...}} '
                    'with params {"W", "b", "v", "c"} (one hidden layer) or '
                    '{"weights", "biases"} (deep)')
    vf.add_argument("--json", action="store_true",
                    help="print the certificate as JSON only (the proof text is its "
                    "'proof_text')")
    vf.add_argument("--witness", metavar="RADIUS", type=_radius,
                    help="if the point is not a minimum, also print a point within max-norm "
                    "RADIUS (exact, such as 1/1000) with strictly lower exact loss")
    vf.set_defaults(func=_verify)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
