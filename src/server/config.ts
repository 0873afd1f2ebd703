/**
 * Server configuration: defaults, then a YAML/JSON file, then `WALKOUT_*` environment variables, then command-line
 * overrides, validated once with zod (every bad key reported together, unknown keys included) and passed down frozen.
 * A missing staff token is generated here, so the rest of the server always has one.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { fail, ok, type Result } from '../errors.ts';
import { validTimeZone } from '../store/schema.ts';

const boolish = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const s = v.trim().toLowerCase();
  if (['1', 'true', 'on', 'yes'].includes(s)) return true;
  if (['0', 'false', 'off', 'no'].includes(s)) return false;
  return v;
}, z.boolean());
const port = z.coerce.number().int().min(0).max(65535);
/** An amount in the currency's minor unit. */
const minor = z.coerce.number().int().nonnegative();
/** `null`, `none` or empty from a file or the environment: switch the setting off. */
const nullish = (v: unknown) =>
  typeof v === 'string' && ['', 'none', 'null'].includes(v.trim().toLowerCase()) ? null : v;

/** The shopper journey (docs/shopper.md): entry codes, receipts by email, payments, disputes. */
const shopperSchema = z
  .strictObject({
    /**
     * Also admit the simulator's unsigned `demo:`/`staff:` codes at the gate (never under a shopper account's name,
     * never charged). Default: on with the simulator, off without. Never on in a real store: they admit anyone.
     */
    demoCodes: boolish.optional(),
    /** HMAC key of the entry QR codes (≥ 32 characters); generated into `<dataDir>/secrets.json` when absent. */
    qrSecret: z.string().min(32, 'at least 32 characters').optional(),
    /** Receipt emails over SMTP; when absent they are written as .eml files into `<dataDir>/outbox/`. */
    smtp: z
      .strictObject({
        host: z.string().min(1),
        port: port.default(587),
        from: z.string().regex(/^[^\s@]+@[^\s@]+$|<[^\s@<>]+@[^\s@<>]+>$/, 'must be an email address'),
        secure: boolish.optional(),
        user: z.string().min(1).optional(),
        pass: z.string().min(1).optional(),
      })
      .refine((s) => (s.user === undefined) === (s.pass === undefined), {
        message: 'user and pass go together',
        path: ['user'],
      })
      .optional(),
    /** `test` (the built-in test cards, no money moves) or `stripe` (needs `stripeKey`). */
    payments: z.enum(['test', 'stripe']).default('test'),
    stripeKey: z
      .string()
      .regex(/^(sk|rk)_(test|live)_\w+$/, 'must be a Stripe secret key (sk_… or rk_…)')
      .optional(),
    /** Another Stripe API address, e.g. a local stand-in `http://127.0.0.1:12111`. */
    stripeApiBase: z.url({ protocol: /^https?$/ }).optional(),
    /** The shopper app's public address (receipt emails link to it); default the HTTP address + `/app/`. */
    appUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** Disputes worth at most this (minor units) are refunded at once; above it staff decide. */
    autoRefundLimit: minor.default(500),
    /** Held on the card at entry when the shopper set no spending limit (minor units); `none`: no hold. */
    defaultHold: z.preprocess(nullish, minor.nullable()).default(5000),
    /** Tax included in prices, as a fraction (0.2 = 20 %), shown on receipts; `none`: not shown. */
    taxRate: z.preprocess(nullish, z.coerce.number().min(0).max(1).nullable()).default(null),
    /** IANA time zone of receipt times; default the store's. */
    timeZone: z.string().refine(validTimeZone, 'not an IANA time zone (e.g. Europe/Paris)').optional(),
  })
  .superRefine(
    (s, ctx) => {
      // Runs even when other keys are wrong (every problem is reported at once), so `s` may be half parsed.
      const given = typeof s === 'object' && s !== null ? (s as { payments?: unknown; stripeKey?: unknown }) : {};
      if (given.payments === 'stripe' && !given.stripeKey) {
        ctx.addIssue({ code: 'custom', path: ['stripeKey'], message: 'required when payments is stripe' });
      }
    },
    { when: () => true },
  );

