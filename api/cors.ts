/**
 * CORS for browser clients (Fetch standard §3.2): allowed origins are configured; `*` allows any.
 * Simple responses get `Access-Control-Allow-Origin` and the exposed headers; `OPTIONS` preflights
 * get a 204 with the route's methods.
 */

/** Response headers a page script may read. */
export const EXPOSED_HEADERS = ['ETag', 'Last-Modified', 'Last-Updated', 'X-Granularity', 'X-Snapshot-Source', 'Location'];

/** Request headers a preflight may ask for. */
export const ALLOWED_REQUEST_HEADERS = ['Content-Type', 'If-None-Match', 'Last-Event-ID', 'Cache-Control'];

/** How long a browser may cache a preflight, in seconds. */
export const PREFLIGHT_MAX_AGE_S = 600;

/** Add CORS headers for `origin` (the request's `Origin`, or null) to `headers`, in place. */
export function addCorsHeaders(headers: Headers, origin: string | null, origins: readonly string[]): void {
  if (origins.includes('*')) {
    headers.set('Access-Control-Allow-Origin', '*');
  } else {
    headers.append('Vary', 'Origin');
    if (origin === null || !origins.includes(origin)) return;
    headers.set('Access-Control-Allow-Origin', origin);
  }
  headers.set('Access-Control-Expose-Headers', EXPOSED_HEADERS.join(', '));
}

/** The 204 answer to an `OPTIONS` preflight for a route that allows `methods`. */
export function preflightResponse(methods: readonly string[]): Response {
  return new Response(null, {
    status: 204,
    headers: {
      Allow: [...methods, 'OPTIONS'].join(', '),
      'Access-Control-Allow-Methods': [...methods, 'OPTIONS'].join(', '),
      'Access-Control-Allow-Headers': ALLOWED_REQUEST_HEADERS.join(', '),
      'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_S),
    },
  });
}
