"""The `briefing` command. Thin: each subcommand calls a library function and
turns problems into text and exit codes here, nowhere else.

Exit codes: 0 built; 1 build failed, or warnings under --strict; 2 usage or
configuration error.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from pathlib import Path

from generator import __version__
from generator.problems import BriefingError, Problem, Severity, format_problems

EPILOG = ("exit codes: 0 success; 1 build failed (or warnings with --strict); 2 usage or configuration "
          "error; 75 another build holds the lock (retry later, or use --wait)")


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", default="briefing.yml", metavar="FILE",
                        help="configuration file (default: briefing.yml)")
    parser.add_argument("--input", metavar="DIR", help="folder of articles (default: 'input' in the config)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when there are warnings")


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="briefing", description="Turn a folder of messy news articles "
                                   "into an attributed briefing site.", epilog=EPILOG)
    main.add_argument("--version", action="version", version=f"briefing {__version__}")
    sub = main.add_subparsers(dest="command", metavar="COMMAND")
    build = sub.add_parser("build", help="build the site", epilog=EPILOG, description=(
        "Normalise every article, classify its paragraphs, and write the site "
        "(HTML pages, data/*.json, the build report) to the output folder in one atomic swap."))
    _common(build)
    build.add_argument("--output", metavar="DIR", help="output folder (default: 'output' in the config)")
    build.add_argument("--no-search", action="store_true", help="skip the Pagefind search index (faster)")
    build.add_argument("--wait", action="store_true",
                       help="if another build is running, wait for it instead of exiting with code 75")
    check = sub.add_parser("check", help="normalise and report, write nothing", epilog=EPILOG,
                           description="Print a table of every article's fields, which were derived, "
                           "which are missing, and every warning. Writes nothing.")
    _common(check)
    norm = sub.add_parser("normalise", aliases=["normalize"], help="print (or --write) normalised front matter",
                          epilog=EPILOG, description=(
                              "Print the normalised front matter of each FILE. With --write, add or update "
                              "the YAML front matter in the file, leaving every byte of the body as it was; "
                              "a second run changes nothing."))
    serve = sub.add_parser("serve", help="build, serve and rebuild on edits", epilog=EPILOG, description=(
        "Build the site, serve it on http://HOST:PORT/, watch the articles, templates and configuration, "
        "rebuild when edits settle and reload the open browser tab. A failed rebuild keeps the last good "
        "site and shows the error in the terminal and the browser."))
    _common(serve)
    serve.add_argument("--output", metavar="DIR", help="output folder (default: 'output' in the config)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000; 0 picks a free one)")
    export = sub.add_parser("export", help="export the briefing for another site generator",
                            epilog=EPILOG, description=(
                                "Write the briefing as a MkDocs docs tree: Markdown pages with YAML "
                                "front matter and an mkdocs.yml with a nav by topic. Only files whose "
                                "content changed are rewritten; files the last export wrote and this "
                                "one does not are removed. Preview with: mkdocs serve -f DIR/mkdocs.yml"))
    export.add_argument("format", choices=["mkdocs"], help="export format")
    _common(export)
    export.add_argument("--output", metavar="DIR", default="export/mkdocs",
                        help="export folder (default: export/mkdocs)")
    export.add_argument("--theme", default="mkdocs", help="MkDocs theme: mkdocs (default), "
                        "readthedocs, or material (pip install mkdocs-material)")
    norm.add_argument("files", nargs="+", metavar="FILE")
    norm.add_argument("--config", default="briefing.yml", metavar="FILE", help="configuration file")
    norm.add_argument("--write", action="store_true", help="update the files' front matter in place")
    return main


def run() -> None:
    """The program (`briefing`, `python -m generator`): `main`, then leave at once. Freeing the
    analysed corpus object by object after a build had written everything took 1 to 2.5 s at
    10,000 articles; only the standard streams are left to flush. `main` itself returns, for
    callers in the same process (tests)."""
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


_UNTIL_EXIT: list[object] = []
"""What a command made that `run` lets the process's exit free: the last build's result holds the
assembled site, and freeing it object by object, once the summary was printed, took 0.4 s of a
one-edit rebuild at 10,000 articles. One at a time: a caller of `main` in a long-lived process
(the tests) frees each when it runs the next command."""


def _kept_until_exit(made: object) -> None:
    _UNTIL_EXIT[:] = [made]


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.command is None:
        parser().print_help()
        return 2
    try:
        if args.command == "build":
            return _build(args)
        if args.command == "check":
            return _check(args)
        if args.command == "serve":
            return _serve(args)
        if args.command == "export":
            return _export(args)
        return _normalise(args)
    except BriefingError as exc:
        print(exc.format(), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130


def _paths(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from generator.config import load_config

    config = load_config(args.config)
    base = Path(args.config).resolve().parent
    input_dir = Path(args.input) if args.input else base / config.input_dir
    output = getattr(args, "output", None)
    output_dir = Path(output) if output else base / config.output_dir
    return config, input_dir, output_dir, base / config.templates_dir


def _print_problems(problems: tuple[Problem, ...]) -> int:
    for line in format_problems(list(problems)):
        print(line, file=sys.stderr)
    return sum(1 for p in problems if p.severity != Severity.NOTE)


def _build(args: argparse.Namespace) -> int:
    from generator.lock import build_lock
    from generator.pipeline import build
    from generator.progress import BuildProgress

    started = time.perf_counter()
    config, input_dir, output_dir, templates = _paths(args)
    with build_lock(output_dir, args.wait):
        result = build(config, input_dir, output_dir, templates, search=not args.no_search, progress=BuildProgress())
    _kept_until_exit(result)
    warnings = _print_problems(result.problems)
    elapsed = time.perf_counter() - started
    change = result.changes
    summary = (f"{len(change.added)} added, {len(change.changed)} changed, {len(change.removed)} removed"
               if change else "no article changed")
    pages = result.pages
    written = (f"{pages.rendered} files written, {pages.reused} unchanged" if pages.total
               else "site up to date, nothing written")
    if result.cache_note:
        print(f"note: {result.cache_note}", file=sys.stderr)
    print(f"built {result.articles} articles from {result.inputs} inputs ({summary}): "
          f"{written} in {output_dir} ({warnings} warnings, {elapsed:.2f} s)")
    return _strict_exit(args, warnings)


def _strict_exit(args: argparse.Namespace, warnings: int) -> int:
    if args.strict and warnings:
        print(f"Aborted with {warnings} warnings in strict mode!", file=sys.stderr)
        return 1
    return 0


def _check(args: argparse.Namespace) -> int:
    from generator.pipeline import cache_to_read, check
    from generator.progress import BuildProgress
    from generator.report_table import report_table

    config, input_dir, output_dir, _ = _paths(args)
    site = check(config, input_dir, cache_to_read(output_dir, config), progress=BuildProgress())
    _kept_until_exit(site)
    print(report_table(site))
    return _strict_exit(args, _print_problems(site.problems))


def _normalise(args: argparse.Namespace) -> int:
    from generator.config import load_config
    from generator.frontmatter import render_front_matter
    from generator.load import Unreadable, load
    from generator.normalise import normalise
    from generator.rewrite import front_matter_values, rewrite_file

    config = load_config(args.config)
    status = 0
    for name in args.files:
        path = Path(name)
        if not path.is_file():
            print(f"{name}: error: no such file", file=sys.stderr)
            status = 1
            continue
        source = load(path, path.parent)
        if isinstance(source, Unreadable):
            print(f"{name}: error: {source.reason}", file=sys.stderr)
            status = 1
            continue
        article = normalise(source, config)
        _print_problems(article.warnings)
        if args.write:
            changed = rewrite_file(path, article, source.encoding)
            print(f"{name}: {'front matter updated' if changed else 'unchanged'}")
        else:
            if len(args.files) > 1:
                print(f"# {name}")
            print(render_front_matter(front_matter_values(article)), end="")
    return status


def _serve(args: argparse.Namespace) -> int:
    from generator.preview import Preview
    from generator.publish import staging_dir
    from generator.serve import serve

    _, input_dir, output_dir, templates = _paths(args)
    preview = Preview(Path(args.config), input_dir, output_dir, templates)

    def full() -> tuple[str, ...]:
        result = preview.full()
        _print_problems(result.problems)
        return result.pages.changed

    def after() -> None:
        preview.warm()
        preview.index()
        preview.save_cache()

    serve(full, preview.quick, after, output_dir, [input_dir, templates, Path(args.config)], args.host, args.port,
          preview.stop_index)
    # A full build may still be running in its thread: drop its staging folder. `run` then leaves
    # without freeing the in-memory site object by object (tens of seconds at 10,000 articles), or
    # waiting for that thread.
    shutil.rmtree(staging_dir(output_dir.resolve()), ignore_errors=True)
    return 0


def _export(args: argparse.Namespace) -> int:
    from generator.export_mkdocs import export_mkdocs
    from generator.pipeline import cache_to_read, check

    config, input_dir, _, _ = _paths(args)
    site_dir = Path(args.config).resolve().parent / config.output_dir  # --output is the export's folder
    site = check(config, input_dir, cache_to_read(site_dir, config))
    warnings = _print_problems(site.problems)
    output_dir = Path(args.output)
    result = export_mkdocs(site, output_dir, theme=args.theme)
    print(f"exported {len(site.articles)} articles to {output_dir}: "
          f"{len(result.files_written)} files written, {len(result.files_unchanged)} unchanged, "
          f"{len(result.files_removed)} removed ({warnings} warnings)")
    print(f"preview: mkdocs serve -f {output_dir / 'mkdocs.yml'}")
    return _strict_exit(args, warnings)
