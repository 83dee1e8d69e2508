// The official `openai` npm client (code nobody here wrote) against `specsim serve`: streamed and
// whole answers, usage reported. Run by CTest with SPECSIM_BINARY set; the server it starts listens
// on 127.0.0.1 with a free port and is stopped at the end; files go to a temp dir removed after.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import OpenAI from "openai";

const dir = mkdtempSync(join(tmpdir(), "specsim-npm-"));
const trace = join(dir, "t.jsonl");
writeFileSync(trace, JSON.stringify({
  task_id: "t1", task: "deblur",
  steps: [{ target: { action: "Image Deblurring", calls: [{ latency_s: 0.5, input_tokens: 100, output_tokens: 10 }] },
            approx: { action: "Image Deblurring", calls: [{ latency_s: 0.2, input_tokens: 50, output_tokens: 5 }] } }],
}) + "\n");

const server = spawn(process.env.SPECSIM_BINARY, ["serve", trace, "--port", "0", "--time-scale", "0.05"], { stdio: ["ignore", "pipe", "inherit"] });
const killer = setTimeout(() => { server.kill(); console.error("timeout"); process.exit(1); }, 20000);
try {
  const port = await new Promise((resolve, reject) => {
    let out = "";
    server.stdout.on("data", (d) => {
      out += d;
      const m = out.match(/listening on 127\.0\.0\.1:(\d+)/);
      if (m) resolve(m[1]);
    });
    server.on("exit", (code) => reject(new Error(`specsim serve exited with ${code}`)));
  });
  const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: "unused", maxRetries: 0 });
  const messages = [{ role: "user", content: "task: t1\nsteps:\n" }];

  const models = await client.models.list();
  assert.deepEqual(models.data.map((m) => m.id), ["target", "approx"]);

  const whole = await client.chat.completions.create({ model: "target", messages });
  assert.equal(whole.choices[0].message.content, "Image Deblurring");
  assert.equal(whole.choices[0].finish_reason, "stop");
  assert.deepEqual(whole.usage, { prompt_tokens: 100, completion_tokens: 10, total_tokens: 110 });

  const stream = await client.chat.completions.create({ model: "approx", messages, stream: true, stream_options: { include_usage: true } });
  let text = "", usage = null, chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    if (chunk.choices.length > 0) text += chunk.choices[0].delta?.content ?? "";
    if (chunk.usage) usage = chunk.usage;
  }
  assert.equal(text, "Image Deblurring");
  assert.equal(chunks, 5);  // the role chunk, two content pieces, the finish chunk, the usage chunk
  assert.deepEqual(usage, { prompt_tokens: 50, completion_tokens: 5, total_tokens: 55 });

  await assert.rejects(client.chat.completions.create({ model: "nope", messages }), (e) => e.status === 400);
  console.log("openai npm client against specsim serve: ok (models, whole, streamed with usage, 400)");
} finally {
  clearTimeout(killer);
  server.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
}
