import { createHmac } from 'node:crypto';

/** A signed-in user of the soak, as the workload process receives it. */
export interface SoakUser {
  id: string;
  email: string;
  password: string;
  token: string;
  refreshToken: string;
  /** Projects this user owns. */
  projects: string[];
}

/** What the workload process is given (as JSON in argv). */
export interface WorkloadSpec {
  gatewayUrl: string;
  anonKey: string;
  users: SoakUser[];
  /** `closed`: `concurrency` loops back to back (the ramp); `open`: `rate` operations a second. */
  mode: 'closed' | 'open';
  concurrency?: number;
  rate?: number;
  seconds: number;
  /** Signs webhook deliveries when the whatsapp function takes them. */
  webhook?: { appSecret: string; phoneNumberId: string };
}

/** One operation's outcome: its HTTP status per request (`net` when none came back). */
export interface Outcome {
  op: string;
  statuses: Array<number | 'net'>;
}

/** The fields of an answer the mix reads next (ids and tokens). */
type Body = { id?: string; access_token?: string; refresh_token?: string } | undefined;

type Step = { method: string; path: string; body?: unknown; token?: string | null };

/** Statuses each operation may answer without anything being wrong. */
export const EXPECTED: Record<string, number[]> = {
  'auth.login': [200],
  'auth.refresh': [200],
  'projects.list': [200],
  'projects.get': [200],
  'projects.update': [200],
  'projects.create+delete': [201, 204],
  'messages.list': [200],
  'messages.post': [201],
  'members.share+unshare': [201, 204],
  // A generation cancelled while queued (200) or running (202); one that ended first is a 409.
  'generations.start+cancel': [202, 200, 409],
  'whatsapp.webhook': [200],
};

/** The mix, by weight: mostly reads, then writes, sessions, shares and generations. */
const WEIGHTS: Array<[string, number]> = [
  ['projects.list', 22],
  ['projects.get', 14],
  ['messages.list', 10],
  ['messages.post', 12],
  ['projects.update', 8],
  ['projects.create+delete', 4],
  ['members.share+unshare', 6],
  ['auth.refresh', 8],
  ['auth.login', 4],
  ['generations.start+cancel', 3],
  ['whatsapp.webhook', 9],
];

/**
 * Runs operations of the mix against the local stack. Each user runs one operation at a
 * time (a refresh token is used once, and a session's next request carries the new token).
 */
export class Mix {
  private readonly spec: WorkloadSpec;
  private readonly busy = new Set<string>();
  private readonly weights: Array<[string, number]>;
  private readonly total: number;
  private serial = 0;

  constructor(spec: WorkloadSpec) {
    this.spec = spec;
    this.weights = WEIGHTS.filter(([op]) => op !== 'whatsapp.webhook' || spec.webhook);
    this.total = this.weights.reduce((n, [, w]) => n + w, 0);
  }

  /** Runs one operation for a user who is free; undefined when every user is busy. */
  async runOne(): Promise<Outcome | undefined> {
    const free = this.spec.users.filter((u) => !this.busy.has(u.id));
    const user = free[Math.floor(Math.random() * free.length)];
    if (!user) return undefined;
    this.busy.add(user.id);
    try {
      return await this.run(this.pick(), user);
    } finally {
      this.busy.delete(user.id);
    }
  }

  private pick(): string {
    let r = Math.random() * this.total;
    for (const [op, w] of this.weights) {
      r -= w;
      if (r < 0) return op;
    }
    return 'projects.list';
  }

