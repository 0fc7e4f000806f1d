"""Saferbook engine: YAML indicator specs + raw partner sheets -> partner Excel workbooks.

The public functions the CLI, the add-in and scheduled delivery all call live in
:mod:`engine.api`; everything else is an implementation module with one job.
"""

__version__ = "0.1.0"
