"""Command line: `rehearse check`, `rehearse batch`, `rehearse serve` (see CONTRACT.md), `rehearse eval`."""
from __future__ import annotations

import argparse
import json
import sys

from .inputs import MAX_CHARS, InputError

EXIT_OK, EXIT_USAGE = 0, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, exit 2 (argparse's default prints usage too)
        self.exit(EXIT_USAGE, f"rehearse: {message} (see `rehearse --help`)\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="rehearse", description="Check a draft or review a prescriber's reply. "
                "Informs conversations; not medical advice.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)
    c = sub.add_parser("check", help="analyse one text (a file, or - for standard input)")
    c.add_argument("--mode", choices=("draft", "reply"), required=True,
                   help="draft: your own words; reply: a prescriber's words")
    c.add_argument("--format", choices=("text", "json"), default="text")
    c.add_argument("file", nargs="?", default="-")
    b = sub.add_parser("batch", help='analyse JSON lines {"id": ..., "text": ...}; one result per line')
    b.add_argument("--mode", choices=("draft", "reply"), required=True)
    b.add_argument("file", nargs="?", default="-")
    e = sub.add_parser("eval", help="measure quality on ../shared/benchmarks and tests/data; write a report")
    e.add_argument("--out", default=None, help="the Markdown report to write (default docs/quality.md)")
    e.add_argument("--benchmarks", default=None, metavar="PATH",
                   help="the benchmark folder (default $REHEARSE_BENCHMARKS or ../shared/benchmarks)")
    e.add_argument("--limit", type=_positive_int, default=None, metavar="N",
                   help="only the first N rows of each set (a quick run)")
    s = sub.add_parser("serve", help="run the web app (development server)")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    return p


def _positive_int(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {value!r}")
    return n


def _fail(message: str) -> int:
    print(f"rehearse: {message}", file=sys.stderr)
    return EXIT_USAGE


def _read_bytes(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read(MAX_CHARS * 4 + 1)
    with open(name, "rb") as fh:
        return fh.read(MAX_CHARS * 4 + 1)


def _decode(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        where = "standard input" if name == "-" else name
        raise InputError(f"{where} is not valid UTF-8 text (byte {exc.start}); save it as UTF-8 and try again") from None


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "serve":
            from .web import create_app
            create_app().run(host=args.host, port=args.port)
            return EXIT_OK
        from . import get_analyzer
        from .lexicon import LexiconError
        from .pipeline import PipelineMissing
        try:
            analyzer = get_analyzer()
        except PipelineMissing as exc:
            return _fail(str(exc))
        except LexiconError as exc:
            return _fail(f"the lexicons failed to load: {exc}")
        if args.command == "eval":
            from .evaluate import cli as eval_cli
            return eval_cli(args, argv)
        if args.command == "check":
            try:
                raw = _read_bytes(args.file)
            except OSError as exc:
                return _fail(f"cannot read {args.file}: {exc.strerror or exc}")
            if len(raw) > MAX_CHARS * 4:
                return _fail(f"the text is over {MAX_CHARS:,} characters; rehearse checks up to {MAX_CHARS:,} "
                             "at a time: please split it into parts")
            result = analyzer.analyse(_decode(raw, args.file), args.mode)
            out = sys.stdout
            if args.format == "json":
                json.dump(result, out, ensure_ascii=False, indent=2)
                out.write("\n")
            else:
                out.write(render_text(result))
            return EXIT_OK
        return _batch(analyzer, args)
    except InputError as exc:
        return _fail(str(exc))
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        return 130


def _batch(analyzer, args) -> int:
    try:
        stream = sys.stdin.buffer if args.file == "-" else open(args.file, "rb")
    except OSError as exc:
        return _fail(f"cannot read {args.file}: {exc.strerror or exc}")
    ids: list = []

    def texts():
        """Yield each line's text, or an InputError standing in for a malformed line."""
        for n, raw in enumerate(stream, 1):
            try:
                line = raw.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError:
                ids.append(None)
                yield InputError(f"line {n}: not valid UTF-8")
                continue
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                ids.append(None)
                yield InputError(f"line {n}: not valid JSON ({exc.msg})")
                continue
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                ids.append(obj.get("id") if isinstance(obj, dict) else None)
                yield InputError(f'line {n}: expected an object with a "text" string')
                continue
            ids.append(obj.get("id"))
            yield obj["text"]

    out = sys.stdout
    for i, result in enumerate(analyzer.analyse_many(texts(), args.mode)):
        out.write(json.dumps({"id": ids[i], **result}, ensure_ascii=False) + "\n")
        out.flush()
    return EXIT_OK


def render_text(result: dict) -> str:
    """A readable report for people."""
    lines = []
    s = result["summary"]
    who = "your draft" if result["mode"] == "draft" else "the reply"
    lines.append(f"rehearse: {who}: {s['concerns']} concern(s), {s['strengths']} strength(s), "
                 f"collaboration {s['collaboration']}/100")
    for f in result["flags"]:
        mark = "!" if f["polarity"] == "concern" else "+"
        lines.append("")
        lines.append(f"{mark} [{f['severity']}] {f['message']}  ({f['rule']})")
        lines.append(f"    \"{f['text']}\" at {f['start']}-{f['end']}")
        if f.get("detector") == "model":
            from .classifier import confidence_word
            lines.append(f"    found by how the sentence reads (sentence model, {confidence_word(f['confidence'])} "
                         "confidence), not a listed phrase")
        lines.append(f"    why: {f['explanation']}")
        for sug in f["suggestions"][:3]:
            lines.append(f"    try: {sug}")
        for idea in f.get("replies", [])[:2]:
            lines.append(f"    you could reply: {idea['text']}  [{idea['source']['title']}]")
        for src in f["sources"]:
            lines.append(f"    source: {src['title']} <{src['url']}>")
    if result.get("story"):  # drafts: the story checklist and concision
        from .story import story_text
        lines.extend(story_text(result["story"]))
    plan = result.get("taper_plan")
    if plan and plan.get("found"):  # replies: the plan's pace against the guideline
        pace = {True: "faster than the guideline", False: "within the guideline", None: "not enough detail to say"}
        lines.append("")
        lines.append(f"Taper plan: {pace[plan.get('too_fast')]}")
        lines.append(f"    {plan['explanation']}")
    profile = result.get("profile")
    if profile:
        lines.append("")
        lines.append("How this reply reads (prescribing- or deprescribing-focused):")
        for a in profile["aspects"]:
            reading = {"prescribing": "prescribing-focused", "deprescribing": "deprescribing-focused"}.get(
                a["reading"], "not clear")
            quoted = "; ".join(f'"{e}"' for e in a["evidence"][:2])
            lines.append(f"    {a.get('label') or a['id']}: {reading}" + (f"  ({quoted})" if quoted else ""))
        lines.append(f"    {profile['overall']}")
    lines.append("")
    lines.append("rehearse informs conversations; it is not medical advice.")
    return "\n".join(lines) + "\n"
