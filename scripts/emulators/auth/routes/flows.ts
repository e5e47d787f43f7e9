import type { Hono } from 'hono';
import type { EmuEnv } from '../context.ts';
import { registerOtp } from '../flows/otp.ts';
import { registerRecover } from '../flows/recover.ts';
import { registerVerify } from '../flows/verify.ts';

/** Mail-based flows: recover, otp, magiclink, verify, resend, reauthenticate. */
export function registerFlows(app: Hono<EmuEnv>): void {
  registerRecover(app);
  registerOtp(app);
  registerVerify(app);
}
