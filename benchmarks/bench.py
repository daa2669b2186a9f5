"""rehearse's benchmarks: every speed a ratio against raw spaCy measured in the same run.

    make bench                       # installs what it needs, then runs this and writes docs/performance.md
    .venv/bin/python benchmarks/bench.py [--quick] [--out FILE] [--no-http]

Measures, on texts built from the project's labelled sentences (benchmarks/texts.py):
  1. per-text latency of analyse() against a plain full spaCy call (every component, NER included)
     on 50-, 300- and 2,000-word texts, both modes, p50 and p99, and the same texts through the
     context-blind peers proselint (PyPI) and write-good (npm);
  2. where analyse() spends its time on the 300-word texts (tokenise, sentences, match, parse,
     context, rewrite, tone, sections);
  3. `rehearse batch` throughput against nlp.pipe on 2,000 texts;
  4. cold start (import + pipeline load) and peak memory per process;
  5. HTTP through gunicorn, started exactly as `make run` starts it, on 127.0.0.1 with wrk at
     concurrency 1, 8 and 32 (30 s each, as three 10 s runs).
Each figure is the median over repeated runs. The machine is described in the report; other work on
it disturbs the numbers, so the load average is recorded before and after.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import texts as corpus  # noqa: E402

VENV_BIN = Path(sys.executable).parent
NPM_PREFIX = ROOT / ".venv" / "bench-npm"
WRITE_GOOD = NPM_PREFIX / "node_modules" / "write-good"
SOAK_START, SOAK_END = "<!-- soak:start -->", "<!-- soak:end -->"
MODES = ("draft", "reply")

# Targets from issue 7.
T_LATENCY_RATIO = 0.5      # analyse costs at most 0.5x the plain spaCy call, p50 and p99
T_BATCH_RATIO = 0.8        # rehearse batch at least 0.8x nlp.pipe throughput
T_COLD_S = 3.0             # import + pipeline load
T_MEM_MB = 350.0           # peak memory per process
T_HTTP_OVER_MS = 10.0      # HTTP p50 (300-word draft, concurrency 1) within 10 ms of in-process analyse


class Config:
    def __init__(self, quick: bool):
        self.quick = quick
        self.runs = 2 if quick else 5
        # iterations per run for each size: enough samples that p99 means something at 50/300 words
        self.iterations = {50: 20, 300: 8, 2000: 3} if quick else {50: 100, 300: 50, 2000: 12}
        self.peer_iterations = {50: 20, 300: 10, 2000: 3} if quick else {50: 100, 300: 50, 2000: 15}
        self.batch_runs = 1 if quick else 3
        self.batch_texts = 200 if quick else 2000
        self.cold_runs = 2 if quick else 5
        self.http_concurrency = (1, 8, 32)
        self.http_runs = 1 if quick else 3
        self.http_seconds = 2 if quick else 10
        self.profile_iterations = 10 if quick else 50


# ---- small helpers ----------------------------------------------------------------------------

def pct(values, q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    v = sorted(values)
    if not v:
        return float("nan")
    k = max(0, min(len(v) - 1, int(-(-q * len(v) // 100)) - 1))
    return v[k]


def med(values) -> float:
    return statistics.median(values)


def ms(seconds: float) -> float:
    return seconds * 1000.0


def timed_ms(fn, *args) -> float:
    t = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - t) * 1000.0


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def fmt(x: float, digits: int = 1) -> str:
    return "n/a" if x != x else f"{x:,.{digits}f}"


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


# ---- the machine ------------------------------------------------------------------------------

def machine() -> dict:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gb = float("nan")
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem_gb = int(line.split()[1]) / 1024 / 1024
    import spacy

    from rehearse.pipeline import model_name
    try:
        model_version = spacy.util.get_package_version(model_name()) or "?"
    except Exception:  # noqa: BLE001
        model_version = "?"
    node = shutil.which("node")
    node_v = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip() if node else "missing"
    wrk = shutil.which("wrk")
    wrk_v = "missing"
    if wrk:
        out = subprocess.run([wrk, "--version"], capture_output=True, text=True)
        first = (out.stdout + out.stderr).split("\n")[0]
        wrk_v = " ".join(first.split()[:2]) if first else "wrk"
    return {
        "cpu": cpu, "cores": os.cpu_count(), "mem_gb": mem_gb,
        "os": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "python": platform.python_version(), "spacy": spacy.__version__,
        "model": f"{model_name()} {model_version}", "node": node_v, "wrk": wrk_v,
    }


# ---- 1. latency -------------------------------------------------------------------------------

def proselint_fn():
    try:
        from proselint.checks import __register__
        from proselint.config import DEFAULT
        from proselint.registry import CheckRegistry
        from proselint.tools import LintFile
        from proselint.version import __version__
    except ImportError:
        return None, "not available: proselint not installed (`make bench` installs it)"
    CheckRegistry().register_many(__register__)
    return (lambda text: LintFile("<bench>", text).lint(DEFAULT)), f"proselint {__version__}"


def write_good_times(texts: dict, iterations: dict, runs: int):
    """{key: [per-run (p50, p99)]} for write-good, timed inside node (no process start counted)."""
    if not shutil.which("node") or not shutil.which("npm"):
        return None, "not available: npm missing"
    if not WRITE_GOOD.exists():
        return None, "not available: write-good not installed (`make bench` installs it with npm)"
    version = json.loads((WRITE_GOOD / "package.json").read_text())["version"]
    job = {"module": str(WRITE_GOOD), "runs": runs,
           "texts": [{"key": k, "text": t, "iterations": iterations[w]} for k, (t, w) in texts.items()]}
    out = subprocess.run(["node", str(HERE / "write_good_timing.js")], input=json.dumps(job),
                         capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        return None, f"not available: write-good failed ({out.stderr.strip()[:120]})"
    return json.loads(out.stdout), f"write-good {version}"


def latency(cfg: Config, analyzer, full) -> dict:
    lint, lint_name = proselint_fn()
    texts = {(mode, words): corpus.text_of(mode, words) for mode in MODES for words in corpus.SIZES}
    wg, wg_name = write_good_times({f"{m}-{w}": (t, w) for (m, w), t in texts.items()},
                                   cfg.peer_iterations, cfg.runs)
    rows = []
    for (mode, words), text in texts.items():
        analyzer.analyse(text, mode), full(text)  # warm
        if lint:
            lint(text)
        runs = defaultdict(list)  # name -> [(p50, p99)] per run
        for _ in range(cfg.runs):
            a, s = [], []
            for _ in range(cfg.iterations[words]):
                a.append(timed_ms(analyzer.analyse, text, mode))
                s.append(timed_ms(full, text))
            runs["analyse"].append((pct(a, 50), pct(a, 99)))
            runs["spacy"].append((pct(s, 50), pct(s, 99)))
            if lint:
                p = [timed_ms(lint, text) for _ in range(cfg.peer_iterations[words])]
                runs["proselint"].append((pct(p, 50), pct(p, 99)))
        if wg:
            runs["write-good"] = [tuple(x) for x in wg[f"{mode}-{words}"]]
        row = {"mode": mode, "words": len(text.split()), "size": words, "chars": len(text),
               "flags": len(analyzer.analyse(text, mode)["flags"])}
        sp = runs["spacy"]
        for name, per_run in runs.items():
            row[name] = {"p50": med([r[0] for r in per_run]), "p99": med([r[1] for r in per_run])}
            if name != "spacy":  # ratio within each run, then the median
                row[name]["r50"] = med([r[0] / s[0] for r, s in zip(per_run, sp)])
                row[name]["r99"] = med([r[1] / s[1] for r, s in zip(per_run, sp)])
        rows.append(row)
        log(f"  latency {mode} {words}: analyse {row['analyse']['p50']:.1f} ms, spaCy {row['spacy']['p50']:.1f} ms")
    return {"rows": rows, "proselint": lint_name, "write_good": wg_name, "typical": typical(cfg, analyzer, full)}


def typical(cfg: Config, analyzer, full) -> list[dict]:
    """The same ratio on ordinary ~300-word texts (not the worst case the table above measures)."""
    rows = []
    for mode in MODES:
        found = corpus.typical(mode, 300)
        if found is None:
            rows.append({"mode": mode, "missing": "../shared/benchmarks not found"})
            continue
        text, source = found
        analyzer.analyse(text, mode), full(text)
        ratios, a_all, s_all = [], [], []
        for _ in range(cfg.runs):
            a = [timed_ms(analyzer.analyse, text, mode) for _ in range(cfg.iterations[300])]
            s = [timed_ms(full, text) for _ in range(cfg.iterations[300])]
            ratios.append(pct(a, 50) / pct(s, 50))
            a_all.append(pct(a, 50))
            s_all.append(pct(s, 50))
        result = analyzer.analyse(text, mode)
        rows.append({"mode": mode, "source": source, "words": len(text.split()), "flags": len(result["flags"]),
                     "analyse": med(a_all), "spacy": med(s_all), "ratio": med(ratios)})
        log(f"  typical {mode}: analyse {med(a_all):.1f} ms, spaCy {med(s_all):.1f} ms")
    return rows


# ---- 2. where the time goes -------------------------------------------------------------------

def profile(cfg: Config, analyzer) -> list[dict]:
    """Time each stage of analyse() on the 300-word texts by wrapping the functions it calls."""
    import rehearse.context as context_mod
    import rehearse.pipeline as pipeline_mod
    import rehearse.rewrite as rewrite_mod

    acc: dict[str, float] = defaultdict(float)
    patched = []

    def wrap(obj, name, label):
        original = getattr(obj, name)
        had = name in vars(obj)  # a module's function (restore it) or a method (drop the shadowing attribute)

        def timed(*args, **kwargs):
            t = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                acc[label] += time.perf_counter() - t
        setattr(obj, name, timed)
        patched.append((obj, name, original, had))

    stages = [
        (analyzer.nlp, "make_doc", "tokenise (spaCy tokenizer)"),
        (pipeline_mod, "segment", "sentence split"),
        (analyzer, "_candidates", "match lexicons"),
        (analyzer.parser, "parse", "parse candidate sentences"),
        (context_mod, "cues", "context (parsed)"),
        (context_mod, "shallow", "context (shallow)"),
        (rewrite_mod, "rewrite", "rewrites"),
        (analyzer.tone, "score", "tone score"),
        (analyzer, "_sections", "sections (story, taper plan, profile)"),
    ]
    out = []
    try:
        for obj, name, label in stages:
            wrap(obj, name, label)
        for words, mode in ((w, m) for w in (300, 2000) for m in MODES):
            text = corpus.text_of(mode, words)
            samples: dict[str, list[float]] = defaultdict(list)
            for _ in range(cfg.profile_iterations if words == 300 else max(3, cfg.profile_iterations // 5)):
                acc.clear()
                total = timed_ms(analyzer.analyse, text, mode)
                for _, _, label in stages:
                    samples[label].append(ms(acc.get(label, 0.0)))
                samples["everything else (flags, dedupe, JSON-ready dicts)"].append(
                    total - ms(sum(acc.values())))
                samples["total"].append(total)
            out.append({"mode": mode, "words": len(text.split()),
                        "stages": {k: med(v) for k, v in samples.items()}})
    finally:
        for obj, name, original, had in reversed(patched):
            if had:
                setattr(obj, name, original)
            else:
                delattr(obj, name)
    return out


# ---- 3. batch ---------------------------------------------------------------------------------

class _Sink(io.TextIOBase):
    def __init__(self):
        self.lines = 0

    def write(self, s):
        self.lines += s.count("\n")
        return len(s)


def batch(cfg: Config, full) -> dict:
    """`rehearse batch` (its real code, in-process, pipeline already loaded) vs nlp.pipe, same texts."""
    from rehearse import cli
    half = cfg.batch_texts // 2
    sets = {mode: corpus.messages(mode, half) for mode in MODES}
    everything = sets["draft"] + sets["reply"]
    words = sum(len(t.split()) for t in everything)
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for mode, items in sets.items():
            files[mode] = Path(tmp) / f"{mode}.jsonl"
            files[mode].write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in enumerate(items)))

        def run_batch():
            sink = _Sink()
            with contextlib.redirect_stdout(sink):
                for mode in MODES:
                    assert cli.main(["batch", "--mode", mode, str(files[mode])]) == 0
            assert sink.lines == len(everything), sink.lines

        def run_pipe():
            n = sum(1 for _ in full.pipe(everything))
            assert n == len(everything)

        run_batch(), run_pipe()  # warm
        ours, theirs, ratios = [], [], []
        for _ in range(cfg.batch_runs):
            t_batch = timed_ms(run_batch) / 1000
            t_pipe = timed_ms(run_pipe) / 1000
            ours.append(len(everything) / t_batch)
            theirs.append(len(everything) / t_pipe)
            ratios.append(ours[-1] / theirs[-1])
    log(f"  batch: rehearse {med(ours):.0f} texts/s, nlp.pipe {med(theirs):.0f} texts/s")
    return {"texts": len(everything), "words": words, "rehearse": med(ours), "spacy": med(theirs),
            "ratio": med(ratios)}


# ---- 4. cold start and memory -----------------------------------------------------------------

# Memory from /proc/self/status (VmRSS now, VmHWM the peak): ru_maxrss is no use here, as Linux keeps
# the forking parent's peak (this benchmark, two pipelines loaded) across exec.
MEM = """
import re
def mem():
    status = open("/proc/self/status").read()
    get = lambda k: int(re.search(k + r":\s+(\d+)", status).group(1)) / 1024
    return dict(rss_mb=get("VmRSS"), peak_mb=get("VmHWM"))
