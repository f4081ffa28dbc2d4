"""`zjtx match`: every programme a company could apply for, grouped, with the cheapest next step.

Built only on the ``assess --format json`` document (see :mod:`zjtx_cli.match.service`),
so the engine behind it can change without touching this package.
"""
