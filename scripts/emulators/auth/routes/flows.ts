import type { Hono } from 'hono';
import type { EmuEnv } from '../context.ts';

/** Mail-based flows: recover, otp, magiclink, verify, resend, reauthenticate. */
export function registerFlows(_app: Hono<EmuEnv>): void {}