"""
COLD_OURS = MEM + """
import json, time
t0 = time.perf_counter()
import rehearse
analyzer = rehearse.get_analyzer()
t1 = time.perf_counter()
analyzer.analyse("You need to give me a slower taper.", "draft")
t2 = time.perf_counter()
print(json.dumps(dict(load=t1 - t0, first=t2 - t1, **mem())))
"""
COLD_SPACY = MEM + """
import json, time
t0 = time.perf_counter()
import spacy
from rehearse.pipeline import model_name
nlp = spacy.load(model_name())
t1 = time.perf_counter()
nlp("You need to give me a slower taper.")
t2 = time.perf_counter()
print(json.dumps(dict(load=t1 - t0, first=t2 - t1, **mem())))
"""
# Peak memory after real work: every latency text in both modes, three times, then the batch messages.
MEMORY_OURS = MEM + """
import json, sys
sys.path.insert(0, HERE)
import texts as corpus
import rehearse
a = rehearse.get_analyzer()
for mode in ("draft", "reply"):
    for w in corpus.SIZES:
        for _ in range(3):
            a.analyse(corpus.text_of(mode, w), mode)
    list(a.analyse_many(corpus.messages(mode, N), mode))
print(json.dumps(mem()))
"""
MEMORY_SPACY = MEM + """
import json, sys
sys.path.insert(0, HERE)
import texts as corpus
import spacy
from rehearse.pipeline import model_name
nlp = spacy.load(model_name())
for mode in ("draft", "reply"):
    for w in corpus.SIZES:
        for _ in range(3):
            nlp(corpus.text_of(mode, w))
    list(nlp.pipe(corpus.messages(mode, N)))
