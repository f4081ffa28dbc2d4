"""``python -m zjtx_cli`` and the ``zjtx`` console script."""

from __future__ import annotations

import sys


def main():
    from .fastpath import try_main

    code = try_main(sys.argv[1:])
    if code is not None:
        raise SystemExit(code)
    from .cli import main as _main

    _main()


if __name__ == "__main__":
    main()
