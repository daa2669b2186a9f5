"""Soak test: 20,000 mixed valid and invalid requests through gunicorn (started as `make run` does).

    make soak                         # runs this and records the result in docs/performance.md
    .venv/bin/python benchmarks/soak.py [--requests N] [--concurrency C] [--out FILE]

The mix (fixed seed): valid drafts and replies of every size, huge Unicode within the limit (emoji,
CJK, RTL, combining marks), over-long texts, bodies over the request limit, wrong types, unknown and
missing fields, bad JSON, binary bodies, NUL and control characters, the wrong content type, and
plain page requests (including form posts without a CSRF token). Passes when no response is a 5xx,
no connection fails, every request gets the status its kind expects, and the worker's memory is flat:
its RSS over the last tenth of the run within 25 MB of the RSS after the first tenth.
Traffic goes only to 127.0.0.1; the run is bounded by the request count and a time limit.
"""
from __future__ import annotations

import argparse
import http.client
import json
import random
import statistics
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench  # noqa: E402
import texts as corpus  # noqa: E402

from rehearse import MAX_CHARS  # noqa: E402

FLAT_MB = 25.0          # allowed RSS growth from the first tenth to the last tenth of the run
TIME_LIMIT_S = 900      # stop sending after this long, whatever the count
JSON = "application/json"
CONTROLS = ["\x00", "\x01", "\x1b", "\x7f", "\x85"]
ODD_SCRIPTS = ["👩‍⚕️", "🙂", "❤️", "中文药物治疗", "مرحبا بالطبيب", "שלום", "é", "n\u0303\u0323", "Z\u0351\u0352",
               "\u202eabc\u202c", "\u200b", "\u00a0", "ß", "İ", "…", "“”", "Ⅻ", "\u3000", "ﬁ"]


def _unicode_text(rng: random.Random, chars: int) -> str:
    out, n = [], 0
    while n < chars:
        piece = rng.choice(ODD_SCRIPTS + [" ", " ", ". ", "\n"] + [chr(rng.randint(0x20, 0x2FFF))])
        if 0xD800 <= ord(piece[0]) <= 0xDFFF or (len(piece) == 1 and not piece.isprintable() and piece not in " \n"):
            continue
        out.append(piece)
        n += len(piece)
    return "".join(out)[:chars]


def build_mix(n: int, seed: int = 7) -> list[dict]:
    """Request specs: method, path, content type, body bytes, kind and the statuses that kind expects."""
    rng = random.Random(seed)
    messages = {m: corpus.messages(m, 400, seed=seed) for m in bench.MODES}
    sized = {(m, w): corpus.text_of(m, w, offset=rng.randint(0, 300)) for m in bench.MODES for w in corpus.SIZES}
    too_long = "word " * (MAX_CHARS // 5 + 10)
    huge = [_unicode_text(rng, MAX_CHARS - rng.randint(0, 2000)) for _ in range(6)]

    def api(kind, body, ok=(400,), ctype=JSON):
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=rng.random() < 0.5).encode()
        return {"method": "POST", "path": "/api/analyse", "ctype": ctype, "body": data, "kind": kind, "ok": ok}

    kinds = [  # (weight, factory)
        (40, lambda: api("valid: short message", {"text": rng.choice(messages[m := rng.choice(bench.MODES)]),
                                                  "mode": m}, (200,))),
        (3, lambda: api("valid: 300 words", {"text": sized[(m := rng.choice(bench.MODES), 300)], "mode": m}, (200,))),
        (0.4, lambda: api("valid: 2,000 words", {"text": sized[(m := rng.choice(bench.MODES), 2000)], "mode": m},
                          (200,))),
        (0.5, lambda: api("huge Unicode (up to 20,000 characters)",
                          {"text": rng.choice(huge), "mode": rng.choice(bench.MODES)}, (200,))),
        (3, lambda: api("over-long text (413)", {"text": too_long, "mode": "draft"}, (413,))),
        (1, lambda: api("body over the request limit (413)", b'{"text": "' + b"x" * 300_000 + b'", "mode": "draft"}',
                        (413,))),
        (6, lambda: api("wrong type", {"text": rng.choice([42, None, ["a"], {"t": 1}, True, 1.5]),
                                       "mode": "draft"})),
        (4, lambda: api("unknown mode", {"text": "Hello.", "mode": rng.choice(["letter", "", 3, None, "DRAFT"])})),
        (4, lambda: api("missing or unknown field", rng.choice([{"text": "Hi."}, {"mode": "draft"}, {},
                                                                {"text": "Hi.", "mode": "draft", "x": 1}]))),
        (6, lambda: api("bad JSON", rng.choice([b"{not json", b'{"text": "unterminated', b"", b"[" * 5000,
                                                b'{"text": "a", "mode": "draft",}', b"\xef\xbb\xbf{}", b"nul\x00"]))),
        (4, lambda: api("binary body", bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 4000))))),
        (3, lambda: api("NUL or control character", {"text": "Hello" + rng.choice(CONTROLS) + ".", "mode": "draft"})),
        (3, lambda: api("blank text", {"text": rng.choice(["", "   ", "\n\n\t"]), "mode": "reply"})),
        (3, lambda: api("not JSON (415)", b"text=hello&mode=draft", (415,), "application/x-www-form-urlencoded")),
        (2, lambda: api("binary, octet-stream (415)", bytes(rng.getrandbits(8) for _ in range(512)), (415,),
                        "application/octet-stream")),
        (8, lambda: {"method": "GET", "path": rng.choice(["/", "/draft", "/reply", "/about", "/healthz",
                                                          "/api/openapi.json", "/static/css/rehearse.css"]),
                     "ctype": None, "body": None, "kind": "page", "ok": (200,)}),
        (3, lambda: {"method": "GET", "path": rng.choice(["/nope", "/api/nope", "/static/../../etc/passwd"]),
                     "ctype": None, "body": None, "kind": "missing page (404)", "ok": (404,)}),
        (3, lambda: {"method": "POST", "path": rng.choice(["/draft", "/reply"]),
                     "ctype": "application/x-www-form-urlencoded", "body": b"text=You+can+just+stop.",
                     "kind": "form post without CSRF token", "ok": (400,)}),
        (2, lambda: {"method": rng.choice(["PUT", "DELETE", "PATCH"]), "path": "/api/analyse", "ctype": JSON,
                     "body": b"{}", "kind": "wrong method (405)", "ok": (405,)}),
    ]
    weights = [w for w, _ in kinds]
    return [rng.choices(kinds, weights)[0][1]() for _ in range(n)]


