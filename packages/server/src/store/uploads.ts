import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Ciphertext of uploads in progress and of accepted updates of the open round, one file per update
 * id. A chunk is written at its offset and fsynced before it is acknowledged, so a resumed upload
 * (or a restarted coordinator) can trust every chunk the database lists.
 */
export class UploadFiles {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  private path(updateId: string): string {
    if (!/^[A-Za-z0-9_-]+$/.test(updateId)) throw new RangeError(`bad update id ${updateId}`);
    return join(this.dir, `${updateId}.part`);
  }

  writeChunk(updateId: string, offset: number, data: Uint8Array): void {
    const fd = openSync(this.path(updateId), 'a+');
    closeSync(fd);
    const w = openSync(this.path(updateId), 'r+');
    try {
      let done = 0;
      while (done < data.length) done += writeSync(w, data, done, data.length - done, offset + done);
      fsyncSync(w);
    } finally {
      closeSync(w);
    }
  }

  read(updateId: string): Uint8Array {
    return readFileSync(this.path(updateId));
  }

  remove(updateId: string): void {
    rmSync(this.path(updateId), { force: true });
  }
}
