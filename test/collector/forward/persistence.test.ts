import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { beforeEach, describe, expect, it } from 'vitest';
import { OtlpForwarder } from '../../../src/collector/forward/forwarder.ts';
import { PersistentQueueError } from '../../../src/collector/forward/persistent-queue.ts';
import { eventually, makeSpans, spanIds, testConfig, useForwarderTestbed } from './capture-server.ts';

const bed = useForwarderTestbed();
let queueFile: string;

beforeEach(() => {
  queueFile = join(bed.dir, 'state', 'forward.db');
});

function start(overrides: Parameters<typeof testConfig>[1] = {}): OtlpForwarder {
  const forwarder = new OtlpForwarder(testConfig(bed.upstream.tracesUrl, { ...overrides, queue: { persistPath: queueFile, ...overrides.queue } }));
  bed.forwarders.push(forwarder);
  return forwarder;
}

function rowsOnDisk(): number {
  const db = new DatabaseSync(queueFile, { readOnly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM forward_batches').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('persistent queue', () => {
  it('keeps what the upstream did not take across a restart and delivers it exactly once', async () => {
    await bed.upstream.down();
    const first = start({ batch: { maxSpans: 7 } });
    const spans = makeSpans(30);
    expect(first.enqueue(spans.slice(0, 12))).toBe(true);
    expect(first.enqueue(spans.slice(12))).toBe(true);
    await eventually(() => first.stats().retried >= 2, 'failed attempts while down');
    await first.shutdown(200);
    bed.forwarders.splice(bed.forwarders.indexOf(first), 1);
    // Persisted batches are not lost at the deadline, so not counted as dropped.
    expect(first.stats().dropped.shutdown_deadline).toBe(0);
    expect(rowsOnDisk()).toBe(5); // 30 spans in batches of 7

    await bed.upstream.up();
    const second = start();
    expect(second.stats().queuedSpans).toBe(30);
    await second.forceFlush(10_000);
    await second.shutdown(1000);
    bed.forwarders.splice(bed.forwarders.indexOf(second), 1);
    expect(bed.upstream.spans.map((span) => span.spanId).sort()).toEqual(spanIds(spans).sort());
    expect(second.stats().forwardedSpans).toBe(30);
    expect(rowsOnDisk()).toBe(0);

    // A third start finds nothing left to send: no duplicates after the deletes.
    const third = start();
    expect(third.stats().queuedSpans).toBe(0);
    await third.forceFlush(1000);
    expect(bed.upstream.spans).toHaveLength(30);
  });

  it('sends batches left by an earlier run before newer ones', async () => {
    await bed.upstream.down();
    const first = start({ batch: { maxSpans: 100 } });
    first.enqueue(makeSpans(3, 'old'));
    await first.shutdown(100);
    bed.forwarders.splice(0);

    await bed.upstream.up();
    const second = start({ batch: { maxSpans: 100, maxInFlight: 1 } });
    second.enqueue(makeSpans(2, 'new'));
    await second.forceFlush(10_000);
    expect(bed.upstream.spans.map((span) => span.name)).toEqual(['old-0', 'old-1', 'old-2', 'new-0', 'new-1']);
  });

  it('refuses a queue file another forwarder holds, naming the file', async () => {
    start();
    expect(() => start()).toThrow(PersistentQueueError);
    expect(() => start()).toThrow(/forward queue file ".*forward\.db": is locked by another process/);
  });

  it('refuses a corrupt queue file with a clear error instead of starting empty', async () => {
    await start().shutdown();
    bed.forwarders.splice(0);
    writeFileSync(queueFile, Buffer.alloc(8192, 'not sqlite at all'));
    expect(() => start()).toThrow(/forward queue file ".*forward\.db": is not a valid SQLite database or is corrupt \(file is not a database\); move it aside/);
  });

  it("refuses another application's SQLite database", () => {
    const db = new DatabaseSync(join(bed.dir, 'other.db'));
    db.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY)');
    db.close();
    queueFile = join(bed.dir, 'other.db');
    expect(() => start()).toThrow(/is an SQLite database of something else \(tables: invoices\)/);
  });
});