class Client(threading.Thread):
    def __init__(self, port, jobs, lock, results):
        super().__init__(daemon=True)
        self.port, self.jobs, self.lock, self.results = port, jobs, lock, results
        self.conn = None

    def run(self):
        while True:
            with self.lock:
                if not self.jobs or time.monotonic() > self.results["deadline"]:
                    return
                spec = self.jobs.pop()
            status, err = self.send(spec)
            with self.lock:
                self.results["done"] += 1
                self.results["by_kind"][spec["kind"]][status if err is None else f"error: {err}"] += 1
                if err is None and status not in spec["ok"]:
                    self.results["unexpected"][(spec["kind"], status)] += 1

    def send(self, spec):
        for attempt in (1, 2):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                headers = {"Content-Type": spec["ctype"]} if spec["ctype"] else {}
                self.conn.request(spec["method"], spec["path"], body=spec["body"], headers=headers)
                response = self.conn.getresponse()
                response.read()
                if response.will_close:
                    self.conn.close()
                    self.conn = None
                return response.status, None
            except (ConnectionError, http.client.HTTPException, OSError) as exc:
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                # a kept-alive connection the server had closed between requests: retry once, fresh
                if attempt == 2 or not isinstance(exc, (http.client.RemoteDisconnected, BrokenPipeError,
                                                        ConnectionResetError)):
                    return None, type(exc).__name__
        return None, "unreachable"


def soak(n: int, concurrency: int) -> dict:
    mix = build_mix(n)
    mix.reverse()  # popped from the end: keep the generated order
    lock = threading.Lock()
    results = {"done": 0, "by_kind": defaultdict(Counter), "unexpected": Counter(),
               "deadline": time.monotonic() + TIME_LIMIT_S}
    samples = []  # (requests done, worker RSS MB, seconds)
    with bench.Server() as server:
        workers = server.workers()
        if len(workers) != 1:
            raise RuntimeError(f"expected one gunicorn worker, found {workers}")
        worker = workers[0]

        def rss():
            status = Path(f"/proc/{worker}/status").read_text()
            return int(next(ln for ln in status.splitlines() if ln.startswith("VmRSS")).split()[1]) / 1024

        start_rss = rss()
        stop = threading.Event()
        t0 = time.monotonic()

        def sampler():
            while not stop.is_set():
                samples.append((results["done"], rss(), time.monotonic() - t0))
                stop.wait(0.5)

        s = threading.Thread(target=sampler, daemon=True)
        s.start()
        clients = [Client(server.port, mix, lock, results) for _ in range(concurrency)]
        for c in clients:
            c.start()
        for c in clients:
            c.join()
        elapsed = time.monotonic() - t0
        stop.set()
        s.join()
        samples.append((results["done"], rss(), elapsed))
        alive = server.proc.poll() is None and server.workers() == [worker]
        memory = server.memory()
    return {"requests": n, "done": results["done"], "concurrency": concurrency, "elapsed": elapsed,
            "by_kind": results["by_kind"], "unexpected": results["unexpected"], "samples": samples,
            "start_rss": start_rss, "alive": alive, "memory": memory, "command": " ".join(
                Path(a).name if i == 0 else a for i, a in enumerate(server.command))}


