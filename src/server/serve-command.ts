/**
 * `walkout serve`: runs a store server (MQTT ingest, engine, event log, web pages, and by default the simulated store
 * feed) until SIGINT/SIGTERM, then shuts it down gracefully. Prints where to browse, where devices publish, what the
 * start-up recovery replayed, and the staff token.
 */
import type { Command } from 'commander';
import { loadStoreFile } from '../store/load-store.ts';
import { type ConfigOverrides, loadConfig } from './config.ts';
import { StoreServer } from './store-server.ts';

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
  let info: Awaited<ReturnType<StoreServer['start']>>;
  try {
    info = await server.start();
  } catch (error) {
    console.error(`cannot start the store server: ${(error as Error).message}`);
    return 1;
  }
  const { def } = store.value;
  console.log(`\n  ${def.name} (${def.id}) is open`);
  console.log(`  web        ${info.httpUrl}/staff/live`);
  console.log(`  api        ${info.httpUrl}/api/snapshot   metrics ${info.httpUrl}/metrics`);
  console.log(`  mqtt       ${info.mqttUrl}   (devices publish to walkout/${def.id}/…)`);
  console.log(`  event log  ${info.db}`);
  const r = info.recovery;
  if (r.calls > 0) {
    console.log(
      `  recovered  ${r.calls} journalled calls replayed in ${r.seconds.toFixed(1)} s (${r.matched} decisions already logged, ${r.appended} appended)`,
    );
  }
  const tokenNote = config.value.staffTokenGenerated
    ? ' (generated for this run; set WALKOUT_STAFF_TOKEN to keep one)'
    : '';
  console.log(`  staff      ${info.staffToken}${tokenNote}`);
  console.log(
    `  simulated  ${config.value.sim.enabled ? `${config.value.sim.shoppersPerHour} shoppers/hour` : 'off'}\n`,
  );
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
