/**
 * The real-data section: the recorded AutoCheckout visit (../shared/data/autocheckout-cps-test-01), imported by
 * src/store/import-autocheckout.ts and fed to both engines. The dataset ships no true receipt, so this reports what
 * each engine charged, how many shelf events and review cases it raised, and its cost; it is skipped with a note
 * when the data folder or the importer is missing.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { EngineEvent } from '../engine/events.ts';
import { createDemoAuthorizer } from '../identity/demo-authorizer.ts';
import type { RecordedMessage } from '../protocol/recording.ts';
import { importAutoCheckout } from '../store/import-autocheckout.ts';
import type { Store } from '../store/store.ts';
import type { ItemCount } from '../weight/types.ts';
import { receiptsBeforeReview } from './after-review.ts';
import type { BenchDeps } from './run-bench.ts';

export const REAL_DATASET = 'autocheckout-cps-test-01';

export interface RealDataPolicy {
  charged: ItemCount[];
  shelfEvents: number;
  reviewCases: number;
  messagesPerCpuSecond: number | null;
  realTimeFactor: number | null;
}

export interface RealDataSection {
  dataset: string;
  note: string;
  walkout: RealDataPolicy | null;
  baseline: RealDataPolicy | null;
}

/** What the importer gives: the store it built and the visit as device messages (a gate scan included). */
export interface ImportedVisit {
  store: Store;
  messages: readonly RecordedMessage[];
}

type Importer = (dir: string) => ImportedVisit | Promise<ImportedVisit>;

export function realDataPolicy(deps: BenchDeps, visit: ImportedVisit, policy: 'walkout' | 'baseline'): RealDataPolicy {
  const events: EngineEvent[] = [];
  const engine = deps.createEngine({
    store: visit.store,
    authorizer: createDemoAuthorizer(),
    sink: (e) => events.push(e),
    policy,
  });
  const before = deps.cpuMicros();
  for (const m of visit.messages) engine.ingest(m.topic, m.payload);
  engine.finish();
  const cpuSeconds = (deps.cpuMicros() - before) / 1e6;
  const ts = visit.messages
    .map((m) => (m.payload as { ts?: unknown }).ts)
    .filter((t): t is number => typeof t === 'number');
  const span = ts.length > 0 ? (Math.max(...ts) - Math.min(...ts)) / 1000 : 0;
  const charged = receiptsBeforeReview(events).flatMap((r) => r.lines.map((l) => ({ sku: l.sku, qty: l.qty })));
  return {
    charged,
    shelfEvents: events.filter((e) => e.type === 'shelf.event').length,
    reviewCases: events.filter((e) => e.type === 'review.opened').length,
    messagesPerCpuSecond: cpuSeconds > 0 ? visit.messages.length / cpuSeconds : null,
    realTimeFactor: cpuSeconds > 0 ? span / cpuSeconds : null,
  };
}

export async function realDataSection(
  repoRoot: string,
  deps: BenchDeps,
  progress?: (line: string) => void,
  loadImporter: () => Promise<Importer | null> = defaultImporter,
): Promise<RealDataSection> {
  const dir = resolve(repoRoot, '..', 'shared', 'data', REAL_DATASET);
  const skipped = (note: string): RealDataSection => ({ dataset: REAL_DATASET, note, walkout: null, baseline: null });
  if (!existsSync(dir)) return skipped(`skipped: ${dir} is not present.`);
  const importer = await loadImporter();
  if (!importer)
    return skipped('skipped: the importer (src/store/import-autocheckout.ts importAutoCheckout) is not available.');
  progress?.(`replaying the real visit ${REAL_DATASET}…`);
  const visit = await importer(dir);
  return {
    dataset: REAL_DATASET,
    note: 'one real visit; the dataset gives no true receipt, so this shows what each engine charged and what it cost.',
    walkout: realDataPolicy(deps, visit, 'walkout'),
    baseline: realDataPolicy(deps, visit, 'baseline'),
  };
}

async function defaultImporter(): Promise<Importer | null> {
  return importAutoCheckout;
}
