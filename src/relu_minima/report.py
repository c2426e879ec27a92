"""Run every registered claim of the paper and write the report (table, Markdown, JSON)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InvalidArgument
from .paper import (
    STATUS_MEANINGS,
    Claim,
    ClaimResult,
    Context,
    Status,
    all_claims,
    claim_keys,
    import_errors,
    run_check,
    start_prefetch,
)

__all__ = ["ClaimOutcome", "Report", "numbers_as_strings", "provenance", "run_claims",
           "status_header"]

# the distributions whose versions can change a report's numbers
_DEPENDENCIES = ("sympy", "mpmath", "numpy", "scipy", "matplotlib", "python-flint")


def provenance() -> dict[str, Any]:
    """What produced a report: library version, UTC date, Python, platform, dependencies."""
    import platform
    import sys
    from datetime import UTC, datetime
    from importlib import metadata

    from . import __version__

    def version(dist: str) -> str | None:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return None

    return {
        "library": "relu-minima",
        "version": __version__,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "implementation": sys.implementation.name,
        "platform": platform.platform(),
        "dependencies": {dist: version(dist) for dist in _DEPENDENCIES},
    }


def numbers_as_strings(value: Any) -> Any:
    """JSON-able data with every number a string (bools and None kept): exact rationals as
    "13/3", floats as their shortest repr, so no reader's parser rounds them."""
    if isinstance(value, dict):
        return {str(k): numbers_as_strings(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [numbers_as_strings(v) for v in value]
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, float):
        return repr(value)
    return str(value)  # int, Fraction, numpy scalars, sympy and mpmath numbers


def status_header() -> list[str]:
    """The status vocabulary, one Markdown bullet per status (the report's header)."""
    return [f"- *{status.value}*: {meaning}" for status, meaning in STATUS_MEANINGS.items()]


@dataclass(frozen=True)
class ClaimOutcome:
    """One row of the report: the claim, its result, the time taken, and (for a failed check)
    the traceback."""

    claim: Claim
    result: ClaimResult
    seconds: float
    crash: str = ""

    @property
    def status(self) -> str:
        return self.result.status.value

    @property
    def established(self) -> str:
        return self.result.established


@dataclass(frozen=True)
class Report:
    """All outcomes, in the paper's order."""

    outcomes: tuple[ClaimOutcome, ...]

    @property
    def failed(self) -> list[ClaimOutcome]:
        """Checks whose status is *failed* (a fact did not hold, or the check crashed)."""
        return [o for o in self.outcomes if o.result.status is Status.FAILED]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for o in self.outcomes:
            out[o.status] = out.get(o.status, 0) + 1
        return out

    def table(self) -> str:
        """A plain-text table for the terminal (long cells cut; the Markdown has them whole)."""

        def cut(text: str, width: int) -> str:
            text = " ".join(text.split())
            return text if len(text) <= width else text[: width - 3] + "..."

        # the key comes first: it is what --only takes, and it tells apart claims whose
        # sections read alike ("Section 3.1.3, after ...")
        head = (f"{'key':<16} {'claim':<34} {'paper says':<30} {'established':<42} "
                f"{'status':<15} {'time':>7}")
        lines = [head, "-" * len(head)]
        for o in self.outcomes:
            lines.append(f"{cut(o.claim.key, 16):<16} {cut(o.claim.section, 34):<34} "
                         f"{cut(o.claim.paper_says, 30):<30} {cut(o.established, 42):<42} "
                         f"{o.status:<15} {o.seconds:>6.2f}s")
        summary = ", ".join(f"{k}: {v}" for k, v in sorted(self.counts().items()))
        lines += ["-" * len(head), summary]
        # what an undecided claim needs is never cut: it is what the reader acts on
        missing = [(o.claim.key, o.result.data["missing"]) for o in self.outcomes
                   if "missing" in o.result.data]
        if missing:
            lines.append(f"{len(missing)} of the undecided claim(s) only need what is missing "
                         "here:")
            needs: dict[str, list[str]] = {}
            for key, need in missing:  # one line per need, naming every claim it holds back
                needs.setdefault(need, []).append(key)
            lines += [f"  {', '.join(keys)}: {need}" for need, keys in needs.items()]
        return "\n".join(lines)

    def markdown(self) -> str:
        """The full report: a summary table, then each claim with its evidence."""
        out = [
            "# relu-minima: check of *Local minima in training of deep networks*",
            "",
            "Świrszcz, Czarnecki & Pascanu. Every claim of the paper, what it says, what this",
            "library established (exactly, unless a line says *evidence*), and the status.",
            "Every status is computed by the claim's check from what it established; the",
            "statuses mean:",
            "",
            *status_header(),
            "",
            "| key | claim | paper says | established | status | time |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for o in self.outcomes:
            cells = [f"`{o.claim.key}`", o.claim.section, o.claim.paper_says, o.established,
                     f"**{o.status}**", f"{o.seconds:.2f} s"]
            out.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells)
                       + " |")
        out.append("")
        for o in self.outcomes:
            out += [f"## {o.claim.section} ({o.claim.key}): {o.status}", "",
                    f"> {o.claim.paper_says}", "", o.established, ""]
            if o.crash:
                out += ["```", o.crash.rstrip(), "```", ""]
            if o.result.details:
                out += [o.result.details.rstrip(), ""]
            for fig in o.result.figures:
                out += [f"![{fig}]({fig})", ""]
        return "\n".join(out)

    def to_json(self) -> dict:
        """Machine-readable report; exact numbers are strings.

        ``generated_by`` says what produced it (library version, date, Python and dependency
        versions); each claim's ``data`` is its evidence as structured data, every number a
        string (exact values as "13/3", floats as their shortest repr).
        """
        return {
            "paper": "Swirszcz, Czarnecki, Pascanu: Local minima in training of deep networks",
            "statuses": {s.value: meaning for s, meaning in STATUS_MEANINGS.items()},
            "counts": self.counts(),
            "generated_by": provenance(),
            "claims": [
                {
                    "key": o.claim.key,
                    "section": o.claim.section,
                    "paper_says": o.claim.paper_says,
                    "status": o.status,
                    "established": o.established,
                    "details": o.result.details,
                    "figures": list(o.result.figures),
                    "data": numbers_as_strings(o.result.data),
                    "seconds": round(o.seconds, 4),
                    "crash": o.crash,
                }
                for o in self.outcomes
            ],
        }

    def write(self, output_dir: str | Path) -> tuple[Path, Path]:
        """Write ``report.md`` and ``report.json`` into ``output_dir`` (created if missing)."""
        output_dir = Path(output_dir)
        output_dir.mkdir(parents=True, exist_ok=True)
        md = output_dir / "report.md"
        js = output_dir / "report.json"
        md.write_text(self.markdown(), encoding="utf-8")
        js.write_text(json.dumps(self.to_json(), indent=2), encoding="utf-8")
        return md, js