export const configSchema = z.strictObject({
  /** The store definition (YAML). */
  store: z.string().min(1).default('examples/convenience.yaml'),
  /** Where the SQLite event log and other local state live. */
  dataDir: z.string().min(1).default('./data'),
  http: z.strictObject({ host: z.string().min(1).default('127.0.0.1'), port: port.default(8080) }).prefault({}),
  mqtt: z
    .strictObject({
      /** `embedded` runs an aedes broker in-process; `mqtt://host:port` uses an external one (e.g. Mosquitto). */
      broker: z
        .string()
        .regex(/^(embedded|mqtts?:\/\/.+)$/, 'must be "embedded" or an mqtt://host:port url')
        .default('embedded'),
      /** Where the embedded broker listens. */
      host: z.string().min(1).default('127.0.0.1'),
      port: port.default(1883),
    })
    .prefault({}),
  /** `sqlite` (in dataDir), `sqlite:<file>`, `memory` or `postgres://…`. */
  db: z
    .string()
    .regex(/^(memory|sqlite|sqlite:.+|postgres(ql)?:\/\/.+)$/, 'must be memory, sqlite, sqlite:<file> or postgres://…')
    .default('sqlite'),
  /** Bearer token for the staff pages; generated at start when absent. Never commit one. */
  staffToken: z.string().min(16, 'at least 16 characters').optional(),
  sim: z
    .strictObject({
      enabled: boolish.default(true),
      shoppersPerHour: z.coerce.number().positive().max(2000).default(120),
      /** Store minutes simulated per chunk. */
      chunkMinutes: z.coerce.number().positive().max(120).default(10),
      seed: z.coerce.number().int().default(1),
    })
    .prefault({}),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  journal: z
    .strictObject({
      /**
       * SQLite commit durability of the input journal: `normal` survives a process crash (SIGKILL, OOM), `full` also a
       * power cut but fsyncs on the event loop per commit (docs/operations.md, "Durability and recovery").
       */
      sync: z.enum(['full', 'normal']).default('normal'),
      /**
       * Start a journal epoch at the first quiet moment (nobody inside for 15 min, no review open, no find waiting)
       * once the last one is this old (event minutes); the rows before it are pruned. 0: never.
       */
      epochMinutes: z.coerce.number().nonnegative().default(60),
    })
    .prefault({}),
  ingest: z
    .strictObject({
      /** Tick the engine's clock once devices have been quiet this long (ms), releasing held messages. */
      tickQuietMs: z.coerce.number().int().positive().max(60_000).default(300),
      /** Warn about a device whose clock is off by more than this (ms) when its messages are rejected. */
      skewWarnMs: z.coerce.number().int().positive().default(2_000),
      /**
       * Refuse at the edge a device message stamped more than this (ms) ahead of the server's clock and of the other
       * devices' (a device clock gone fast, which would make every other device's messages too late); 0: never.
       */
      maxLeadMs: z.coerce.number().int().nonnegative().default(2_000),
    })
    .prefault({}),
  shopper: shopperSchema.prefault({}),
});

type Parsed = z.infer<typeof configSchema>;

export type ServerConfig = Readonly<
  Omit<Parsed, 'staffToken' | 'http' | 'mqtt' | 'sim' | 'journal' | 'ingest' | 'shopper'> & {
    http: Readonly<Parsed['http']>;
    mqtt: Readonly<Parsed['mqtt']>;
    sim: Readonly<Parsed['sim']>;
    journal: Readonly<Parsed['journal']>;
    ingest: Readonly<Parsed['ingest']>;
    shopper: Readonly<Omit<Parsed['shopper'], 'demoCodes'> & { demoCodes: boolean }>;
    staffToken: string;
    /** True when the token was generated at start (print it so staff can log in). */
    staffTokenGenerated: boolean;
  }
>;

/** Environment variables read, and where each lands in the configuration. */
export const ENV_KEYS: Readonly<Record<string, readonly string[]>> = {
  WALKOUT_STORE: ['store'],
  WALKOUT_DATA_DIR: ['dataDir'],
  WALKOUT_HTTP_HOST: ['http', 'host'],
  WALKOUT_HTTP_PORT: ['http', 'port'],
  WALKOUT_MQTT: ['mqtt', 'broker'],
  WALKOUT_MQTT_HOST: ['mqtt', 'host'],
  WALKOUT_MQTT_PORT: ['mqtt', 'port'],
  WALKOUT_DB: ['db'],
  WALKOUT_STAFF_TOKEN: ['staffToken'],
  WALKOUT_SIM: ['sim', 'enabled'],
  WALKOUT_SIM_SHOPPERS_PER_HOUR: ['sim', 'shoppersPerHour'],
  WALKOUT_SIM_SEED: ['sim', 'seed'],
  WALKOUT_LOG_LEVEL: ['logLevel'],
  WALKOUT_JOURNAL_SYNC: ['journal', 'sync'],
  WALKOUT_JOURNAL_EPOCH_MINUTES: ['journal', 'epochMinutes'],
  WALKOUT_TICK_QUIET_MS: ['ingest', 'tickQuietMs'],
  WALKOUT_MAX_LEAD_MS: ['ingest', 'maxLeadMs'],
  WALKOUT_DEMO_CODES: ['shopper', 'demoCodes'],
  WALKOUT_QR_SECRET: ['shopper', 'qrSecret'],
  WALKOUT_SMTP_HOST: ['shopper', 'smtp', 'host'],
  WALKOUT_SMTP_PORT: ['shopper', 'smtp', 'port'],
  WALKOUT_SMTP_FROM: ['shopper', 'smtp', 'from'],
  WALKOUT_SMTP_SECURE: ['shopper', 'smtp', 'secure'],
  WALKOUT_SMTP_USER: ['shopper', 'smtp', 'user'],
  WALKOUT_SMTP_PASS: ['shopper', 'smtp', 'pass'],
  WALKOUT_PAYMENTS: ['shopper', 'payments'],
  WALKOUT_STRIPE_KEY: ['shopper', 'stripeKey'],
  WALKOUT_STRIPE_API_BASE: ['shopper', 'stripeApiBase'],
  WALKOUT_APP_URL: ['shopper', 'appUrl'],
  WALKOUT_AUTO_REFUND_LIMIT: ['shopper', 'autoRefundLimit'],
  WALKOUT_DEFAULT_HOLD: ['shopper', 'defaultHold'],
  WALKOUT_TAX_RATE: ['shopper', 'taxRate'],
  WALKOUT_TIME_ZONE: ['shopper', 'timeZone'],
};

