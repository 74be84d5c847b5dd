// `--vendor-data <file|->`: a document the operator hands us (a saved copy, a test, a cloud without metadata).
import { InputUnavailableError } from '../../errors.js';
import type { Host } from '../../host/host.js';
import { HostError } from '../../host/host.js';
import { MAX_VENDOR_DATA_BYTES } from './http.js';

/** The text of `path` (`-` = stdin), relative to the working directory, not --root. Throws InputUnavailableError. */
export async function readVendorDataFile(host: Pick<Host, 'input'>, path: string): Promise<string> {
  const name = path === '-' ? 'stdin' : path;
  try {
    const bytes = await host.input.read(path, MAX_VENDOR_DATA_BYTES);
    return new TextDecoder().decode(bytes);
  } catch (error) {
    const reason =
      error instanceof HostError && error.code === 'EFBIG'
        ? `larger than ${MAX_VENDOR_DATA_BYTES} bytes, refused`
        : error instanceof HostError ? error.code : String(error);
    throw new InputUnavailableError(`--vendor-data ${name}: cannot read the document: ${reason}`, { cause: error });
  }
}
