/** The error body OpenAI-compatible APIs answer with. */
export interface OpenAiError {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** An error response in OpenAI's shape. */
export function openAiError(
  status: number,
  message: string,
  opts: { type?: string; param?: string | null; code?: string | null; headers?: HeadersInit } = {},
): Response {
  const body: OpenAiError = {
    error: {
      message,
      type: opts.type ?? 'invalid_request_error',
      param: opts.param ?? null,
      code: opts.code ?? null,
    },
  };
  return Response.json(body, { status, headers: opts.headers });
}
