// A second process writing to the same store file: node writer-process.ts PATH PREFIX COUNT
import { recordConversations, TracejudgeStore } from '../../../src/store/index.ts';

const [path, prefix, count] = process.argv.slice(2) as [string, string, string];
const store = TracejudgeStore.open(path, { busyTimeoutMs: 20_000 });
for (let index = 0; index < Number(count); index++) {
  recordConversations(store, [{
    conversationId: `${prefix}-${index}`, traceId: `${prefix}-trace-${index}`, spanId: `${prefix}-span-${index}`, recordedAt: Date.now(),
    userMessages: ['hello'], transcript: [], scores: [{ name: 'tone', score: 0.5, source: 'judge' }],
  }], Date.now());
}
store.close();
process.stdout.write('done\n');
