/** The built-in OAuth provider that lets the whole OAuth round trip run offline. */
export const PROVIDER = 'local';
