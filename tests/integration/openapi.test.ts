import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { buildTestApp, FUNCTION_NAMES } from '../helpers/app.ts';

describe.each(FUNCTION_NAMES)('the %s function documents itself', (name) => {
  it('serves a valid OpenAPI 3.1 document at /openapi.json', async () => {
    const res = await buildTestApp(name).request('/openapi.json');
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toContain(`/${name}/health`);

    const validator = new Validator();
    const result = await validator.validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('renders an API reference for that document at /docs', async () => {
    const res = await buildTestApp(name).request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain(`/functions/v1/${name}/openapi.json`);
  });
});
