// A real directory tree shaped like an LPAR's sysfs (no kernel behind it) for read-only runs of the bundle.
import { makeTmpRoot } from './tmp-root.js';

/**
 * OSA devices `visible` (devnos, consecutive subchannels, CHPID 11) with the qeth driver loaded,
 * `/proc/cio_ignore` holding `ignored`, and `/proc/cmdline` = `cmdline`.
 */
export function makeStaticLpar(options: { visible: string[]; ignored?: string; cmdline?: string }): string {
  const files: Record<string, string> = {
    '/sys/bus/ccwgroup/drivers/qeth/group': '',
    '/sys/bus/ccw/drivers/qeth/bind': '',
    '/proc/cio_ignore': options.ignored ?? '',
  };
  if (options.cmdline !== undefined) files['/proc/cmdline'] = `${options.cmdline}\n`;
  const links: Record<string, string> = {};
  options.visible.forEach((devno, index) => {
    const subchannel = `/sys/devices/css0/0.0.${index.toString(16).padStart(4, '0')}`;
    const device = `${subchannel}/0.0.${devno}`;
    files[`${subchannel}/chpids`] = '11 00 00 00 00 00 00 00\n';
    files[`${subchannel}/pimpampom`] = '80 80 80\n';
    files[`${device}/cutype`] = '1731/01\n';
    files[`${device}/online`] = '0\n';
    links[`${device}/driver`] = '../../../../bus/ccw/drivers/qeth';
    links[`/sys/bus/ccw/devices/0.0.${devno}`] = `../../..${device.slice(4)}`;
  });
  return makeTmpRoot(files, links);
}
