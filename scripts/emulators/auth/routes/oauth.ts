import type { Hono } from 'hono';
import type { EmuEnv } from '../context.ts';

/** OAuth sign-in with PKCE: /authorize, /callback and the built-in local provider. */
export function registerOAuth(_app: Hono<EmuEnv>): void {}