  private async call(user: SoakUser, step: Step): Promise<{ status: number | 'net'; body: Body }> {
    const headers: Record<string, string> = { apikey: this.spec.anonKey };
    if (step.body !== undefined) headers['content-type'] = 'application/json';
    if (step.token !== null) headers.authorization = `Bearer ${step.token ?? user.token}`;
    try {
      const res = await fetch(`${this.spec.gatewayUrl}/functions/v1${step.path}`, {
        method: step.method,
        headers,
        body: step.body === undefined ? undefined : JSON.stringify(step.body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      let body: Body;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        body = undefined;
      }
      return { status: res.status, body };
    } catch {
      return { status: 'net', body: undefined };
    }
  }

  private async run(op: string, user: SoakUser): Promise<Outcome> {
    const statuses: Outcome['statuses'] = [];
    const call = async (step: Step) => {
      const r = await this.call(user, step);
      statuses.push(r.status);
      return r;
    };
    const project = user.projects[Math.floor(Math.random() * user.projects.length)] as string;
    const n = ++this.serial;
    switch (op) {
      case 'projects.list':
        await call({ method: 'GET', path: '/api/projects?limit=20' });
        break;
      case 'projects.get':
        await call({ method: 'GET', path: `/api/projects/${project}` });
        break;
      case 'messages.list':
        await call({ method: 'GET', path: `/api/projects/${project}/messages?limit=20` });
        break;
      case 'messages.post':
        await call({
          method: 'POST',
          path: `/api/projects/${project}/messages`,
          body: { content: `soak message ${n}`, kind: 'text' },
        });
        break;
      case 'projects.update':
        await call({
          method: 'PUT',
          path: `/api/projects/${project}`,
          body: { name: `Soak ${n}` },
        });
        break;
      case 'projects.create+delete': {
        const made = await call({
          method: 'POST',
          path: '/api/projects',
          body: { name: `Tmp ${n}` },
        });
        if (made.status === 201) {
          await call({ method: 'DELETE', path: `/api/projects/${made.body?.id}` });
        }
        break;
      }
      case 'members.share+unshare': {
        const others = this.spec.users.filter((u) => u.id !== user.id);
        const other = others[n % others.length] as SoakUser;
        const shared = await call({
          method: 'POST',
          path: `/api/projects/${project}/members`,
          body: { email: other.email, role: 'viewer' },
        });
        if (shared.status === 201) {
          await call({ method: 'DELETE', path: `/api/projects/${project}/members/${other.id}` });
        }
        break;
      }
      case 'auth.refresh': {
        const r = await call({
          method: 'POST',
          path: '/auth/refresh',
          body: { refresh_token: user.refreshToken },
          token: null,
        });
        if (r.status === 200) {
          user.token = r.body?.access_token ?? user.token;
          user.refreshToken = r.body?.refresh_token ?? user.refreshToken;
        }
        break;
      }
      case 'auth.login':
        await call({
          method: 'POST',
          path: '/auth/login',
          body: { email: user.email, password: user.password },
          token: null,
        });
        break;
      case 'generations.start+cancel': {
        const started = await call({
          method: 'POST',
          path: `/api/projects/${project}/generations`,
          body: { prompt: `soak build ${n}`, kind: 'build' },
        });
        if (started.status === 202) {
          await call({ method: 'POST', path: `/api/generations/${started.body?.id}/cancel` });
        }
        break;
      }
      case 'whatsapp.webhook':
        await this.webhook(n, statuses);
        break;
    }
    return { op, statuses };
  }

  /** A Meta delivery (one inbound text), signed as Meta signs it. */
  private async webhook(n: number, statuses: Outcome['statuses']): Promise<void> {
    const hook = this.spec.webhook;
    if (!hook) return;
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '102290129340398',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: {
                  display_phone_number: '15550783881',
                  phone_number_id: hook.phoneNumberId,
                },
                contacts: [{ profile: { name: 'Soak' }, wa_id: '16505551234' }],
                messages: [
                  {
                    from: '16505551234',
                    id: `wamid.soak${Date.now()}${n}`,
                    timestamp: String(Math.floor(Date.now() / 1000)),
                    type: 'text',
                    text: { body: `soak ${n}` },
                  },
                ],
              },
            },
          ],
        },
      ],
    });
    const signature = createHmac('sha256', hook.appSecret).update(body).digest('hex');
    try {
      const res = await fetch(`${this.spec.gatewayUrl}/functions/v1/whatsapp/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': `sha256=${signature}`,
        },
        body,
        signal: AbortSignal.timeout(30_000),
      });
      await res.arrayBuffer();
      statuses.push(res.status);
    } catch {
      statuses.push('net');
    }
  }
}