def run_claims(
    output_dir: str | Path,
    *,
    keys: Iterable[str] | None = None,
    quick: bool = False,
    progress: Callable[[str], None] = lambda message: None,
    full: bool = False,
    mnist: str | Path | None = None,
    steps: int | None = None,
) -> Report:
    """Run the checks (all, or those named in ``keys``); a failure is recorded (status
    *failed*), never raised.

    ``output_dir`` (a path or a string) receives the figures; :meth:`Report.write` writes the
    report itself. An unknown key raises ``ValueError`` listing the valid ones. ``steps``
    sets the training budget of the Figure 1, 2 and 5 analogues (e.g. Appendix A's 10^6 with
    ``mnist``), overriding the scale's.
    """
    if steps is not None and (isinstance(steps, bool) or not isinstance(steps, int)
                              or steps < 1):
        raise InvalidArgument(f"steps={steps!r} must be a positive integer (training updates "
                              "per network), such as steps=1000000.")
    if isinstance(keys, str):  # "prop1" would otherwise be read as the keys p, r, o, ...
        keys = [keys]
    wanted = None if keys is None else set(keys)
    if wanted is not None:
        valid = claim_keys()
        if not wanted:
            raise InvalidArgument("keys is empty: name at least one claim key, or pass keys=None "
                             "to run every claim.")
        if unknown := sorted(wanted - set(valid)):
            raise InvalidArgument(f"keys={unknown!r} are not claims of the paper; the valid keys "
                             f"are: {', '.join(valid)}.")
    claims = [c for c in all_claims() if wanted is None or c.key in wanted]
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    ctx = Context(output_dir=output_dir, quick=quick, progress=progress, full=full,
                  mnist=None if mnist is None else Path(mnist), steps=steps)
    outcomes = []
    # work that some claims need starts now, in the background, to overlap the others
    stops = start_prefetch(ctx, [c.key for c in claims if c.check is not None])
    try:
        for claim in claims:
            if claim.check is not None:
                progress(f"checking {claim.section} ...")
            start = time.perf_counter()
            # run_check turns every exception into the status "failed" (exit status 1)
            result, crash = run_check(claim, ctx)
            outcomes.append(ClaimOutcome(claim, result, time.perf_counter() - start, crash))
    finally:
        for stop in stops:
            stop()
    if wanted is None:
        for module, crash in import_errors().items():
            pseudo = Claim(f"module:{module}", f"relu_minima.paper.{module}",
                           "(a check module of this library)", "", None, 10_000)
            last = crash.strip().splitlines()[-1] if crash.strip() else "import failed"
            failed = ClaimResult(Status.FAILED, f"Failed (the module did not import): {last}")
            outcomes.append(ClaimOutcome(pseudo, failed, 0.0, crash))
    return Report(tuple(outcomes))
