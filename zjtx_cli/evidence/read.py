"""Evidence read from an applicant's file (issue 13): kept importable from here.

The readers parse it where they read the file's cells:
:func:`~zjtx_cli.inputs.evidence_cells.evidence_from_json` and
:func:`~zjtx_cli.inputs.evidence_cells.evidence_from_rows`.
"""

from __future__ import annotations

from zjtx_cli.inputs.evidence_cells import EVIDENCE_HEADS, evidence_from_json, evidence_from_rows

__all__ = ["EVIDENCE_HEADS", "evidence_from_json", "evidence_from_rows"]
