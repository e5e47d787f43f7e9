/**
 * Calls to the Edge Functions (`/functions/v1/<name>/…`) with the signed-in user's access
 * token as a bearer, never a cookie. supabase-js keeps the session and refreshes it.
 */

/** An error answer of the API: its RFC 9457 problem body, or what could be made of it. */
export class ApiError extends Error {
  constructor(status, problem, signedIn = false) {
    super(problem.detail || problem.title || `Request failed with ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = problem.code ?? null;
    this.title = problem.title ?? null;
    this.detail = problem.detail ?? null;
    this.errors = Array.isArray(problem.errors) ? problem.errors : [];
    this.requestId = problem.request_id ?? null;
    this.retryAfter = problem.retryAfter ?? null;
    /** Whether the request carried the user's token (a 401 then means the session ended). */
    this.signedIn = signedIn;
  }

  /** The API wants a session verified with a second factor (403 `insufficient_aal`). */
  get stepUp() {
    return this.status === 403 && this.code === 'insufficient_aal';
  }
}

/**
 * A client for the API on `origin`, as the user of `supabase` (a supabase-js client).
 *
 * @example
 * const api = createApi(supabase, location.origin, anonKey);
 * const page = await api.list('api', '/projects', { limit: 20 });
 * await api.call('api', '/projects', { method: 'POST', body: { name: 'Demo' } });
 */
export function createApi(supabase, origin, anonKey) {
  async function call(fn, path, { method = 'GET', body, query, auth = true } = {}) {
    const url = new URL(`/functions/v1/${fn}${path}`, origin);
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined && value !== null && value !== '') url.searchParams.set(key, value);
    }
    const headers = { apikey: anonKey, accept: 'application/json' };
    // A FormData body (a file) sets its own multipart content type and boundary; a Blob goes
    // as it is, with its own type.
    const form = body instanceof FormData || body instanceof Blob;
    if (body !== undefined && !form) headers['content-type'] = 'application/json';
    if (auth) {
      const { data } = await supabase.auth.getSession();
      if (data.session) headers.authorization = `Bearer ${data.session.access_token}`;
    }
    const res = await fetch(url, {
      method,
      headers,
      body: body === undefined || form ? body : JSON.stringify(body),
      credentials: 'omit',
    });
    if (res.status === 204) return null;
    const text = await res.text();
    let json = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    if (!res.ok) {
      const problem = json && typeof json === 'object' ? json : {};
      problem.retryAfter = res.headers.get('retry-after');
      throw new ApiError(res.status, problem, Boolean(headers.authorization));
    }
    return json;
  }

  /**
   * Reads a Server-Sent Events response to its end, calling `onMessage(data)` with each
   * message's parsed `data`. With fetch, not EventSource: the token goes as a bearer.
   */
  async function stream(fn, path, { query, signal, onMessage } = {}) {
    const url = new URL(`/functions/v1/${fn}${path}`, origin);
    for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
    const headers = { apikey: anonKey, accept: 'text/event-stream' };
    const { data } = await supabase.auth.getSession();
    if (data.session) headers.authorization = `Bearer ${data.session.access_token}`;
    const res = await fetch(url, { headers, signal, credentials: 'omit' });
    if (!res.ok) {
      const problem = await res.json().catch(() => ({}));
      throw new ApiError(res.status, problem ?? {}, Boolean(headers.authorization));
    }
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value;
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const lines = block.split('\n').filter((l) => l.startsWith('data:'));
        if (lines.length) onMessage(JSON.parse(lines.map((l) => l.slice(5)).join('\n')));
        end = buffer.indexOf('\n\n');
      }
    }
  }

  return {
    call,
    stream,
    /** One page of a list endpoint: `{ data, next_cursor }` (see the list convention). */
    list: (fn, path, { cursor, limit = 20, ...query } = {}) =>
      call(fn, path, { query: { ...query, cursor, limit } }),
  };
}
