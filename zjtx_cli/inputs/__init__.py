"""Reading what the user gives: files, rosters, the field dictionary, the guards around them.

Lowest first (a module imports only those above it in this list, and ``model`` / ``text``):

* ``model`` (Enterprise, Problem, InputError), ``text`` (inert strings, blanks, control
  characters, formula prefixes), ``values`` (cell parsing), ``fields`` (+ ``fields.yaml``);
* ``limits`` (budgets, UnsafeInput, OutputError), ``sniff`` (what a file is), ``zipcheck`` and
  ``sheetcheck`` (the xlsx guard), ``isolate`` (the capped reader process), ``export_text`` and
  ``atomic`` (safe output); ``safety`` re-exports all of these;
* ``labels`` (label / header cell -> field, year, unit), ``problems`` (whole-file problems),
  ``collector`` (parse_value, the per-file collector), ``evidence_cells`` (evidence named in
  input cells), ``sheet_xml`` (uncached formulas, percentage formats), ``workbook`` (the first
  visible sheet through calamine);
* ``json_reader`` and ``label_sheet`` (one applicant's JSON / label-value sheet), ``roster``
  (one company per row), ``reader`` (``read_enterprise``: picks the reader by content);
* ``checks`` and ``ratios`` (data checks on what was read).

Nothing here imports ``zjtx_cli.evidence`` or ``outputs``; only ``fields`` (user rulesets'
extra fields, ``rules.registry``) and ``ratios`` (``engine.metrics``) look beyond ``inputs``.
"""
