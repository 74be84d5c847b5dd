// How kernel models fail: a HostError carrying the errno, re-labelled by the vfs with the caller's op and path.
import { HostError } from '../../src/host/host.js';

/** An errno raised inside a model (a store function, a netdev op); `detail` says which rule fired. */
export class Errno extends HostError {
  readonly detail: string | undefined;

  constructor(code: string, detail?: string) {
    super('kernel', undefined, code, detail);
    this.detail = detail;
  }
}

/** The message text strerror(3) gives, as iproute2 and modprobe print it. */
export const STRERROR: Record<string, string> = {
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  EIO: 'Input/output error',
  EAGAIN: 'Resource temporarily unavailable',
  ENOMEM: 'Cannot allocate memory',
  EBUSY: 'Device or resource busy',
  ENODEV: 'No such device',
  EINVAL: 'Invalid argument',
  ENOSPC: 'No space left on device',
  ERANGE: 'Numerical result out of range',
  EOPNOTSUPP: 'Operation not supported',
  EADDRINUSE: 'Address already in use',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  ETIMEDOUT: 'Connection timed out',
};
