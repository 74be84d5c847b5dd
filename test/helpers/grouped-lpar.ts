// LPAR-shaped trees of grouped qeth devices; optionally each `online` a FIFO: a write to it blocks the writing
// thread in open(2) until the test opens the other end, as a real `online` write blocks in the kernel.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync, readSync, readdirSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { makeTmpRoot } from './tmp-root.js';

export interface FifoLpar {
  root: string;
  /** The read devnos, e.g. `0001`, `0004`, … */
  devnos: string[];
  /** `<root>/sys/devices/qeth/0.0.<devno>/online` of each device. */
  fifos: string[];
}

/** `count` grouped offline OSA devices (devnos 0001, 0004, …; layer2 1, portno 0); each group's `online` a FIFO. */
export function makeFifoLpar(count: number): FifoLpar {
  const lpar = makeGroupedLpar(count, { online: 'fifo' });
  const fifos = lpar.devnos.map((devno) => join(lpar.root, `sys/devices/qeth/0.0.${devno}/online`));
  for (const fifo of fifos) execFileSync('mkfifo', [fifo]);
  return { ...lpar, fifos };
}

/**
 * `count` grouped OSA devices (devnos 0001, 0004, …; layer2 1, portno 0), `online` as given ('fifo': left for the
 * caller to create). Online devices get an interface `enc<devno without leading 0s>` with address 02:00:00:00:00:01.
 */
export function makeGroupedLpar(count: number, options: { online: '0' | '1' | 'fifo' }): { root: string; devnos: string[] } {
  const files: Record<string, string> = { '/sys/bus/ccwgroup/drivers/qeth/group': '', '/proc/cio_ignore': '' };
  const links: Record<string, string> = {};
  const devnos = Array.from({ length: count }, (_, i) => (1 + 3 * i).toString(16).padStart(4, '0'));
  devnos.forEach((devno, index) => {
    const read = Number.parseInt(devno, 16);
    const group = `/sys/devices/qeth/0.0.${devno}`;
    files[`${group}/portno`] = '0\n';
    files[`${group}/layer2`] = '1\n';
    if (options.online !== 'fifo') files[`${group}/online`] = `${options.online}\n`;
    if (options.online === '1') {
      const ifname = `enc${devno.replace(/^0+/, '')}`;
      files[`${group}/net/${ifname}/ifindex`] = `${index + 2}\n`;
      files[`/sys/class/net/${ifname}/address`] = '02:00:00:00:00:01\n';
    }
    links[`/sys/bus/ccwgroup/devices/0.0.${devno}`] = `../../..${group.slice(4)}`;
    for (let k = 0; k < 3; k++) {
      const id = `0.0.${(read + k).toString(16).padStart(4, '0')}`;
      const subchannel = `/sys/devices/css0/0.0.${(3 * index + k).toString(16).padStart(4, '0')}`;
      files[`${subchannel}/chpids`] = '11 00 00 00 00 00 00 00\n';
      files[`${subchannel}/pimpampom`] = '80 80 80\n';
      files[`${subchannel}/${id}/cutype`] = '1731/01\n';
      files[`${subchannel}/${id}/online`] = '1\n';
      links[`${subchannel}/${id}/driver`] = '../../../../bus/ccw/drivers/qeth';
      links[`${subchannel}/${id}/group_device`] = `../../..${group.slice(4)}`;
      links[`/sys/bus/ccw/devices/${id}`] = `../../..${subchannel.slice(4)}/${id}`;
    }
  });
  return { root: makeTmpRoot(files, links), devnos };
}

/**
 * Serves one read of each FIFO with `value` (the agent reads `online` before writing it): opens the write end
 * without blocking as soon as a reader waits on it. Resolves when every FIFO has been served once.
 */
export async function serveOneReadEach(fifos: readonly string[], value: string, deadlineMs: number): Promise<void> {
  const pending = new Set(fifos);
  const until = Date.now() + deadlineMs;
  while (pending.size > 0) {
    if (Date.now() > until) throw new Error(`nobody read ${[...pending].join(', ')}`);
    for (const fifo of pending) {
      let fd: number;
      try {
        fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENXIO') continue; // no reader yet
        throw error;
      }
      writeSync(fd, value);
      closeSync(fd);
      pending.delete(fifo);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** How many threads of process `pid` are blocked in open(2) on a FIFO without a partner. */
export function threadsWaitingOnFifo(pid: number): number {
  let count = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    try {
      if (readFileSync(`/proc/${pid}/task/${task}/wchan`, 'utf8') === 'wait_for_partner') count += 1;
    } catch {
      // the thread ended meanwhile
    }
  }
  return count;
}

/** Opens the read end of each FIFO (releasing its blocked writer) and returns what each writer wrote. */
export async function drainEach(fifos: readonly string[], deadlineMs: number): Promise<string[]> {
  const fds = fifos.map((fifo) => openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK));
  const texts = fifos.map(() => '');
  const done = fifos.map(() => false);
  const until = Date.now() + deadlineMs;
  const buffer = Buffer.alloc(64);
  while (done.includes(false)) {
    if (Date.now() > until) break;
    fds.forEach((fd, i) => {
      if (done[i]) return;
      try {
        const n = readSync(fd, buffer, 0, buffer.length, null);
        if (n > 0) texts[i] += buffer.toString('utf8', 0, n);
        else if (texts[i] !== '') done[i] = true; // EOF after the writer's data
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  for (const fd of fds) closeSync(fd);
  return texts;
}
