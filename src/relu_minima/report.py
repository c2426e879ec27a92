"""Run every registered claim of the paper and write the report (table, Markdown, JSON)."""

from __future__ import annotations

import json
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .paper import Claim, ClaimResult, Context, Status, all_claims, import_errors

__all__ = ["ClaimOutcome", "Report", "run_claims"]


@dataclass(frozen=True)
class ClaimOutcome:
    """One row of the report: the claim, its result (or the crash), and the time taken."""

    claim: Claim
    result: ClaimResult | None
    seconds: float
    crash: str = ""

    @property
    def status(self) -> str:
        return "crashed" if self.result is None else self.result.status.value

    @property
    def established(self) -> str:
        if self.result is None:
            return "the check crashed: " + self.crash.strip().splitlines()[-1]
        return self.result.established


@dataclass(frozen=True)
class Report:
    """All outcomes, in the paper's order."""

    outcomes: tuple[ClaimOutcome, ...]

    @property
    def crashed(self) -> list[ClaimOutcome]:
        return [o for o in self.outcomes if o.result is None]

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

        head = (f"{'claim':<24} {'paper says':<38} {'established':<52} {'status':<15} "
                f"{'time':>7}")
        lines = [head, "-" * len(head)]
        for o in self.outcomes:
            lines.append(f"{cut(o.claim.section, 24):<24} {cut(o.claim.paper_says, 38):<38} "
                         f"{cut(o.established, 52):<52} {o.status:<15} {o.seconds:>6.2f}s")
        summary = ", ".join(f"{k}: {v}" for k, v in sorted(self.counts().items()))
        lines += ["-" * len(head), summary]
        return "\n".join(lines)

    def markdown(self) -> str:
        """The full report: a summary table, then each claim with its evidence."""
        out = [
            "# relu-minima: check of *Local minima in training of deep networks*",
            "",
            "Świrszcz, Czarnecki & Pascanu. Every claim of the paper, what it says, what this",
            "library established (exactly, unless a line says *evidence*), and the status.",
            "",
            "| claim | paper says | established | status | time |",
            "| --- | --- | --- | --- | --- |",
        ]
        for o in self.outcomes:
            cells = [o.claim.section, o.claim.paper_says, o.established, f"**{o.status}**",
                     f"{o.seconds:.2f} s"]
            out.append("| " + " | ".join(c.replace("|", "\\|").replace("\n", " ") for c in cells)
                       + " |")
        out.append("")
        for o in self.outcomes:
            out += [f"## {o.claim.section} ({o.claim.key}): {o.status}", "",
                    f"> {o.claim.paper_says}", "", o.established, ""]
            if o.result is None:
                out += ["```", o.crash.rstrip(), "```", ""]
                continue
            if o.result.status is Status.NOT_COVERED:
                out += [f"Not yet covered: {o.claim.why_not_covered}.", ""]
            if o.result.details:
                out += [o.result.details.rstrip(), ""]
            for fig in o.result.figures:
                out += [f"![{fig}]({fig})", ""]
        return "\n".join(out)

    def to_json(self) -> dict:
        """Machine-readable report; exact numbers are strings."""
        return {
            "paper": "Swirszcz, Czarnecki, Pascanu: Local minima in training of deep networks",
            "counts": self.counts(),
            "claims": [
                {
                    "key": o.claim.key,
                    "section": o.claim.section,
                    "paper_says": o.claim.paper_says,
                    "status": o.status,
                    "established": o.established,
                    "details": "" if o.result is None else o.result.details,
                    "figures": [] if o.result is None else list(o.result.figures),
                    "data": {} if o.result is None else o.result.data,
                    "seconds": round(o.seconds, 4),
                    "crash": o.crash,
                }
                for o in self.outcomes
            ],
        }

    def write(self, output_dir: Path) -> tuple[Path, Path]:
        """Write ``report.md`` and ``report.json`` into ``output_dir``."""
        output_dir.mkdir(parents=True, exist_ok=True)
        md = output_dir / "report.md"
        js = output_dir / "report.json"
        md.write_text(self.markdown(), encoding="utf-8")
        js.write_text(json.dumps(self.to_json(), indent=2), encoding="utf-8")
        return md, js


def run_claims(
    output_dir: Path,
    *,
    keys: Iterable[str] | None = None,
    quick: bool = False,
    progress: Callable[[str], None] = lambda message: None,
) -> Report:
    """Run the checks (all, or those named in ``keys``); a crash is recorded, never raised."""
    wanted = None if keys is None else set(keys)
    claims = [c for c in all_claims() if wanted is None or c.key in wanted]
    if wanted is not None and (unknown := wanted - {c.key for c in claims}):
        raise KeyError(f"keys={sorted(unknown)!r} are not claims of the outline.")
    output_dir.mkdir(parents=True, exist_ok=True)
    ctx = Context(output_dir=output_dir, quick=quick, progress=progress)
    outcomes = []
    for claim in claims:
        if claim.check is None:
            result = ClaimResult(Status.NOT_COVERED, f"not yet covered ({claim.why_not_covered})")
            outcomes.append(ClaimOutcome(claim, result, 0.0))
            continue
        progress(f"checking {claim.section} ...")
        start = time.perf_counter()
        try:
            result = claim.check(ctx)
            if not isinstance(result, ClaimResult):
                raise TypeError(f"check of {claim.key} returned {type(result).__name__}")
            outcomes.append(ClaimOutcome(claim, result, time.perf_counter() - start))
        except Exception:  # a crashing check is reported, and makes the exit status non-zero
            outcomes.append(
                ClaimOutcome(claim, None, time.perf_counter() - start, traceback.format_exc())
            )
    if wanted is None:
        for module, crash in import_errors().items():
            pseudo = Claim(f"module:{module}", f"relu_minima.paper.{module}",
                           "(a check module of this library)", "", None, 10_000)
            outcomes.append(ClaimOutcome(pseudo, None, 0.0, crash))
    return Report(tuple(outcomes))
