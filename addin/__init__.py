"""The Excel add-in (xlwings): Refresh inside Excel through the engine's public functions.

- :mod:`addin.refresh`  the ribbon button's entry point (``saferbook.main()`` -> ``refresh()``)
- :mod:`addin.plan`     from the workbook as it is to the fresh layout: shifts and writes
- :mod:`addin.fresh`    the workbook the engine would build now, read back in memory
- :mod:`addin.book`     the operations Refresh needs from an open workbook; the xlwings adapter
- :mod:`addin.ribbon`, :mod:`addin.build`, :mod:`addin.install`  ``saferbook addin build|install``

Only xlwings' BSD-licensed core is used (``xw.Book.caller()``, ranges, tables, the app).
"""
