// Times write-good on the benchmark texts inside node (process start not counted).
// stdin: {"module": path, "runs": R, "texts": [{"key", "text", "iterations"}]}
// stdout: {key: [[p50_ms, p99_ms] per run]}
"use strict";
const fs = require("fs");
const job = JSON.parse(fs.readFileSync(0, "utf8"));
const writeGood = require(job.module);

function pct(values, q) {  // nearest rank, as in bench.py
  const v = [...values].sort((a, b) => a - b);
  const k = Math.max(0, Math.min(v.length - 1, Math.ceil((q * v.length) / 100) - 1));
  return v[k];
}

const out = {};
for (const { key, text, iterations } of job.texts) {
  writeGood(text);  // warm
  out[key] = [];
  for (let r = 0; r < job.runs; r++) {
    const times = [];
    for (let i = 0; i < iterations; i++) {
      const t = process.hrtime.bigint();
      writeGood(text);
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    out[key].push([pct(times, 50), pct(times, 99)]);
  }
}
process.stdout.write(JSON.stringify(out));
