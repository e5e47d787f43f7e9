import type { Hono } from 'hono';
import type { EmuEnv } from '../context.ts';

/** The admin API (service-role key): users, their factors, invite and generate_link. */
export function registerAdmin(_app: Hono<EmuEnv>): void {}