print(json.dumps(mem()))
"""


def _child(code: str) -> tuple[dict, float]:
    t = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    wall = time.perf_counter() - t
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-2000:])
    return json.loads(out.stdout.strip().splitlines()[-1]), wall


def cold_and_memory(cfg: Config) -> dict:
    res: dict = {}
    for name, code in (("ours", COLD_OURS), ("spacy", COLD_SPACY)):
        runs = [_child(code) for _ in range(cfg.cold_runs)]
        res[name] = {"load": med([r["load"] for r, _ in runs]), "first": med([r["first"] for r, _ in runs]),
                     "wall": med([w for _, w in runs]), "rss_mb": med([r["rss_mb"] for r, _ in runs])}
    n = cfg.batch_texts // 2
    setup = f"HERE, N = {str(HERE)!r}, {n}\n"
    res["ours"]["peak_mb"] = _child(setup + MEMORY_OURS)[0]["peak_mb"]
    res["spacy"]["peak_mb"] = _child(setup + MEMORY_SPACY)[0]["peak_mb"]
    log(f"  cold start: {res['ours']['load']:.2f} s (spaCy {res['spacy']['load']:.2f} s); "
        f"peak {res['ours']['peak_mb']:.0f} MB")
    return res


# ---- 5. HTTP through gunicorn -----------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn_command(port: int) -> list[str]:
    """Exactly `make run`'s command line (read from the Makefile), on the given port."""
    makefile = (ROOT / "Makefile").read_text()
    m = re.search(r"^run:.*?\n(?:\t.*\n)*?\t\$\(VENV\)/bin/gunicorn (.+)$", makefile, re.M)
    if not m:
        raise RuntimeError("cannot find the gunicorn command of `make run` in the Makefile")
    args = m.group(1).replace("$(HOST)", "127.0.0.1").replace("$(PORT)", str(port))
    import shlex
    return [str(VENV_BIN / "gunicorn"), *shlex.split(args)]


