"""Figure 3 (Section 3.1.2): linear regions around the jellyfish points, failed against
successful ReLU runs, under the two readings of 'almost linear close to the datapoints';
pooled over the cells levelled off at the cap (the stopping rule), and per width and per
optimiser beside it. The runs are Table 1's (:mod:`.check_table1`)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...train import classify as cl
from ...train.classify import BAD_MIN
from ..registry import ClaimResult, Context, implements, judge_readings, require_fact
from .check_table1 import _judge, _runs, _scale_note, rule_note
from .plateau import levelled
from .table1 import DATASETS, PRIMARY, WIDTHS, Table1Run, clopper_pearson
from .table1_report import plot_figure3_models, plot_figure3_regions

__all__ = ["check_fig3", "region_rows"]


def _share_verdict(k: int, n: int) -> tuple[bool | None, float, float]:
    """The rule for one reading: the 99% interval of the share above 1/2 (for), below
    (against), else undecided."""
    lo, hi = clopper_pearson(k, n) if n else (0.0, 1.0)
    return (True if lo > 0.5 else False if hi < 0.5 else None), lo, hi


def region_rows(run: Table1Run) -> list[dict[str, Any]]:
    """Per jellyfish ReLU cell (optimiser, h): failed runs, those with all four points in one
    region (reading a), those with at least 3 in one region (reading b), and whether the
    cell levelled off at the cap."""
    rows = []
    for key, reg in run.regions.items():
        rows.append({"optimizer": key[2], "h": key[3], "failed": len(reg["failed"]),
                     "one": sum(c == 1 for c in reg["failed"]),
                     "most": sum(c >= 3 for c in reg["failed_largest"]),
                     "levelled": levelled(run.results[key])})
    return rows


def _per_cell_table(rows: list[dict[str, Any]]) -> str:
    out = ["| optimiser | h | levelled off | failed | (a) all 4 in one region | (b) >= 3 in "
           "one region |", "| --- | --- | --- | --- | --- | --- |"]
    for x in sorted(rows, key=lambda x: (x["optimizer"], x["h"])):
        out.append(f"| {x['optimizer']} | {x['h']} | {'yes' if x['levelled'] else 'no'} | "
                   f"{x['failed']} | {x['one']} | {x['most']} |")
    for opt in sorted({x["optimizer"] for x in rows}):
        sel = [x for x in rows if x["optimizer"] == opt]
        out.append(f"| {opt} | all | {sum(x['levelled'] for x in sel)}/{len(sel)} | "
                   f"{sum(x['failed'] for x in sel)} | {sum(x['one'] for x in sel)} | "
                   f"{sum(x['most'] for x in sel)} |")
    return "\n".join(out)


@implements("fig3")
def check_fig3(ctx: Context) -> ClaimResult:
    """Linear regions around the jellyfish points, failed vs successful ReLU runs, under the
    two readings of 'almost linear close to the datapoints' (reading-dependent)."""
    r = _runs(ctx)
    primary = next(run for run in r.runs if run.protocol == PRIMARY)
    exact_x = DATASETS["jellyfish"].exact
    require_fact(cl.regions(cl.interpolant("jellyfish", 2), exact_x)[0] >= 2,
                 "the exact zero-loss jellyfish model uses at least two linear regions")
    lines, readings, headline, tables = [], {}, "", []
    for run in r.runs:
        keep = {k: reg for k, reg in run.regions.items() if levelled(run.results[k])}
        failed = [c for reg in keep.values() for c in reg["failed"]]
        ok = [c for reg in run.regions.values() for c in reg["succeeded"]]
        require_fact(all(c >= 2 for c in ok), "a zero-error model is affine on no set holding "
                     "the jellyfish points (they are not linearly separable)")
        one = sum(c == 1 for c in failed)
        most = sum(c >= 3 for reg in keep.values() for c in reg["failed_largest"])
        most_ok = sum(c >= 3 for reg in run.regions.values() for c in reg["succeeded_largest"])
        v_all, lo, hi = _share_verdict(one, len(failed))
        v_most, mlo, mhi = _share_verdict(most, len(failed))
        if not keep:
            v_all = v_most = None
        dist = {k: failed.count(k) for k in range(1, 5)}
        dist_ok = {k: ok.count(k) for k in range(1, 5)}
        lines.append(f"- {run.protocol}: cells levelled off at the cap {len(keep)} of "
                     f"{len(run.regions)}; their failed runs {len(failed)}, regions {dist}, "
                     f"mean {np.mean(failed) if failed else float('nan'):.2f}; successful runs "
                     f"(all cells) {len(ok)}, regions {dist_ok}, mean "
                     f"{np.mean(ok) if ok else float('nan'):.2f}")
        lines.append(f"  - reading (a), all four points in one linear region: failed "
                     f"{one}/{len(failed)}, 99% [{lo:.0%}, {hi:.0%}]: "
                     f"{_judge(v_all, r).value}")
        lines.append(f"  - reading (b), the paper's gloss ('most datapoints concentrated in "
                     f"the same linear region'), at least 3 of the 4 points in one region: "
                     f"failed {most}/{len(failed)}, 99% [{mlo:.0%}, {mhi:.0%}]: "
                     f"{_judge(v_most, r).value}; successful runs {most_ok}/{len(ok)}")
        proven = [c for key, reg in run.regions.items() for (_, rc), c in
                  zip(run.classes[key], reg["failed"], strict=True) if rc.kind == BAD_MIN]
        lines.append(f"  - of the failed runs (all cells), the proven bad local minima: "
                     f"{len(proven)}, regions { {k: proven.count(k) for k in range(1, 5)} }")
        tables.append(f"Per width and optimiser under '{run.protocol}' (every cell, levelled "
                      f"or not):\n\n{_per_cell_table(region_rows(run))}")
        if run is primary:
            readings = {"all four points in one region": v_all,
                        "at least 3 of the 4 in one region": v_most}
            headline = (f"Reading-dependent. Failed jellyfish ReLU runs in the {len(keep)} of "
                        f"{2 * len(WIDTHS)} cells levelled off at the cap ({r.scale} scale): "
                        f"all four points in one linear region in {one}/{len(failed)} (reading "
                        f"a: {_judge(v_all, r).value}); at least 3 of the 4 in one region in "
                        f"{most}/{len(failed)}, against {most_ok}/{len(ok)} of the successful "
                        f"runs (reading b, the paper's own gloss: {_judge(v_most, r).value}).")
    figs = (plot_figure3_regions(r.runs, ctx.output_dir / "figure3_regions.png").name,
            plot_figure3_models(primary, ctx.output_dir / "figure3_models.png").name)
    status = (_judge(None, r) if r.scale.startswith("quick")
              else judge_readings(readings, claim="fig3"))
    return ClaimResult(
        status=status,
        established=headline,
        details=(f"{_scale_note(r)}\n\nRegions are counted from exact activation patterns "
                 "(failed runs at their snapped points where the snap found one). A successful "
                 "model always needs >= 2 regions (the data are not linearly separable).\n\n"
                 + "\n".join(lines) + "\n\n" + "\n\n".join(tables) + "\n\n"
                 + rule_note("fig3")),
        figures=figs, data={"scale": r.scale,
                            "readings": {k: _judge(v, r).value for k, v in readings.items()},
                            "per_cell": region_rows(primary)})
