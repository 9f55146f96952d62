import { expect, it } from 'vitest';
import { runExample } from '../support/run-example.ts';

it('examples/contrib-openai runs offline: the invented price fails from the log records, the records are exported unchanged', async () => {
  const result = await runExample('examples/contrib-openai/agent.ts');
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toContain('chat stand-in (chatcmpl-reply): commitment.price fail — ungrounded price "$99.00"');
  expect(result.stdout).not.toContain('$129.00"');
  expect(result.stdout).toContain('6 content log records exported unchanged; content taken by tracejudge: 6');
});
