// An image's size and its layers' sizes, from `podman history --format json`, against its base
// image's: pure. Sizes are uncompressed, in decimal units as podman and Docker print them.

export interface Layer {
  /** The instruction that made it, shortened (see instructionOf). */
  readonly instruction: string;
  readonly bytes: number;
}

interface HistoryEntry {
  readonly CreatedBy?: unknown;
  readonly size?: unknown;
}

/** `podman history --format json` (newest first) as layers, oldest first. */
export function layersOf(historyJson: string): Layer[] {
  const entries: unknown = JSON.parse(historyJson);
  if (!Array.isArray(entries)) throw new Error('podman history --format json did not print a list');
  return entries
    .map((entry: HistoryEntry) => {
      if (typeof entry.size !== 'number') throw new Error(`podman history gave a layer without a size: ${JSON.stringify(entry)}`);
      return { instruction: instructionOf(typeof entry.CreatedBy === 'string' ? entry.CreatedBy : ''), bytes: entry.size };
    })
    .reverse();
}

/** `/bin/sh -c #(nop) COPY dir:5158d1… in ./node_modules ` → `COPY ./node_modules`; a RUN keeps its command. */
export function instructionOf(createdBy: string): string {
  const nop = /^\/bin\/sh -c #\(nop\)\s+(.*)$/s.exec(createdBy.trim());
  if (nop === null) return `RUN ${createdBy.trim().replace(/^\/bin\/sh -c /, '')}`;
  const instruction = (nop[1] ?? '').replace(/\s+/g, ' ').trim();
  const copy = /^(COPY|ADD) (?:file|dir|multi):[0-9a-f]+ in (.+)$/.exec(instruction);
  return copy === null ? instruction : `${copy[1] ?? ''} ${copy[2] ?? ''}`;
}

const UNITS = ['B', 'kB', 'MB', 'GB'] as const;

/** 333326987 → `333.3 MB`; 6144 → `6.1 kB`; 0 → `0 B` (powers of 1000). */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit] ?? ''}`;
}

export interface SizedImage {
  readonly reference: string;
  /** What the image is, said after its reference. */
  readonly note?: string;
  readonly bytes: number;
  readonly layers: readonly Layer[];
}

/**
 * The size report: the image's total against its base's, and every layer that holds files (oldest
 * first), each marked as the base's or the Dockerfile's. The image's first layers must be its base's.
 */
export function sizeReport(image: SizedImage, base: SizedImage): string[] {
  const ownLayers = image.layers.slice(base.layers.length);
  const sameStart = base.layers.every((layer, index) => image.layers[index]?.instruction === layer.instruction && image.layers[index].bytes === layer.bytes);
  if (!sameStart) throw new Error(`${image.reference} does not start with the layers of ${base.reference}`);
  const own = image.bytes - base.bytes;
  const rows = image.layers
    .map((layer, index) => ({ ...layer, from: index < base.layers.length ? 'base' : 'Dockerfile' }))
    .filter((layer) => layer.bytes > 0)
    .map(
      (layer) =>
        `  ${formatBytes(layer.bytes).padStart(9)}  ${layer.from.padEnd(10)}  ${layer.instruction.length > 90 ? `${layer.instruction.slice(0, 89)}…` : layer.instruction}`,
    );
  return [
    `${image.reference}: ${formatBytes(image.bytes)} (${image.bytes} bytes), ${image.layers.length} layers, ${image.layers.filter((layer) => layer.bytes > 0).length} with files`,
    `${base.reference}${base.note === undefined ? '' : ` (${base.note})`}: ${formatBytes(base.bytes)}; the Dockerfile adds ${formatBytes(own)} in ${ownLayers.filter((layer) => layer.bytes > 0).length} layers`,
    ...rows,
  ];
}
