/**
 * Recordings: NDJSON files with one `{topic, payload}` per line, in the order the devices sent them.
 * Used by the simulator, the AutoCheckout import, `walkout replay` and the benchmark.
 */

import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

export interface RecordedMessage {
  topic: string;
  /** The JSON payload as the device sent it (not yet validated). */
  payload: unknown;
}

/** Streams a recording line by line; a line that is not JSON is passed on as its raw text so ingest rejects it. */
export async function* readRecording(file: string): AsyncGenerator<RecordedMessage> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      yield { topic: '(unparseable line)', payload: line };
      continue;
    }
    const m = parsed as Partial<RecordedMessage>;
    yield { topic: typeof m.topic === 'string' ? m.topic : '(no topic)', payload: m.payload };
  }
}

/** Appends messages to an NDJSON file with back-pressure. */
export class RecordingWriter {
  private readonly out: WriteStream;

  constructor(file: string) {
    this.out = createWriteStream(file, 'utf8');
  }

  async write(message: RecordedMessage): Promise<void> {
    if (!this.out.write(`${JSON.stringify(message)}\n`)) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    this.out.end();
    await once(this.out, 'finish');
  }
}
