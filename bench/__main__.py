"""``python -m bench``: run the figures, print the table, write bench/RESULTS.md."""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from pathlib import Path

from bench.core import FIGURES, Row, Sizes
from bench.outside import compile_sources
from bench.report import generated_part, load_average, now_utc, text_table, write_results
from bench.server import BenchContext

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
# The server on real engines (starts its own PostgreSQL cluster and S3 server).


def _figures(text: str) -> list[int]:
    try:
        chosen = sorted({int(part) for part in text.split(",") if part.strip()})
    except ValueError:
        message = f"expected figure numbers like 3 or 1,6, not {text!r}"
        raise argparse.ArgumentTypeError(message) from None
    unknown = [n for n in chosen if n not in FIGURES]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"no figure {unknown or text!r}; choose from {', '.join(map(str, FIGURES))}"
        )
    return chosen


def build_parser() -> argparse.ArgumentParser:
    listing = "\n".join(f"  {n}  {title}" for n, (_, title) in FIGURES.items())
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=(
            "Benchmark runloop-tui against its own local server. Every figure is measured "
            "beside a baseline in the same run; the ratio decides."
        ),
        epilog=f"figures:\n{listing}\n\nA full run takes about 4 minutes; --quick about 2.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--only", type=_figures, metavar="N[,N...]", help="run only these figures, e.g. 3 or 1,6"
    )
    parser.add_argument(
        "--quick", action="store_true", help="smaller sizes (labelled in the table); ~2 minutes"
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=None,
        metavar="FILE",
        help="write the results here (default: bench/RESULTS.md, for a full run of every figure)",
    )
    parser.add_argument(
        "--no-write", action="store_true", help="only print the table, write no file"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    sizes = Sizes.small() if args.quick else Sizes.full()
    chosen = args.only or list(FIGURES)
    # A partial or quick run must not overwrite the full results unless asked to.
    output: Path | None = args.output
    if output is None and not args.quick and args.only is None:
        output = RESULTS
    if args.no_write:
        output = None

    started, clock, load_before = now_utc(), time.perf_counter(), load_average()
    rows: list[Row] = []
    failed: list[int] = []
    ctx = BenchContext(sizes, log=lambda line: print(line, flush=True))
    compile_sources()  # start-up is measured as a user's install runs: from .pyc files
    try:
        for number in chosen:
            module_name, title = FIGURES[number]
            print(f"[{number}] {title} …", flush=True)
            figure_clock = time.perf_counter()
            try:
                module = importlib.import_module(f"bench.{module_name}")
                new_rows: list[Row] = module.run(ctx)
            except Exception:
                failed.append(number)
                traceback.print_exc()
                continue
            rows += new_rows
            for row in new_rows:
                print(f"  {row.number}: {row.verdict} ({row.ratio:.3g}x)", flush=True)
            print(f"  done in {time.perf_counter() - figure_clock:.0f} s", flush=True)
    except KeyboardInterrupt:
        print("interrupted; reporting what was measured", file=sys.stderr)
    finally:
        ctx.close()
    seconds = time.perf_counter() - clock
    print()
    print(text_table(rows))
    for row in rows:
        for note in row.notes:
            print(f"  {row.number}: {note}")
    took = f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.1f} min"
    print(f"\n{took}" + (" (quick sizes)" if args.quick else ""))
    if output is not None and rows:
        command = "python -m bench" + (" " + " ".join(argv or sys.argv[1:])).rstrip()
        write_results(
            output,
            generated_part(
                rows,
                quick=args.quick,
                started=started,
                seconds=seconds,
                load_before=load_before,
                command=command.strip(),
            ),
        )
        print(f"written to {output}")
    if failed:
        print(f"figures that failed: {', '.join(map(str, failed))}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
