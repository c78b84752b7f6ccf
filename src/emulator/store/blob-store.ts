import { randomBytes } from 'node:crypto';
import { constants, createReadStream } from 'node:fs';
import { copyFile, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

const BLOB_ID = /^[0-9a-f]{32}$/;

/**
 * Content files (object bodies, parts, imported data) under <dataDir>/blobs/, named by random ids, never by
 * user-supplied keys: no bucket or key can name a path, so nothing can escape the data directory.
 * Written to <dataDir>/tmp/ first, fsynced, then renamed in; the state refers to a blob only after that.
 */
export class BlobStore {
  readonly blobsDir: string;
  readonly tmpDir: string;

  constructor(dataDir: string) {
    this.blobsDir = join(dataDir, 'blobs');
    this.tmpDir = join(dataDir, 'tmp');
  }

  async init(): Promise<void> {
    await rm(this.tmpDir, { recursive: true, force: true }); // leftovers of interrupted writes
    await mkdir(this.tmpDir, { recursive: true });
    await mkdir(this.blobsDir, { recursive: true });
  }

  tempPath(): string {
    return join(this.tmpDir, randomBytes(16).toString('hex'));
  }

  path(id: string): string {
    if (!BLOB_ID.test(id)) throw new Error(`invalid blob id ${JSON.stringify(id)}`);
    return join(this.blobsDir, id.slice(0, 2), id);
  }

  /** Moves a finished temp file into the store (after fsync) and returns its id. */
  async adopt(tempFile: string): Promise<string> {
    const fh = await open(tempFile, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    const id = randomBytes(16).toString('hex');
    await mkdir(join(this.blobsDir, id.slice(0, 2)), { recursive: true });
    await rename(tempFile, this.path(id));
    return id;
  }

  async write(data: Uint8Array | string): Promise<string> {
    const tmp = this.tempPath();
    const fh = await open(tmp, 'w');
    try {
      await fh.writeFile(data);
    } finally {
      await fh.close();
    }
    return this.adopt(tmp);
  }

  /** A new blob with the content of `id` (a reflink where the file system can make one). */
  async copy(id: string): Promise<string> {
    const tmp = this.tempPath();
    try {
      await copyFile(this.path(id), tmp, constants.COPYFILE_FICLONE);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    return this.adopt(tmp);
  }

  read(id: string): Promise<Buffer> {
    return readFile(this.path(id));
  }

  stream(id: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.path(id), range ? { start: range.start, end: range.end } : {});
  }

  async remove(id: string): Promise<void> {
    await rm(this.path(id), { force: true });
  }

  /** Deletes blobs no state entry refers to (left by a crash between writing a blob and committing the state). */
  async sweep(referenced: Set<string>): Promise<number> {
    let removed = 0;
    for (const dir of await readdir(this.blobsDir).catch(() => [] as string[])) {
      for (const name of await readdir(join(this.blobsDir, dir)).catch(() => [] as string[])) {
        if (!referenced.has(name)) {
          await rm(join(this.blobsDir, dir, name), { force: true });
          removed++;
        }
      }
    }
    return removed;
  }
}
