import type { Attributes as ApiAttributes, TraceState } from '@opentelemetry/api';
import { createTraceState } from '@opentelemetry/api';
import type { Resource } from '@opentelemetry/resources';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { AttributeValue, Attributes } from '../model/span-record.ts';
import type { InstrumentationScope } from '@opentelemetry/core';

/**
 * The SDK's AnyValue excludes BigInt (api AnyValue.d.ts) and the official
 * serializers write a bigint as an empty value; hand them the exact decimal
 * digits instead. Returns the same object when there is nothing to convert.
 */
export function sdkAttributes(attributes: Attributes, hasBigInt: boolean): ApiAttributes {
  if (!hasBigInt) return attributes as ApiAttributes;
  const converted: Record<string, unknown> = {};
  for (const key of Object.keys(attributes)) converted[key] = withoutBigInt(attributes[key]);
  return converted;
}

function withoutBigInt(value: AttributeValue): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(withoutBigInt);
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    const converted: Record<string, unknown> = {};
    const record = value as { readonly [key: string]: AttributeValue };
    for (const key of Object.keys(record)) converted[key] = withoutBigInt(record[key]);
    return converted;
  }
  return value;
}

function containsBigInt(value: AttributeValue): boolean {
  if (typeof value === 'bigint') return true;
  if (Array.isArray(value)) return value.some(containsBigInt);
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    return Object.values(value as { readonly [key: string]: AttributeValue }).some(containsBigInt);
  }
  return false;
}

/**
 * Note: the SDK Resource keeps only primitive and primitive-array values
 * (ResourceImpl drops kvlist / bytes values with a diag warning), so such
 * resource attributes do not reach the official exporters. Our own JSON
 * encoder writes them whole.
 */
export function sdkResourceOf(resource: { readonly attributes: Attributes; readonly schemaUrl: string }): Resource {
  const attributes = sdkAttributes(resource.attributes, containsBigInt(resource.attributes));
  return resourceFromAttributes(attributes, resource.schemaUrl ? { schemaUrl: resource.schemaUrl } : undefined);
}

/** `undefined` for an empty tracestate, so the serializers omit the field. */
export function sdkTraceState(raw: string): TraceState | undefined {
  return raw === '' ? undefined : createTraceState(raw);
}

/** Scope attributes ride along: the official serializers write `scope.attributes` when present. */
export function sdkScopeOf(scope: { readonly name: string; readonly version: string; readonly attributes: Attributes; readonly droppedAttributesCount: number; readonly schemaUrl: string }): InstrumentationScope {
  const sdkScope: InstrumentationScope & { attributes?: ApiAttributes; droppedAttributesCount?: number } = {
    name: scope.name,
    version: scope.version,
  };
  if (scope.schemaUrl !== '') Object.assign(sdkScope, { schemaUrl: scope.schemaUrl });
  if (Object.keys(scope.attributes).length > 0) {
    sdkScope.attributes = sdkAttributes(scope.attributes, containsBigInt(scope.attributes));
    sdkScope.droppedAttributesCount = scope.droppedAttributesCount;
  }
  return sdkScope;
}
