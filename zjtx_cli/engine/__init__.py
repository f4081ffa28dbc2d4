"""The engine: what a rule means for one company.

- ``kinds/``       one module per check kind (validation, typed form, evaluation, gaps, texts)
- ``evaluate``     conditions, verdicts, counts and gaps of one track
- ``service``      what to assess (a track, a tier, the ladder, the cross-scheme next), lower tiers first
- ``results``      the typed, immutable results
- ``metrics``      derived figures (ratios, growth, sums) and the gap to a threshold
- ``sme``          the SME size test (工信部联企业〔2011〕300号)
- ``scheme_checks`` data warnings that need the scheme (a missing year a condition reads)
- ``record``, ``status``, ``texts``  immutable records; statuses and comparisons; shared words

The engine imports only ``inputs``; ``rules`` and ``outputs`` import it, never the reverse.
"""
