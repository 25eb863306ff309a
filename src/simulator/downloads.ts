// The download links capture-result hands out, and the pcap files behind them until they expire.
import { randomBytes } from 'node:crypto';
import { boundedCache } from '../bounded-cache.ts';
import type { Outcome } from './answers.ts';
import type { CaptureFile } from './store.ts';

/** Seconds a capture-result URL stays valid, as its `expires` says (the unit is the simulator's assumption). */
export const CAPTURE_RESULT_EXPIRES_SECONDS = 300;

/** Where download links are served. */
export const DOWNLOAD_PATH = '/_simulator/download/';

/** A download link handed out by capture-result. */
interface Download {
  readonly file: CaptureFile;
  readonly fileName: string;
  readonly expiresAt: number;
}

/** A small but real pcap file: the global header and up to 16 empty Ethernet frames. */
function pcapOf(file: CaptureFile, startSeconds: number): Uint8Array {
  const frames = Math.min(16, file.packets);
  const frameBytes = 60;
  const buffer = Buffer.alloc(24 + frames * (16 + frameBytes));
  buffer.writeUInt32LE(0xa1b2c3d4, 0);
  buffer.writeUInt16LE(2, 4);
  buffer.writeUInt16LE(4, 6);
  buffer.writeUInt32LE(65535, 16);
  buffer.writeUInt32LE(1, 20);
  for (let i = 0; i < frames; i++) {
    const at = 24 + i * (16 + frameBytes);
    buffer.writeUInt32LE((startSeconds + i) >>> 0, at);
    buffer.writeUInt32LE(frameBytes, at + 8);
    buffer.writeUInt32LE(frameBytes, at + 12);
    buffer.writeUInt16BE(0x0800, at + 16 + 12);
  }
  return buffer;
}

export class Downloads {
  /** Links handed out, newest kept. */
  readonly #links = boundedCache<string, Download>(1_000);
  /** The simulator's clock, ms since the epoch. */
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  /** A new link to a file, valid CAPTURE_RESULT_EXPIRES_SECONDS: the file's name and the link's path. */
  issue(file: CaptureFile): { readonly fileName: string; readonly path: string } {
    const key = randomBytes(24).toString('base64url');
    const fileName = `${file.name.replace(/[^\w.-]/g, '_').slice(0, 100)}.pcap`;
    this.#links.set(key, { file, fileName, expiresAt: this.#now() + CAPTURE_RESULT_EXPIRES_SECONDS * 1000 });
    return { fileName, path: `${DOWNLOAD_PATH}${key}/${encodeURIComponent(fileName)}` };
  }

  /** GET /_simulator/download/{key}/{file}: the pcap a link points at, until it expires. */
  answer(url: URL): Outcome {
    const key = url.pathname.split('/')[3] ?? '';
    const download = this.#links.get(key);
    if (download === undefined) return { status: 404, body: JSON.stringify({ error: 'no such download link' }) };
    if (this.#now() >= download.expiresAt) return { status: 403, body: JSON.stringify({ error: 'the download link has expired' }) };
    return {
      status: 200,
      body: pcapOf(download.file, Math.floor(this.#now() / 1000)),
      headers: { 'content-type': 'application/vnd.tcpdump.pcap', 'content-disposition': `attachment; filename="${download.fileName}"` },
    };
  }
}
