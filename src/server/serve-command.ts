/**
 * `walkout serve`: runs a store server (MQTT ingest, engine, event log, web pages, and by default the simulated store
 * feed) until SIGINT/SIGTERM, then shuts it down gracefully. Prints a banner: the staff pages and the token to sign
 * in with, the shopper app, where receipt emails go, where devices publish, what start-up recovery replayed.
 */
import type { Command } from 'commander';
import { WalkoutError } from '../errors.ts';
import { loadStoreFile } from '../store/load-store.ts';
import type { StoreDef } from '../store/schema.ts';
import { type ConfigOverrides, loadConfig, type ServerConfig } from './config.ts';
import { StoreServer, type StoreServerInfo } from './store-server.ts';

interface ServeFlags {
  store?: string;
  sim: boolean;
  mqtt?: string;
  db?: string;
  port?: string;
  host?: string;
  config?: string;
  shoppersPerHour?: string;
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('run a store: MQTT ingest, engine, event log, live pages (with a simulated store unless --no-sim)')
    .option('--store <yaml>', 'store definition (default examples/convenience.yaml)')
    .option('--no-sim', 'do not run the simulated store feed')
    .option('--mqtt <url>', 'external broker mqtt://host:port, or "embedded"')
    .option('--db <url>', 'event log: sqlite, sqlite:<file>, memory or postgres://…')
    .option('--port <n>', 'HTTP port (default 8080)')
    .option('--host <host>', 'HTTP host (default 127.0.0.1)')
    .option('--shoppers-per-hour <n>', 'simulated shoppers per hour')
    .option('--config <file>', 'YAML/JSON configuration file (WALKOUT_* environment variables override it)')
    .action(async (flags: ServeFlags, command: Command) => {
      process.exitCode = await serve(flags, command);
    });
}

function overridesFrom(flags: ServeFlags, command: Command): ConfigOverrides {
  // --no-sim defaults `sim` to true; only an explicit flag may override the file and environment.
  const simExplicit = command.getOptionValueSource('sim') === 'cli';
  return {
    store: flags.store,
    db: flags.db,
    mqtt: { broker: flags.mqtt },
    http: { port: flags.port === undefined ? undefined : Number(flags.port), host: flags.host },
    sim: {
      enabled: simExplicit ? flags.sim : undefined,
      shoppersPerHour: flags.shoppersPerHour === undefined ? undefined : Number(flags.shoppersPerHour),
    },
  };
}

async function serve(flags: ServeFlags, command: Command): Promise<number> {
  const config = loadConfig({ file: flags.config, overrides: overridesFrom(flags, command) });
  if (!config.ok) {
    console.error(`configuration is not valid:\n${config.reason}`);
    return 1;
  }
  const store = loadStoreFile(config.value.store);
  if (!store.ok) {
    console.error(`${config.value.store} is not a valid store definition:\n${store.reason}`);
    return 1;
  }
  const server = new StoreServer({ config: config.value, store: store.value });
  let info: StoreServerInfo;
  try {
    info = await server.start();
  } catch (error) {
    console.error(`cannot start the store server: ${(error as Error).message}`);
    if (error instanceof WalkoutError && error.code === 'RECOVERY_DIVERGED') console.error(divergedHint(config.value));
    return 1;
  }
  console.log(banner(store.value.def, config.value, info));
  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      console.log(`\n${signal}: closing the store server…`);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  await server.stop();
  return 0;
}

/** What a newcomer needs after `npm start`: where to click, how to sign in, where things go. */
export function banner(def: StoreDef, config: ServerConfig, info: StoreServerInfo): string {
  const web = info.httpUrl;
  const s = info.shopper;
  const row = (label: string, text: string) => `  ${label.padEnd(10)} ${text}`;
  const lines = [
    '',
    `  ${def.name} (${def.id}) is open`,
    '',
    row('staff', `${web}/staff/live      live store`),
    row('', `${web}/staff/review    review console`),
    row('', `${web}/staff/carts     carts`),
    row('', `${web}/staff/ops       ops dashboard (stock, alerts, visits)`),
    row(
      'token',
      `${info.staffToken}${config.staffTokenGenerated ? '   (generated for this run; set WALKOUT_STAFF_TOKEN to keep one)' : ''}`,
    ),
    row(
      'shoppers',
      `${s.appUrl}   (sign up, add a ${s.payments === 'test' ? 'test ' : ''}card, show the QR at the gate)`,
    ),
    row('emails', s.mail),
    row('payments', s.payments === 'test' ? 'test cards, no money moves' : 'Stripe'),
    row(
      'gate',
      s.demoCodes ? "app QR codes, and the simulator's demo codes (never in a real store)" : 'app QR codes only',
    ),
    row('mqtt', `${info.mqttUrl}   (devices publish to walkout/${def.id}/…)`),
    row('api', `${web}/api/snapshot   (staff token)   metrics ${web}/metrics`),
    row('event log', info.db),
  ];
  const r = info.recovery;
  if (r.calls > 0) {
    lines.push(
      row(
        'recovered',
        `${r.calls} journalled calls replayed in ${r.seconds.toFixed(1)} s (${r.matched} decisions already logged, ${r.appended} appended)`,
      ),
    );
  }
  if (s.catchUp.added > 0)
    lines.push(row('receipts', `${s.catchUp.added} final receipts from the log handed to checkout`));
  lines.push(
    row(
      'simulated',
      config.sim.enabled
        ? `${config.sim.shoppersPerHour} shoppers/hour, the first within seconds (--no-sim to turn off)`
        : 'off',
    ),
    '',
  );
  return lines.join('\n');
}

/**
 * What to do when the journal and the event log disagree: most often an engine upgraded since the journal was
 * written. Only the simulated demo's data may simply be set aside: a real store's folder holds accounts and payments.
 */
function divergedHint(config: ServerConfig): string {
  const lines = [
    'The input journal and the event log disagree: most often the engine was upgraded since the journal was written.',
    'Run the version that wrote it until the store closes (docs/operations.md, "Durability and recovery").',
  ];
  if (config.sim.enabled) {
    const dir = config.dataDir;
    lines.push(`This is the simulated demo: its data is throwaway, so you can start fresh with: mv ${dir} ${dir}.old`);
  }
  return lines.join('\n');
}
