// `specsim live` against an independent OpenAI-compatible mock server from the npm registry
// (@dwmkerr/mock-llm, lockfile-pinned, code nobody here wrote). Run by CTest with SPECSIM_BINARY
// set; the mock listens on 127.0.0.1 with a free port and is stopped at the end; every file goes to
// a temp dir removed after.
//
// The mock answers from rules on the request: "look up" with no step committed, TERMINATE once the
// prompt lists step 1, with a usage per model. Its streams carry no usage, so a streamed run must
// parse them to [DONE] and then fail every episode for the missing usage alone; a run with
// `stream: false` must commit the plan [look up, TERMINATE] and bill exactly the mock's usage.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";

const here = dirname(fileURLToPath(import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "specsim-mock-llm-"));

// [model, prompt lists step 1?] -> [answer, prompt tokens, completion tokens]
const answers = {
  "approx,false": ["look up", 60, 3], "approx,true": ["TERMINATE", 70, 1],
  "target,false": ["look up", 120, 4], "target,true": ["TERMINATE", 130, 2],
};
const rule = (model, stepped) => {
  const [content, prompt, completion] = answers[`${model},${stepped}`];
  const listed = `contains(body.messages[-1].content, '1. ')`;
  return `  - path: "/v1/chat/completions"
    method: POST
    match: "body.model == '${model}' && ${stepped ? listed : `!${listed}`}"
    response:
      status: 200
      content: '{"id": "chatcmpl-mock", "object": "chat.completion", "created": 0, "model": "${model}",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "${content}"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": ${prompt}, "completion_tokens": ${completion}, "total_tokens": ${prompt + completion}}}'
`;
};
writeFileSync(join(dir, "mock-llm.yaml"), `streaming: {chunkSize: 3, chunkIntervalMs: 1}
rules:
${rule("approx", false)}${rule("approx", true)}${rule("target", false)}${rule("target", true)}`);

const freePort = () => new Promise((resolve, reject) => {
  const s = createServer();
  s.on("error", reject);
  s.listen(0, "127.0.0.1", () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});

const scenario = (url, stream) => `name: mock-llm
seed: 1
episodes: 2
max_steps: 5
agents:
  approx:
    model: gpt-4o-mini
    endpoint: {base_url: "${url}", model: approx, stream: ${stream}}
  target:
    model: gpt-4o
    endpoint: {base_url: "${url}", model: target, stream: ${stream}}
workload:
  kind: synthetic
  steps: {kind: uniform, min: 2, max: 2}
  match: {kind: iid, p: 1}
policies:
  - {kind: fixed_k, k: 3}
  - sequential
live:
  tasks: tasks.jsonl
`;
writeFileSync(join(dir, "tasks.jsonl"), '{"id": "a", "task": "first"}\n{"id": "b", "task": "second"}\n');

const mockMain = join(here, "node_modules", "@dwmkerr", "mock-llm", "dist", "main.js");
const port = await freePort();
const mock = spawn(process.execPath, [mockMain, "--config", join(dir, "mock-llm.yaml")],
                   { cwd: dir, env: { ...process.env, HOST: "127.0.0.1", PORT: String(port) }, stdio: ["ignore", "pipe", "inherit"] });
const killer = setTimeout(() => { mock.kill(); console.error("timeout"); process.exit(1); }, 50000);
try {
  await new Promise((resolve, reject) => {
    let out = "";
    mock.stdout.on("data", (d) => {
      out += d;
      if (out.includes(`running on 127.0.0.1:${port}`)) resolve();
    });
    mock.on("exit", (code) => reject(new Error(`mock-llm exited with ${code}: ${out}`)));
  });
  const url = `http://127.0.0.1:${port}/v1`;
  const live = (name, stream, extra = []) => {
    writeFileSync(join(dir, name), scenario(url, stream));
    const r = spawnSync(process.env.SPECSIM_BINARY, ["live", join(dir, name), ...extra], { encoding: "utf8", timeout: 40000 });
    return { code: r.status, out: r.stdout + r.stderr };
  };

  // Whole answers: plans, actions and tokens are the mock's.
  const trace = join(dir, "recorded.jsonl"), summary = join(dir, "summary.json");
  const whole = live("whole.yaml", false, ["--trace", trace, "--json", summary]);
  assert.equal(whole.code, 0, whole.out);
  assert.doesNotMatch(whole.out, /failed episodes/, whole.out);
  const tasks = readFileSync(trace, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(tasks.map((t) => t.task_id), ["a", "b"]);
  let billed = 0;
  for (const t of tasks) {
    assert.deepEqual(t.steps.map((s) => s.target.action), ["look up", "TERMINATE"]);
    for (const c of t.source.calls) {
      if (c.status !== "finished") continue;
      const [content, prompt, completion] = answers[`${c.agent},${c.conditioning.length > 0}`];
      assert.equal(c.response, content);
      assert.equal(c.action, content);
      assert.deepEqual([c.input_tokens, c.output_tokens], [prompt, completion]);
      billed++;
    }
  }
  assert.ok(billed >= 8, `finished calls: ${billed}`);  // T and A for both steps of both tasks
  // Dollars per episode from the mock's usage and the catalogue's prices ($ per million tokens):
  // T 2.50 in / 10.00 out (gpt-4o), A 0.15 / 0.60 (gpt-4o-mini).
  const cost = Object.fromEntries(JSON.parse(readFileSync(summary, "utf8")).policies.map((p) => [p.label, p.cost_usd]));
  const target = ((120 + 130) * 2.5 + (4 + 2) * 10) / 1e6, approx = ((60 + 70) * 0.15 + (3 + 1) * 0.6) / 1e6;
  assert.ok(Math.abs(cost.sequential - target) < 1e-12, `sequential: ${cost.sequential}`);
  assert.ok(Math.abs(cost["fixed_k(k=3)"] - target - approx) < 1e-12, `fixed_k: ${cost["fixed_k(k=3)"]}`);

  // Streams: parsed to the end (any SSE or chunk error would be named), failing for usage alone.
  const streamed = live("streamed.yaml", true, ["--concurrency", "1"]);
  assert.match(streamed.out, /failed episodes/, streamed.out);
  assert.match(streamed.out, /reported no usage/, streamed.out);
  assert.doesNotMatch(streamed.out, /stream chunk|\[DONE\]|no event|bad answer/, streamed.out);
  console.log(`specsim live against @dwmkerr/mock-llm: ok (plans, actions and ${billed} calls' usage; streams parsed, no usage reported)`);
} finally {
  clearTimeout(killer);
  mock.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}