class Server:
    """gunicorn as `make run` starts it; stopped (by its own pid) on exit."""

    def __init__(self):
        self.port = free_port()
        self.command = gunicorn_command(self.port)
        self.proc = None
        self.base = f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        self.proc = subprocess.Popen(self.command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                     start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("gunicorn exited: " + self.proc.stderr.read().decode()[-1500:])
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(self.base + "/api/openapi.json", timeout=2) as r:
                    if r.status == 200:
                        return self
            time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("gunicorn did not answer within 60 s")

    def workers(self) -> list[int]:
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            with contextlib.suppress(OSError, ValueError, IndexError):
                if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == self.proc.pid:
                    found.append(int(stat.parent.name))
        return sorted(found)

    def memory(self) -> dict:
        """VmRSS and VmHWM (peak) in MB of the master and each worker."""
        out = {}
        for role, pid in [("master", self.proc.pid)] + [("worker", w) for w in self.workers()]:
            with contextlib.suppress(OSError):
                status = Path(f"/proc/{pid}/status").read_text()
                vals = {k: int(re.search(rf"^{k}:\s+(\d+)", status, re.M).group(1)) / 1024 for k in ("VmRSS", "VmHWM")}
                out.setdefault(role, []).append(vals)
        return out

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc and self.proc.stderr:
            self.proc.stderr.close()


WRK_SCRIPT = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [==[{body}]==]
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{{"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, '
    .. '"status": %d, "timeout": %d, "p50_us": %d, "p99_us": %d, "max_us": %d}}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max))
end
"""


def wrk_run(url: str, body: str, concurrency: int, seconds: int) -> dict:
    assert "]==]" not in body
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as fh:
        fh.write(WRK_SCRIPT.format(body=body))
        script = fh.name
    try:
        out = subprocess.run(["wrk", "-t1", f"-c{concurrency}", f"-d{seconds}s", "--timeout", "10s", "-s", script,
                              url], capture_output=True, text=True, timeout=seconds + 60)
    finally:
        os.unlink(script)
    line = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not line:
        raise RuntimeError(f"wrk failed: {out.stdout[-500:]} {out.stderr[-500:]}")
    r = json.loads(line[-1])
    r["rps"] = r["requests"] / (r["duration_us"] / 1e6)
    r["errors"] = r["connect"] + r["read"] + r["write"] + r["status"] + r["timeout"]
    return r


def http(cfg: Config) -> dict:
    if not shutil.which("wrk"):
        return {"missing": "not available: wrk missing (`make bench` installs Debian's wrk when run as root)"}
    text = corpus.text_of("draft", 300)
    body = json.dumps({"text": text, "mode": "draft"})
    rows = []
    with Server() as server:
        url = server.base + "/api/analyse"
        req = urllib.request.Request(url, data=body.encode(), headers={"Content-Type": "application/json"})
        for _ in range(20):  # warm
            with urllib.request.urlopen(req, timeout=30) as r:
                assert r.status == 200
        for c in cfg.http_concurrency:
            runs = [wrk_run(url, body, c, cfg.http_seconds) for _ in range(cfg.http_runs)]
            rows.append({"concurrency": c, "seconds": cfg.http_seconds * cfg.http_runs,
                         "p50_ms": med([r["p50_us"] / 1000 for r in runs]),
                         "p99_ms": med([r["p99_us"] / 1000 for r in runs]),
                         "rps": med([r["rps"] for r in runs]),
                         "requests": sum(r["requests"] for r in runs),
                         "errors": sum(r["errors"] for r in runs),
                         "non2xx": sum(r["status"] for r in runs)})
            log(f"  http c={c}: p50 {rows[-1]['p50_ms']:.1f} ms, {rows[-1]['rps']:.1f} req/s, "
                f"{rows[-1]['errors']} errors")
        memory = server.memory()
        command = " ".join(Path(a).name if i == 0 else a for i, a in enumerate(server.command))
    return {"rows": rows, "words": len(text.split()), "memory": memory, "command": command}


# ---- the report -------------------------------------------------------------------------------

def report(cfg, info, load_before, load_after, started, elapsed, lat, prof, bat, cold, web) -> str:
    L = []
    add = L.append
    add("# Performance")
    add("")
    add("Regenerated by `make bench` (`benchmarks/bench.py`"
        + (" --quick: a smoke run, too few repeats to trust" if cfg.quick else "") + "); the soak test's result "
        "is kept below, from `make soak` (`benchmarks/soak.py`). Every speed is a ratio against raw spaCy "
        "measured in the same run, and every figure is the median over repeated runs.")
    add("")
    add("## Machine")
    add("")
    add(f"- CPU: {info['cpu']}, {info['cores']} cores; memory {fmt(info['mem_gb'])} GiB; {info['os']}")
    add(f"- Python {info['python']}, spaCy {info['spacy']}, pipeline {info['model']}; node {info['node']}; "
        f"{info['wrk']}")
    add(f"- Run {started:%Y-%m-%d %H:%M} UTC, {elapsed / 60:.1f} minutes. Load average (1 min) "
        f"{load_before:.2f} before, {load_after:.2f} after: the machine is shared with other work, which "
        "inflates tails (p99) more than medians.")
    add("")

    # targets
    rows = lat["rows"]
    worst50 = max(r["analyse"]["r50"] for r in rows)
    worst99 = max(r["analyse"]["r99"] for r in rows)
    add("## Targets")
    add("")
    add("| target | measured | |")
    add("|---|---|---|")
    add(f"| analyse() at most {T_LATENCY_RATIO}x a plain full spaCy call, p50 (every size, both modes) | "
        f"worst {worst50:.2f}x | {verdict(worst50 <= T_LATENCY_RATIO)} |")
    add(f"| ... and p99 | worst {worst99:.2f}x | {verdict(worst99 <= T_LATENCY_RATIO)} |")
    add(f"| `rehearse batch` at least {T_BATCH_RATIO}x `nlp.pipe` throughput | {bat['ratio']:.2f}x | "
        f"{verdict(bat['ratio'] >= T_BATCH_RATIO)} |")
    add(f"| cold start (import + pipeline load) under {T_COLD_S:.0f} s | {cold['ours']['load']:.2f} s | "
        f"{verdict(cold['ours']['load'] < T_COLD_S)} |")
    peak = max([cold["ours"]["peak_mb"]] + [m["VmHWM"] for role in web.get("memory", {}).values() for m in role])
    add(f"| peak memory per process under {T_MEM_MB:.0f} MB | {peak:.0f} MB | {verdict(peak < T_MEM_MB)} |")
    if "rows" in web:
        errors = sum(r["errors"] for r in web["rows"])
        add(f"| HTTP: zero errors at concurrency 1, 8, 32 | {errors} errors in "
            f"{sum(r['requests'] for r in web['rows']):,} requests | {verdict(errors == 0)} |")
        c1 = next(r for r in web["rows"] if r["concurrency"] == 1)
        inproc = next(r for r in rows if r["mode"] == "draft" and r["size"] == 300)["analyse"]["p50"]
        over = c1["p50_ms"] - inproc
        add(f"| HTTP p50, 300-word draft, within {T_HTTP_OVER_MS:.0f} ms of in-process analyse() | "
            f"{c1['p50_ms']:.1f} ms vs {inproc:.1f} ms (+{over:.1f} ms) | {verdict(over <= T_HTTP_OVER_MS)} |")
    else:
        add(f"| HTTP targets | {web['missing']} | not measured |")
    add("")

    add("## Latency per text")
    add("")
    add(f"`analyse()` against a plain full call of the same pipeline (`spacy.load(\"{info['model'].split()[0]}\")`, "
        "every component including NER), on the same text, interleaved call by call; then the context-blind peers "
        f"on the same texts: {lat['proselint']} (in-process) and {lat['write_good']} (timed inside node, so "
        "process start is not counted). Milliseconds; ratio = tool / spaCy, computed within each run. "
        f"{cfg.runs} runs of {', '.join(f'{n} ({w} words)' for w, n in cfg.iterations.items())} calls.")
    add("")
    add("| mode | words | flags | spaCy p50 | p99 | analyse p50 | p99 | ratio p50 | ratio p99 |")
    add("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        a, s = r["analyse"], r["spacy"]
        add(f"| {r['mode']} | {r['words']:,} | {r['flags']} | {s['p50']:.1f} | {s['p99']:.1f} | {a['p50']:.1f} | "
            f"{a['p99']:.1f} | {a['r50']:.2f}x | {a['r99']:.2f}x |")
    add("")
    add("The texts above are the worst case: built from labelled sentences, nearly every one a candidate "
        "that needs the parse. On ordinary ~300-word texts, same method (p50, ratio within each run):")
    add("")
    add("| mode | text | words | flags | spaCy p50 | analyse p50 | ratio |")
    add("|---|---|---:|---:|---:|---:|---:|")
    for t in lat.get("typical") or []:
        if "missing" in t:
            add(f"| {t['mode']} | {t['missing']} | | | | | |")
        else:
            add(f"| {t['mode']} | {t['source']} | {t['words']:,} | {t['flags']} | {t['spacy']:.1f} | "
                f"{t['analyse']:.1f} | {t['ratio']:.2f}x |")
    add("")
    add("Peers (context-blind: word lists and regular expressions, no parse), same texts, same runs:")
    add("")
    add("| mode | words | proselint p50 | p99 | ratio p50 | write-good p50 | p99 | ratio p50 |")
    add("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        cells = []
        for name, label in (("proselint", lat["proselint"]), ("write-good", lat["write_good"])):
            if name in r:
                p = r[name]
                cells.append(f"{p['p50']:.2f} | {p['p99']:.2f} | {p['r50']:.3f}x")
            else:
                cells.append(f"{label} | | ")
        add(f"| {r['mode']} | {r['words']:,} | " + " | ".join(cells) + " |")
    add("")

    add("## Where analyse() spends its time")
    add("")
    add("The 300- and 2,000-word texts, each stage timed by wrapping the function that does it (median ms per "
        f"call over {cfg.profile_iterations} calls at 300 words, {max(3, cfg.profile_iterations // 5)} at 2,000; "
        "the wrappers add a little). *Everything else* is building the flags and the result's dicts.")
    add("")
    labels = list(prof[0]["stages"])
    add("| stage | " + " | ".join(f"{p['mode']} ({p['words']} words)" for p in prof) + " |")
    add("|---|" + "---:|" * len(prof))
    for label in labels:
        cells = []
        for p in prof:
            v, total = p["stages"][label], p["stages"]["total"]
            cells.append(f"{v:.2f}" + ("" if label == "total" else f" ({100 * v / total:.0f}%)"))
        add(f"| {label} | " + " | ".join(cells) + " |")
    add("")

    add("## Batch throughput")
    add("")
    add(f"{bat['texts']:,} short messages (1-6 sentences, {bat['words']:,} words; half drafts, half replies): "
        "`rehearse batch --mode draft` and `--mode reply` on JSON lines (the command's own code, in-process with "
        "the pipeline loaded, output serialised) against `nlp.pipe` of the full pipeline over the same texts. "
        f"Median of {cfg.batch_runs} runs.")
    add("")
    add("| | texts/s | ratio |")
    add("|---|---:|---:|")
    add(f"| nlp.pipe (full pipeline) | {bat['spacy']:.0f} | 1.00x |")
    add(f"| rehearse batch | {bat['rehearse']:.0f} | {bat['ratio']:.2f}x |")
    add("")

    add("## Cold start and memory")
    add("")
    add(f"A fresh Python process each time (median of {cfg.cold_runs}). *Import + load*: importing rehearse and "
        "building the analyser (pipeline without NER, lexicons, matchers); for spaCy, `import spacy` and "
        "`spacy.load`. *Process*: the whole child process as seen from outside, interpreter start included. "
        "*Peak*: the process's peak resident memory after analysing every latency text three times and the "
        "batch messages (spaCy: the same texts through the full pipeline).")
    add("")
    add("| | import + load (s) | first call (ms) | process (s) | RSS after load (MB) | peak after work (MB) |")
    add("|---|---:|---:|---:|---:|---:|")
    for name, label in (("spacy", "spaCy full pipeline"), ("ours", "rehearse")):
        c = cold[name]
        add(f"| {label} | {c['load']:.2f} | {ms(c['first']):.1f} | {c['wall']:.2f} | {c['rss_mb']:.0f} | "
            f"{c['peak_mb']:.0f} |")
    add("")

    add("## HTTP through gunicorn")
    add("")
    if "rows" in web:
        add(f"`{web['command']}` (the `make run` command line on a free port), `POST /api/analyse` with the "
            f"{web['words']}-word draft, driven by wrk on the same machine (`wrk -t1 -cN`, keep-alive, 10 s "
            f"timeout). {web['rows'][0]['seconds']} s per concurrency as {cfg.http_runs} runs of "
            f"{cfg.http_seconds} s; medians of the runs, errors summed. wrk is a small, widely used C load "
            "generator (a Debian package) that costs little CPU, which matters on a 2-core machine where it "
            "competes with the server. Each connection sends its next request as soon as the last is answered, "
            "so past the server's capacity (one worker) requests queue: latency grows with concurrency while "
            "requests per second stay flat.")
        add("")
        add("| concurrency | p50 (ms) | p99 (ms) | requests/s | requests | errors |")
        add("|---:|---:|---:|---:|---:|---:|")
        for r in web["rows"]:
            add(f"| {r['concurrency']} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | {r['rps']:.1f} | "
                f"{r['requests']:,} | {r['errors']} |")
        add("")
        mem = "; ".join(f"{role} " + ", ".join(f"{m['VmRSS']:.0f} MB now, {m['VmHWM']:.0f} MB peak" for m in ms_)
                        for role, ms_ in web["memory"].items())
        add(f"Server memory after the load: {mem}.")
    else:
        add(web["missing"] + ".")
    add("")
    return "\n".join(L)


def write_report(path: Path, text: str) -> None:
    soak = ""
    if path.exists():
        old = path.read_text()
        if SOAK_START in old and SOAK_END in old:
            soak = old[old.index(SOAK_START):old.index(SOAK_END) + len(SOAK_END)]
    if not soak:
        soak = f"{SOAK_START}\n## Soak\n\nNot run yet: `make soak` records it here.\n{SOAK_END}"
    path.write_text(text + "\n" + soak + "\n")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="a smoke run: few repeats, 2 s of HTTP per level")
    ap.add_argument("--out", default=str(ROOT / "docs" / "performance.md"))
    ap.add_argument("--no-http", action="store_true", help="skip the gunicorn + wrk part")
    args = ap.parse_args(argv)
    cfg = Config(args.quick)
    started = dt.datetime.now(dt.timezone.utc)
    t0 = time.perf_counter()
    load_before = os.getloadavg()[0]

    import spacy

    from rehearse import get_analyzer
    from rehearse.pipeline import model_name
    info = machine()
    log("loading the analyser and the full spaCy pipeline")
    analyzer = get_analyzer()
    full = spacy.load(model_name())  # every component, NER included: "a plain full call"
    log("1/5 latency (analyse, spaCy, proselint, write-good)")
    lat = latency(cfg, analyzer, full)
    log("2/5 where the time goes")
    prof = profile(cfg, analyzer)
    log("3/5 batch throughput")
    bat = batch(cfg, full)
    log("4/5 cold start and memory")
    cold = cold_and_memory(cfg)
    log("5/5 HTTP through gunicorn")
    web = {"missing": "skipped (--no-http)"} if args.no_http else http(cfg)
    load_after = os.getloadavg()[0]
    text = report(cfg, info, load_before, load_after, started, time.perf_counter() - t0, lat, prof, bat, cold, web)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_report(out, text)
    print(text)
    log(f"wrote {out} in {(time.perf_counter() - t0) / 60:.1f} minutes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
