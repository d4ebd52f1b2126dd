"""Documents a methodist files as they are: DOCX and print pages (requisites, tables, charts, narratives).

The building blocks every area's document uses (`docx.py`, `charts.py`, `narratives.py`,
`letterheads.py`); each area keeps the builder of its own document, a plain function.
"""
