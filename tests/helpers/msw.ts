import { setupServer } from 'msw/node';

/** The process-wide msw server; tests add handlers with `server.use(...)`. */
export const server = setupServer();
