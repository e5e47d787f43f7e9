/** One server-sent event: its `event:` name (if any) and its `data:` lines joined. */
export interface SseEvent {
  event?: string;
  data: string;
}

/**
 * Reads a `text/event-stream` body as the HTML standard defines it: events end at a blank
 * line, `data:` lines join with `\n`, lines starting with `:` are comments (keep-alives),
 * and CR, LF or CRLF end a line, wherever the network happens to split the bytes.
 * `onBytes` sees every chunk as it arrives (for idle timeouts); aborting `signal` cancels
 * the body, which ends the events (a body does not always follow its request's signal).
 */
export async function* readSse(
  body: ReadableStream<Uint8Array>,
  onBytes: () => void = () => {},
  signal?: AbortSignal,
): AsyncGenerator<SseEvent> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  const cancel = () => void reader.cancel(signal?.reason).catch(() => {});
  signal?.addEventListener('abort', cancel, { once: true });
  let buffer = '';
  let data: string[] = [];
  let event: string | undefined;
  const take = (line: string): SseEvent | undefined => {
    if (line === '') {
      const out = data.length ? { event, data: data.join('\n') } : undefined;
      data = [];
      event = undefined;
      return out;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') event = value;
    return undefined;
  };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      onBytes();
      buffer += decoder.decode(value, { stream: true });
      // A trailing CR may be the first half of a CRLF: keep it until more bytes come.
      const lines = buffer.split(/\r\n|\r(?!$)|\n/);
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const out = take(line);
        if (out) yield out;
      }
    }
    buffer += decoder.decode();
    for (const line of [...buffer.split(/\r\n|\r|\n/), '']) {
      const out = take(line);
      if (out) yield out;
    }
  } finally {
    signal?.removeEventListener('abort', cancel);
    reader.releaseLock();
  }
}
