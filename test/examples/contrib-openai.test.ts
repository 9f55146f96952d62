import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../../', import.meta.url));

it('examples/contrib-openai runs offline: the invented price fails from the log records, the records are exported unchanged', async () => {
  const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['examples/contrib-openai/agent.ts'], { cwd: REPO, env: { PATH: process.env.PATH ?? '' }, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toContain('chat stand-in (chatcmpl-reply): commitment.price fail — ungrounded price "$99.00"');
  expect(result.stdout).not.toContain('$129.00"');
  expect(result.stdout).toContain('6 content log records exported unchanged; content taken by tracejudge: 6');
});
