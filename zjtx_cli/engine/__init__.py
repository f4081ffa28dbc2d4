"""The engine: what a rule means for one company.

- ``kinds/``       one module per check kind (validation, typed form, evaluation, gaps, texts)
- ``evaluate``     conditions, verdicts and counts of one track
- ``gaps``         what is lacking for each condition of a track, easiest first
- ``service``      what to assess (a track, a tier, the ladder, the cross-scheme next), lower tiers first
- ``results``      the typed, immutable results
- ``context``      what an evaluation needs (``EvaluationContext``: enterprise, year, date, fields)
- ``metrics``      the derived figures (ratios, growth, sums), registered and evaluated;
  ``formulas`` computes each, ``shortfalls`` turns a miss into the change that meets the threshold,
  ``numbers`` shows figures
- ``sme``          the SME size test (工信部联企业〔2011〕300号)
- ``scheme_checks`` data warnings that need the scheme (a missing year a condition reads)
- ``record``, ``status``, ``texts``  immutable records; statuses and comparisons; shared words

The engine imports only ``inputs``; ``rules`` and ``outputs`` import it, never the reverse.
"""
