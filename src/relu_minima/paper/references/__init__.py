"""Claims of the reference material (reference 001 here; reference 003 is checked in
``relu_minima.paper.checks.yun`` until the package is reorganised, issue 23)."""
