"""``python -m zjtx_cli`` and the ``zjtx`` console script."""

from __future__ import annotations

import sys


def main():
    from zjtx_cli.cli.fastpath import try_main

    code = try_main(sys.argv[1:])
    if code is not None:
        raise SystemExit(code)
    from zjtx_cli.cli.app import main as _main

    _main()


if __name__ == "__main__":
    main()
