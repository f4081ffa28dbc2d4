"""zjtx: eligibility assessor for China's 专精特新 SME programmes.

The package is a small library (``fields``, ``values``, ``reader``, ``rules``,
``metrics``, ``engine``, ``report``) with a thin command-line layer in ``cli``.
"""

__version__ = "0.1.0"
