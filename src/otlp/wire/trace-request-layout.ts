/**
 * Where each span of a protobuf `ExportTraceServiceRequest` lies in the request's bytes, so the
 * forwarder can send spans it received as received (trace.proto; REFERENCE.md, "OTLP protobuf").
 *
 *   ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
 *   ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
 *   ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
 *
 * Everything of a ResourceSpans or ScopeSpans but its children (resource or scope, schema URL,
 * fields unknown to us) is kept as its raw fields, the `header`; each span as its message bytes.
 * Repeated fields decode in wire order, so the n-th span here is the n-th span protobufjs decoded.
 */
export interface ScopeSpansLayout {
  readonly header: readonly Uint8Array[];
  readonly spans: readonly Uint8Array[];
}

export interface ResourceSpansLayout {
  readonly header: readonly Uint8Array[];
  readonly scopes: readonly ScopeSpansLayout[];
}

const CHILDREN_FIELD = 2;
const LENGTH_DELIMITED = 2;

class Cursor {
  readonly bytes: Uint8Array;
  pos: number;

  constructor(bytes: Uint8Array, pos: number) {
    this.bytes = bytes;
    this.pos = pos;
  }

  /** A varint that fits in 32 bits (tags, lengths); undefined when truncated or longer. */
  varint32(): number | undefined {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= this.bytes.length) return undefined;
      const byte = this.bytes[this.pos++];
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value <= 0xffffffff ? value : undefined;
    }
    return undefined;
  }

  /** Skips a field's payload; false when the wire type is one we do not walk (groups) or the bytes end. */
  skip(wireType: number, end: number): boolean {
    switch (wireType) {
      case 0:
        while (this.pos < end && this.bytes[this.pos] >= 0x80) this.pos++;
        this.pos++;
        break;
      case 1:
        this.pos += 8;
        break;
      case 2: {
        const length = this.varint32();
        if (length === undefined) return false;
        this.pos += length;
        break;
      }
      case 5:
        this.pos += 4;
        break;
      default:
        return false;
    }
    return this.pos <= end;
  }
}

/**
 * Walks the fields of the message in `[start, end)`: children (field 2, length-delimited) go to
 * `child` as [start, end) of their payload, every other field whole into `header`.
 */
function walk(cursor: Cursor, end: number, header: Uint8Array[], child: (start: number, end: number) => boolean): boolean {
  const bytes = cursor.bytes;
  while (cursor.pos < end) {
    const fieldStart = cursor.pos;
    const tag = cursor.varint32();
    if (tag === undefined) return false;
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (field === CHILDREN_FIELD && wireType === LENGTH_DELIMITED) {
      const length = cursor.varint32();
      if (length === undefined || cursor.pos + length > end) return false;
      const childStart = cursor.pos;
      cursor.pos += length;
      if (!child(childStart, cursor.pos)) return false;
      continue;
    }
    if (!cursor.skip(wireType, end)) return false;
    header.push(bytes.subarray(fieldStart, cursor.pos));
  }
  return cursor.pos === end;
}

/** The layout, or undefined when the bytes are not walkable (the caller then re-encodes). */
export function traceRequestLayout(body: Uint8Array): ResourceSpansLayout[] | undefined {
  const cursor = new Cursor(body, 0);
  const resources: ResourceSpansLayout[] = [];
  while (cursor.pos < body.length) {
    const tag = cursor.varint32();
    if (tag === undefined) return undefined;
    if (tag !== ((1 << 3) | LENGTH_DELIMITED)) {
      // A request-level field we do not know: skipped, as a re-batching forwarder must.
      if (!cursor.skip(tag & 7, body.length)) return undefined;
      continue;
    }
    const length = cursor.varint32();
    if (length === undefined || cursor.pos + length > body.length) return undefined;
    const end = cursor.pos + length;
    const header: Uint8Array[] = [];
    const scopes: ScopeSpansLayout[] = [];
    const ok = walk(cursor, end, header, (scopeStart, scopeEnd) => {
      const scopeHeader: Uint8Array[] = [];
      const spans: Uint8Array[] = [];
      const inner = new Cursor(body, scopeStart);
      const walked = walk(inner, scopeEnd, scopeHeader, (spanStart, spanEnd) => {
        spans.push(body.subarray(spanStart, spanEnd));
        return true;
      });
      scopes.push({ header: scopeHeader, spans });
      return walked;
    });
    if (!ok) return undefined;
    resources.push({ header, scopes });
  }
  return resources;
}
