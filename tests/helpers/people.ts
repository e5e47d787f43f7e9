/**
 * The one password every test person signs up with: long enough for every policy the Auth
 * emulator enforces, and never a real credential.
 */
export const PASSWORD = 'a-sturdy-password';
