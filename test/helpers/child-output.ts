/**
 * A child process's stdout and stderr collected as text, for assertions and failure messages.
 */
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';

export function collectOutput(child: ChildProcessByStdio<null, Readable, Readable>): { out: string; err: string } {
  const text = { out: '', err: '' };
  child.stdout.on('data', (d) => {
    text.out += d;
  });
  child.stderr.on('data', (d) => {
    text.err += d;
  });
  return text;
}
