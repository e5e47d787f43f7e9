/**
 * The Supabase CLI's well-known local JWT secret and the anon and service-role keys signed
 * with it. They are public, for local use only, and let an app's existing local `.env`
 * work against this stack unchanged. Never use them for a deployed project.
 */
export const DEMO_JWT_SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';

/** Signs list cursors locally; a deployment sets its own CURSOR_SECRET. */
export const DEMO_CURSOR_SECRET = 'local-cursor-secret-with-at-least-32-characters';

/** Seals WhatsApp channels' tokens locally (32 bytes, base64); a deployment sets its own. */
export const DEMO_CRM_ENCRYPTION_KEY = 'bG9jYWwtY3JtLWtleS0zMi1ieXRlcy1sb25nLW9rPz8=';

/** Seals the app-client signing keys locally; a deployment sets its own TOKEN_KEYS_SECRET. */
export const DEMO_TOKEN_KEYS_SECRET = 'local-token-keys-secret-with-at-least-32-characters';

export const DEMO_ANON_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0';

export const DEMO_SERVICE_ROLE_KEY =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU';
