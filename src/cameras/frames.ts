/**
 * Camera frames in: parses `--source cam1=rtsp://…` arguments, builds the ffmpeg command that decodes a stream or a
 * file into raw RGB24 frames at a fixed rate and size, cuts ffmpeg's stdout into whole frames, and holds the few
 * pending frames per camera (the frame slot) that make back-pressure explicit: when inference falls behind, a live
 * camera's older frame is dropped and counted, never queued without bound.
 */
import { type ChildProcessByStdio, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { fail, ok, type Result, WalkoutError } from '../errors.ts';

export interface CameraSource {
  cameraId: string;
  /** rtsp://, http(s)://, udp:// … or a video file path. */
  url: string;
}

/** Parses `cam1=rtsp://host/stream` or `cam1=clip.mp4`. */
export function parseSource(arg: string): Result<CameraSource, 'BAD_SOURCE'> {
  const eq = arg.indexOf('=');
  if (eq <= 0 || eq === arg.length - 1) return fail('BAD_SOURCE', `want <camera>=<url or file>, got "${arg}"`);
  const cameraId = arg.slice(0, eq);
  if (!/^[A-Za-z0-9_.:-]+$/.test(cameraId)) return fail('BAD_SOURCE', `bad camera id "${cameraId}"`);
  return ok({ cameraId, url: arg.slice(eq + 1) });
}

/** A live stream (rtsp, http, udp…) as opposed to a recorded file. */
export function isLive(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(url) && !url.startsWith('file://');
}

export interface DecodeOptions {
  fps: number;
  width: number;
  height: number;
  /** Read a file at its own frame rate (ffmpeg -re), as a live camera would deliver it. */
  realtime?: boolean;
  /** Stop after this many output frames. */
  maxFrames?: number;
}

/** ffmpeg arguments: decode `url`, resample to `fps`, scale to the calibrated size, raw RGB24 on stdout. */
export function ffmpegArgs(url: string, o: DecodeOptions): string[] {
  const input: string[] = ['-hide_banner', '-loglevel', 'error', '-nostdin'];
  if (url.startsWith('rtsp://')) input.push('-rtsp_transport', 'tcp');
  if (o.realtime && !isLive(url)) input.push('-re');
  input.push('-i', url.startsWith('file://') ? new URL(url).pathname : url);
  const out = ['-an', '-vf', `fps=${o.fps},scale=${o.width}:${o.height}`, '-pix_fmt', 'rgb24', '-f', 'rawvideo'];
  if (o.maxFrames !== undefined) out.push('-frames:v', String(o.maxFrames));
  return [...input, ...out, 'pipe:1'];
}

/** Cuts a byte stream into frames of exactly `frameBytes`; keeps a partial frame until the rest arrives. */
export class FrameSplitter {
  private partial: Buffer = Buffer.alloc(0);

  constructor(readonly frameBytes: number) {
    if (!(frameBytes > 0)) throw new WalkoutError('BAD_FRAME', 'frame size must be positive');
  }

  push(chunk: Buffer): Buffer[] {
    const data = this.partial.length > 0 ? Buffer.concat([this.partial, chunk]) : chunk;
    const frames: Buffer[] = [];
    let at = 0;
    // Copy each frame out: the chunk's memory is reused by the stream.
    for (; at + this.frameBytes <= data.length; at += this.frameBytes) {
      frames.push(Buffer.from(data.subarray(at, at + this.frameBytes)));
    }
    this.partial = Buffer.from(data.subarray(at));
    return frames;
  }

  /** Bytes of an incomplete frame still held (non-zero at the end of a stream means a truncated frame). */
  get pending(): number {
    return this.partial.length;
  }
}

export interface PendingFrame {
  /** Output frame number from the decoder (0-based); gaps in published numbers are dropped frames. */
  index: number;
  rgb: Buffer;
  /** Wall-clock ms when the frame came off the pipe: a live camera's timestamp. */
  at: number;
}

/**
 * The frames waiting for inference from one camera, bounded by `capacity`. A frame offered to a full slot pushes the
 * oldest out (dropped and counted). Live cameras use capacity 1 (inference always gets the newest frame); a file read
 * losslessly uses a few and pauses its decoder while `full`, so nothing is dropped and nothing piles up either.
 */
export class FrameSlot {
  private readonly frames: PendingFrame[] = [];
  dropped = 0;
  offered = 0;

  constructor(readonly capacity = 1) {
    if (!(capacity >= 1)) throw new WalkoutError('BAD_CONFIG', 'a frame slot holds at least one frame');
  }

  offer(frame: PendingFrame): void {
    this.offered++;
    this.frames.push(frame);
    while (this.frames.length > this.capacity) {
      this.frames.shift();
      this.dropped++;
    }
  }

  take(): PendingFrame | undefined {
    return this.frames.shift();
  }

  get size(): number {
    return this.frames.length;
  }

  get full(): boolean {
    return this.frames.length >= this.capacity;
  }
}

export interface Decoder {
  /** Resolves when ffmpeg exits: its code and the tail of its stderr. */
  readonly done: Promise<{ code: number | null; stderr: string }>;
  pause(): void;
  resume(): void;
  stop(): void;
}

/** Spawns ffmpeg for one source and calls `onFrame` for each whole frame it writes. */
export function startDecoder(
  url: string,
  o: DecodeOptions,
  onFrame: (frame: Buffer) => void,
  ffmpegPath = process.env.FFMPEG_PATH ?? 'ffmpeg',
): Decoder {
  const splitter = new FrameSplitter(o.width * o.height * 3);
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(ffmpegPath, ffmpegArgs(url, o), {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString('utf8')).slice(-2000);
  });
  child.stdout.on('data', (chunk: Buffer) => {
    for (const frame of splitter.push(chunk)) onFrame(frame);
  });
  const done = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    child.on('error', (error) => resolve({ code: -1, stderr: `${stderr}${error.message}` }));
    child.on('close', (code) => resolve({ code, stderr }));
  });
  return {
    done,
    pause: () => child.stdout.pause(),
    resume: () => child.stdout.resume(),
    stop: () => {
      if (child.exitCode === null) child.kill('SIGTERM');
    },
  };
}
