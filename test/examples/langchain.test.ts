import { expect, it } from 'vitest';
import { runExample } from '../support/run-example.ts';

it('examples/langchain runs offline: OpenInference spans joined by session_id, the repeated price passes, the invented one fails', async () => {
  const result = await runExample('examples/langchain/agent.ts');
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toContain('ChatOpenAI [session example-langchain-1]: commitment.price pass');
  // €42.00 in turn 2 is grounded only by turn 1's tool result: the session id joined the turns.
  expect(result.stdout).toContain('ChatOpenAI [session example-langchain-1]: commitment.price fail — ungrounded price "€95.00" in');
  expect(result.stdout).not.toContain('ungrounded price "€42.00"');
  expect(result.stdout).toContain('replies checked: 2');
});