export type ConfigOverrides = {
  store?: string;
  dataDir?: string;
  http?: { host?: string; port?: number };
  mqtt?: { broker?: string; host?: string; port?: number };
  db?: string;
  staffToken?: string;
  sim?: { enabled?: boolean; shoppersPerHour?: number; chunkMinutes?: number; seed?: number };
  logLevel?: string;
  journal?: { sync?: 'full' | 'normal'; epochMinutes?: number };
  ingest?: { tickQuietMs?: number; skewWarnMs?: number; maxLeadMs?: number };
  shopper?: {
    demoCodes?: boolean;
    qrSecret?: string;
    smtp?: { host?: string; port?: number; from?: string; secure?: boolean; user?: string; pass?: string };
    payments?: 'test' | 'stripe';
    stripeKey?: string;
    stripeApiBase?: string;
    appUrl?: string;
    autoRefundLimit?: number;
    defaultHold?: number | null;
    taxRate?: number | null;
    timeZone?: string;
  };
};

export interface LoadConfigOptions {
  /** A YAML or JSON file (JSON is YAML). */
  file?: string;
  env?: NodeJS.ProcessEnv;
  overrides?: ConfigOverrides;
}

type Tree = Record<string, unknown>;

function setPath(tree: Tree, path: readonly string[], value: unknown): void {
  let node = tree;
  for (const key of path.slice(0, -1)) {
    const child = node[key];
    if (typeof child !== 'object' || child === null || Array.isArray(child)) node[key] = {};
    node = node[key] as Tree;
  }
  node[path[path.length - 1] as string] = value;
}

/** Deep-merges `top` over `base`; undefined values in `top` leave `base` alone. */
function merge(base: Tree, top: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(top)) {
    if (value === undefined) continue;
    const under = out[key];
    const bothObjects = [value, under].every((v) => typeof v === 'object' && v !== null && !Array.isArray(v));
    out[key] = bothObjects ? merge(under as Tree, value as Tree) : value;
  }
  return out;
}

function readFile(file: string): Result<Tree, 'CONFIG_INVALID'> {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    return fail('CONFIG_INVALID', `${file}: ${(error as Error).message}`);
  }
  if (raw === null || raw === undefined) return ok({});
  if (typeof raw !== 'object' || Array.isArray(raw)) return fail('CONFIG_INVALID', `${file}: not a mapping of keys`);
  return ok(raw as Tree);
}

function envTree(env: NodeJS.ProcessEnv): Tree {
  const tree: Tree = {};
  for (const [name, path] of Object.entries(ENV_KEYS)) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(tree, path, value);
  }
  return tree;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.join('.') || '(root)';
      const keys = 'keys' in issue && Array.isArray(issue.keys) ? ` ${issue.keys.join(', ')}` : '';
      return `${where}: ${issue.message}${keys}`;
    })
    .join('\n');
}

/** Builds the configuration; on failure the reason lists every problem, one per line. */
export function loadConfig(options: LoadConfigOptions = {}): Result<ServerConfig, 'CONFIG_INVALID'> {
  let tree: Tree = {};
  if (options.file) {
    const file = readFile(options.file);
    if (!file.ok) return file;
    tree = file.value;
  }
  tree = merge(tree, envTree(options.env ?? process.env));
  tree = merge(tree, (options.overrides ?? {}) as Tree);
  const parsed = configSchema.safeParse(tree);
  if (!parsed.success) return fail('CONFIG_INVALID', describeIssues(parsed.error));
  const generated = parsed.data.staffToken === undefined;
  const staffToken = parsed.data.staffToken ?? randomBytes(18).toString('base64url');
  const config: ServerConfig = {
    ...parsed.data,
    http: Object.freeze({ ...parsed.data.http }),
    mqtt: Object.freeze({ ...parsed.data.mqtt }),
    sim: Object.freeze({ ...parsed.data.sim }),
    journal: Object.freeze({ ...parsed.data.journal }),
    ingest: Object.freeze({ ...parsed.data.ingest }),
    shopper: Object.freeze({
      ...parsed.data.shopper,
      demoCodes: parsed.data.shopper.demoCodes ?? parsed.data.sim.enabled,
      ...(parsed.data.shopper.smtp ? { smtp: Object.freeze({ ...parsed.data.shopper.smtp }) } : {}),
    }),
    staffToken,
    staffTokenGenerated: generated,
  };
  return ok(Object.freeze(config));
}
