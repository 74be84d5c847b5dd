// The s390x guests' results travel on a disk, not on the console: the guest writes a tar of its output
// directory to the raw block device (busybox tar, dd, sync) and the host reads the tar back from the image file
// once the emulator has exited. Hercules' 3215 console loses and mangles lines; a disk does neither. The console
// keeps only short "GBA" lines (steps, BOOT, RESULTS, DONE), which are cross-checked against the disk.
import { createHash } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hostEnv, mustRun } from '../../image/process.js';
import type { ConsoleReport, Step } from './console.js';

/** Bus id of the results disk in both emulators: a 9336 FBA DASD under Hercules, a virtio-blk-ccw disk under QEMU. */
export const RESULTS_DEVNO = '0100';
const SECTOR = 512;
/** 8 MiB: the outputs of a boot (JSON documents, sysfs tables, a filtered kernel log) are a few hundred KiB. */
export const RESULTS_SECTORS = 16_384;

/**
 * An empty FBA image made by Hyperion's own dasdinit (`-r`: no VOL1 label). Uncompressed FBA images are flat
 * 512-byte blocks from offset 0 (checked: dasdinit -r writes sectors × 512 zero bytes, and fbadasd.c maps block n
 * to offset n × 512), so the host reads what the guest wrote to block 0 at offset 0 of the file.
 */
export async function createFbaDisk(hyperionPrefix: string, path: string, sectors = RESULTS_SECTORS): Promise<void> {
  await mustRun(join(hyperionPrefix, 'bin/dasdinit'), ['-r', path, '9336', String(sectors)], { env: hostEnv({ LD_LIBRARY_PATH: join(hyperionPrefix, 'lib') }) });
  const size = statSync(path).size;
  if (size !== sectors * SECTOR) throw new Error(`dasdinit made ${path} of ${size} bytes, not ${sectors} × ${SECTOR}: not a flat FBA image`);
}

/** An empty raw image for QEMU's virtio-blk-ccw (format=raw). */
export function createRawDisk(path: string, sectors = RESULTS_SECTORS): void {
  writeFileSync(path, Buffer.alloc(sectors * SECTOR));
}

const field = (header: Buffer, from: number, length: number) => {
  const raw = header.subarray(from, from + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? length : end).toString('latin1');
};
const octal = (header: Buffer, from: number, length: number) => parseInt(field(header, from, length).trim() || '0', 8);

/**
 * The regular files of a ustar archive (busybox writes the old GNU magic "ustar  "), name → contents. Strict:
 * every header's checksum is checked, and anything but a tar from byte 0 to its two zero blocks is an error.
 */
export function readTar(image: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  let at = 0;
  for (;;) {
    if (at + SECTOR > image.length) throw new Error(`the tar runs past the end of the disk at byte ${at} (no end-of-archive blocks)`);
    const header = image.subarray(at, at + SECTOR);
    if (header.every((byte) => byte === 0)) {
      if (at === 0) throw new Error('no ustar header at byte 0: the guest wrote no results to the disk (its first block is zeros)');
      break;
    }
    if (!field(header, 257, 6).startsWith('ustar')) throw new Error(`no ustar header at byte ${at}${at === 0 ? ': the guest wrote no results to the disk' : ''}`);
    const stored = octal(header, 148, 8);
    let sum = 0;
    for (let index = 0; index < SECTOR; index++) sum += index >= 148 && index < 156 ? 0x20 : header[index]!;
    if (sum !== stored) throw new Error(`tar header at byte ${at}: checksum ${sum}, the header says ${stored}`);
    const prefix = field(header, 345, 155);
    const name = (prefix ? `${prefix}/` : '') + field(header, 0, 100).replace(/^\.\//, '');
    const size = octal(header, 124, 12);
    const type = field(header, 156, 1);
    const start = at + SECTOR;
    if (start + size > image.length) throw new Error(`tar member ${name} (${size} bytes) runs past the end of the disk`);
    if (type === '0' || type === '') files.set(name, Buffer.from(image.subarray(start, start + size)));
    at = start + Math.ceil(size / SECTOR) * SECTOR;
  }
  return files;
}

export interface Results {
  files: Map<string, Buffer>;
  /** Each step's exit and time as the guest recorded them in <name>.rc / <name>.secs. */
  steps: Map<string, Step>;
}

/**
 * The guest's results from the disk image, after the emulator has exited. Throws (naming the image) when the
 * disk is missing or holds no tar, when the tar is not the one the guest announced on the console ("GBA RESULTS
 * <bytes> <md5>"), or when a step's exit code on the console differs from the one in its .rc file.
 */
export function readResults(imagePath: string, console: ConsoleReport, options: { stepsOnConsole?: 'all' | 'none' } = {}): Results {
  let image: Buffer;
  try {
    image = readFileSync(imagePath);
  } catch (error) {
    throw new Error(`the results disk ${imagePath} cannot be read: ${(error as Error).message}`, { cause: error });
  }
  if (!console.results) throw new Error(`the guest never said it wrote its results (no "GBA RESULTS" line); the disk ${imagePath} is not trusted`);
  const { bytes, md5, rc } = console.results;
  if (rc !== 0) throw new Error(`the guest failed to write its results to the disk (exit ${rc})`);
  const written = image.subarray(0, bytes);
  const actual = createHash('md5').update(written).digest('hex');
  if (bytes > image.length || actual !== md5) throw new Error(`the results disk ${imagePath} does not hold what the guest wrote: ${bytes} bytes with md5 ${md5} announced, md5 ${actual} read`);
  const files = readTar(image);
  const steps = new Map<string, Step>();
  for (const [name, contents] of files) {
    const stepName = /^(.+)\.rc$/.exec(name)?.[1];
    if (!stepName) continue;
    const secs = files.get(`${stepName}.secs`);
    steps.set(stepName, { rc: Number(contents.toString('utf8').trim()), secs: Number(secs?.toString('utf8').trim() ?? NaN) });
  }
  // 'none': a console other programs share (systemd, getty, cloud-init) carries no step lines; the md5 above
  // still ties the disk to this boot, and any step line that does show up must agree.
  const names = options.stepsOnConsole === 'none' ? [...console.steps.keys()] : [...new Set([...steps.keys(), ...console.steps.keys()])];
  const disagree = names
    .filter((name) => steps.get(name)?.rc !== console.steps.get(name)?.rc)
    .map((name) => `${name}: console ${console.steps.get(name)?.rc ?? 'none'}, disk ${steps.get(name)?.rc ?? 'none'}`);
  if (disagree.length > 0) throw new Error(`the step exit codes on the console and on the results disk differ: ${disagree.join('; ')}`);
  return { files, steps };
}