def summarise(r: dict) -> tuple[str, bool]:
    statuses = Counter()
    for counts in r["by_kind"].values():
        statuses.update(counts)
    server_errors = sum(v for k, v in statuses.items() if isinstance(k, int) and k >= 500)
    transport = sum(v for k, v in statuses.items() if isinstance(k, str))
    unexpected = sum(r["unexpected"].values())
    n = r["done"]
    samples = r["samples"]
    tenth = max(1, n // 10)
    first = [m for d, m, _ in samples if tenth <= d <= 2 * tenth] or [samples[0][1]]
    last = [m for d, m, _ in samples if d >= n - tenth] or [samples[-1][1]]
    base, end = statistics.median(first), statistics.median(last)
    growth = end - base
    flat = growth <= FLAT_MB
    ok = (server_errors == 0 and transport == 0 and unexpected == 0 and r["done"] == r["requests"]
          and flat and r["alive"])
    L = [bench.SOAK_START, "## Soak", ""]
    L.append(f"`make soak` (`benchmarks/soak.py`), run {time.strftime('%Y-%m-%d %H:%M', time.gmtime())} UTC on the "
             f"machine above: **{'passed' if ok else 'FAILED'}**. {r['done']:,} of {r['requests']:,} requests "
             f"in {r['elapsed']:.0f} s from {r['concurrency']} keep-alive clients to `{r['command']}` "
             "(the `make run` command line on a free port).")
    L.append("")
    L.append(f"- 5xx responses: **{server_errors}**; failed connections: {transport}; responses other than the "
             f"status their kind expects: {unexpected}; server still up with the same worker: "
             f"{'yes' if r['alive'] else 'NO'}.")
    L.append(f"- Worker memory (RSS): {r['start_rss']:.0f} MB before the first request, {base:.0f} MB after the "
             f"first tenth, {end:.0f} MB over the last tenth: growth {growth:+.1f} MB "
             f"({'flat' if flat else 'NOT flat'}: the bar is {FLAT_MB:.0f} MB); peak "
             + ", ".join(f"{role} {m['VmHWM']:.0f} MB" for role, ms in r["memory"].items() for m in ms) + ".")
    L.append("")
    L.append("Worker RSS in each tenth of the run (sampled every 0.5 s):")
    L.append("")
    L.append("| requests | seconds | median RSS (MB) | max RSS (MB) |")
    L.append("|---|---:|---:|---:|")
    for q in range(10):
        lo, hi = q * n / 10, (q + 1) * n / 10
        window = [(d, m, t) for d, m, t in samples if lo <= d <= hi] or [min(samples, key=lambda x: abs(x[0] - hi))]
        L.append(f"| {int(lo):,}-{int(hi):,} | {window[-1][2]:.0f} | {statistics.median(m for _, m, _ in window):.0f} | "
                 f"{max(m for _, m, _ in window):.0f} |")
    L.append("")
    L.append("| kind | requests | statuses |")
    L.append("|---|---:|---|")
    for kind, counts in sorted(r["by_kind"].items(), key=lambda kv: -sum(kv[1].values())):
        L.append(f"| {kind} | {sum(counts.values()):,} | "
                 + ", ".join(f"{k}: {v:,}" for k, v in sorted(counts.items(), key=lambda kv: str(kv[0]))) + " |")
    if r["unexpected"]:
        L.append("")
        L.append("Unexpected: " + ", ".join(f"{k} -> {s}: {v}" for (k, s), v in r["unexpected"].items()) + ".")
    L.append(bench.SOAK_END)
    return "\n".join(L), ok


def record(path: Path, section: str) -> None:
    old = path.read_text() if path.exists() else "# Performance\n\nRun `make bench` for the benchmarks.\n"
    if bench.SOAK_START in old and bench.SOAK_END in old:
        old = old[:old.index(bench.SOAK_START)] + old[old.index(bench.SOAK_END) + len(bench.SOAK_END):]
    path.write_text(old.rstrip("\n") + "\n\n" + section + "\n")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=20_000)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--out", default=str(bench.ROOT / "docs" / "performance.md"))
    args = ap.parse_args(argv)
    r = soak(args.requests, args.concurrency)
    section, ok = summarise(r)
    record(Path(args.out), section)
    print(section)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
