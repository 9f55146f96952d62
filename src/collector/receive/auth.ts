import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** What a sender must present: a bearer token, and/or fixed header values (e.g. an API key header). */
export interface ReceiverAuth {
  readonly bearerToken?: string;
  /** Header name → required value; names are case-insensitive. */
  readonly headers?: Readonly<Record<string, string>>;
}

// Digests have one length whatever the input, so timingSafeEqual never sees
// unequal lengths and the comparison time says nothing about the secret.
function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

function matches(presented: string | string[] | undefined, expected: Buffer): boolean {
  if (typeof presented !== 'string') return false;
  return timingSafeEqual(digest(presented), expected);
}

/** Checks requests against {@link ReceiverAuth}; without any requirement every request passes. */
export class RequestAuthenticator {
  readonly #required: readonly { readonly header: string; readonly expected: Buffer; readonly label: string }[];

  constructor(auth: ReceiverAuth = {}) {
    const required: { header: string; expected: Buffer; label: string }[] = [];
    if (auth.bearerToken !== undefined) {
      required.push({ header: 'authorization', expected: digest(`Bearer ${auth.bearerToken}`), label: 'Authorization: Bearer <token>' });
    }
    for (const [name, value] of Object.entries(auth.headers ?? {})) {
      required.push({ header: name.toLowerCase(), expected: digest(value), label: `${name} header` });
    }
    this.#required = required;
  }

  get enabled(): boolean {
    return this.#required.length > 0;
  }

  /** `undefined` when allowed, else why not (naming the header, never the expected value). */
  check(headers: IncomingHttpHeaders): string | undefined {
    // Every requirement is compared, even after a mismatch: no early exit to time.
    let failure: string | undefined;
    for (const { header, expected, label } of this.#required) {
      const raw = headers[header];
      // RFC 9110 §11.1: the auth scheme name is case-insensitive.
      const presented = header === 'authorization' && typeof raw === 'string' ? raw.replace(/^bearer /i, 'Bearer ') : raw;
      if (!matches(presented, expected)) {
        failure ??= presented === undefined ? `missing ${label}` : `invalid ${label}`;
      }
    }
    return failure;
  }
}
