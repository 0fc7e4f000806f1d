"""Scheduled delivery: ``saferbook run PIPELINE`` builds each partner's workbook and e-mails it to
that partner only, exactly once, recording every run and send in a SQLite ledger.

pipeline (the YAML file) → build (parallel workbooks) → message → smtp, with ledger and lock
around them; runner ties these together; summary and history print for people.
"""
