/**
 * Signing in and out, and the second factor, through the `auth` function (which adds
 * lockout, rate limits and audit to Supabase Auth). The session it returns is handed to
 * supabase-js, which stores it (localStorage) and refreshes it.
 */

/**
 * @example
 * const auth = createAuth({ supabase, api, redirectTo: `${location.origin}/console/` });
 * await auth.signIn('ada@example.com', 'a long passphrase');
 */
export function createAuth({ supabase, api, redirectTo }) {
  const post = (path, body) => api.call('auth', path, { method: 'POST', body, auth: false });

  async function adopt(session) {
    const { error } = await supabase.auth.setSession({
      access_token: session.access_token,
      refresh_token: session.refresh_token,
    });
    if (error) throw error;
  }

  return {
    adopt,

    async signIn(email, password) {
      await adopt(await post('/login', { email, password }));
    },

    /** Creates the account; answers whether a confirmation mail must be opened first. */
    async signUp(email, password) {
      const result = await post('/register', { email, password, redirect_to: redirectTo });
      if (result.session) await adopt(result.session);
      return { confirmationRequired: result.confirmation_required };
    },

    async magicLink(email) {
      await post('/login/magic-link', { email, redirect_to: redirectTo });
    },

    /** Ends this session at the API, then forgets it here even if the API could not. */
    async signOut() {
      try {
        await api.call('auth', '/logout', { method: 'POST', body: { scope: 'local' } });
      } finally {
        await supabase.auth.signOut({ scope: 'local' });
      }
    },

    mfa: {
      factors: async () => (await api.call('auth', '/mfa/factors')).factors,
      enroll: (friendlyName) =>
        api.call('auth', '/mfa/enroll', {
          method: 'POST',
          body: friendlyName ? { friendly_name: friendlyName } : {},
        }),
      remove: (factorId) =>
        api.call('auth', `/mfa/factors/${encodeURIComponent(factorId)}`, { method: 'DELETE' }),
      /** Challenges the factor and answers it with `code`; the session becomes aal2. */
      async verify(factorId, code) {
        const challenge = await api.call('auth', '/mfa/challenge', {
          method: 'POST',
          body: { factor_id: factorId },
        });
        await adopt(
          await api.call('auth', '/mfa/verify', {
            method: 'POST',
            body: { factor_id: factorId, challenge_id: challenge.id, code },
          }),
        );
      },
    },
  };
}
