import type { Hono } from 'hono';
import type { EmuEnv } from '../context.ts';

/** MFA with TOTP: enroll, challenge, verify, unenroll. */
export function registerFactors(_app: Hono<EmuEnv>): void {}
