import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

it('examples/langchain runs offline: OpenInference spans joined by session_id, the repeated price passes, the invented one fails', async () => {
  const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['examples/langchain/agent.ts'], { cwd: REPO, env: { PATH: process.env.PATH ?? '' }, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toContain('ChatOpenAI [session example-langchain-1]: commitment.price pass');
  // €42.00 in turn 2 is grounded only by turn 1's tool result: the session id joined the turns.
  expect(result.stdout).toContain('ChatOpenAI [session example-langchain-1]: commitment.price fail — ungrounded price "€95.00" in');
  expect(result.stdout).not.toContain('ungrounded price "€42.00"');
  expect(result.stdout).toContain('replies checked: 2');
});
