"""The ``relu-minima`` command: ``check-paper`` and ``verify FILE.json``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

__all__ = ["main"]


def _check_paper(args: argparse.Namespace) -> int:
    from .report import run_claims

    out = Path(args.output)

    def progress(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    report = run_claims(out, keys=args.only or None, quick=args.quick, progress=progress)
    md, js = report.write(out)
    print(report.table())
    print(f"\nwritten: {md} and {js}")
    if report.crashed:
        print(f"{len(report.crashed)} check(s) crashed:", file=sys.stderr)
        for o in report.crashed:
            print(f"--- {o.claim.key}\n{o.crash}", file=sys.stderr)
        return 1
    return 0


def _verify(args: argparse.Namespace) -> int:
    from .certificates import verify_local_minimum
    from .errors import ReluMinimaError
    from .io import load_problem

    try:
        params, dataset = load_problem(Path(args.file))
        cert = verify_local_minimum(params, dataset)
    except (ReluMinimaError, OSError, json.JSONDecodeError) as exc:
        print(f"relu-minima verify: bad input: {exc}", file=sys.stderr)
        return 2
    print(cert)
    if args.json:
        print(json.dumps(cert.to_json(), indent=2))
    if cert.is_local_minimum is True:
        return 0
    if cert.is_local_minimum is False:
        return 1
    return 3  # undecided (deep networks only)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="relu-minima",
        description="Exact verification of local minima of ReLU networks, and a check of "
        "'Local minima in training of deep networks'.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    cp = sub.add_parser("check-paper", help="check every claim of the paper and write a report")
    cp.add_argument("-o", "--output", default="relu-minima-report",
                    help="output directory (default: ./relu-minima-report)")
    cp.add_argument("--only", nargs="*", metavar="KEY", help="check only these claim keys")
    cp.add_argument("--quick", action="store_true",
                    help="smaller simulations (for tests); exact checks are unchanged")
    cp.set_defaults(func=_check_paper)
    vf = sub.add_parser(
        "verify",
        help="decide whether the parameters in FILE.json are a local minimum "
        "(exit 0: minimum, 1: not, 2: bad input, 3: undecided)",
    )
    vf.add_argument("file", help='JSON: {"dataset": {"X": ..., "y": ...}, "params": {...}}')
    vf.add_argument("--json", action="store_true", help="also print the certificate as JSON")
    vf.set_defaults(func=_verify)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
