"""Regenerate `china.json` from the pinned `chinese-calendar` library.

When the State Council publishes next year's holiday schedule (usually in November), upgrade the
pinned `chinese-calendar` in requirements once its release carries that year, then run

    python -m shared.calendars.refresh          # rewrite shared/calendars/china.json
    python -m shared.calendars.refresh --check  # exit 1 if china.json differs from the library

and commit the JSON. Why `chinese-calendar` rather than `holidays`: it lists the State Council's
make-up working days (调休) explicitly and only for years actually published (it refuses a year it
does not know), whereas `holidays` has no make-up working day category for China and extrapolates
future years by rule (its 2027 entries, without any 调休, are a guess, not a schedule). The library is
only needed here: services read the generated JSON through `shared.calendars.china`, standard library
only, so that domain code may use it.
"""

from __future__ import annotations

import argparse
import json
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

from shared.calendars.china import DATA_PATH


def generate() -> dict[str, Any]:
    """The JSON document `china.json` holds, built from the installed `chinese-calendar`."""
    from chinese_calendar import constants

    years = sorted({d.year for d in constants.holidays} | {d.year for d in constants.workdays})
    return {
        "source": f"chinese-calendar {version('chinese-calendar')}",
        "first_year": years[0],
        "last_year": years[-1],
        "holidays": {d.isoformat(): name for d, name in sorted(constants.holidays.items())},
        "makeup_workdays": {d.isoformat(): name for d, name in sorted(constants.workdays.items())},
    }


def render(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 when stale")
    parser.add_argument("--path", type=Path, default=DATA_PATH)
    args = parser.parse_args(argv)
    text = render(generate())
    current = args.path.read_text(encoding="utf-8") if args.path.exists() else ""
    document = json.loads(text)
    span = f"{document['first_year']}-{document['last_year']} from {document['source']}"
    if args.check:
        print(f"{args.path}: {'up to date' if current == text else 'STALE'} (library covers {span})")
        return 0 if current == text else 1
    args.path.write_text(text, encoding="utf-8")
    print(f"wrote {args.path}: {span}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
