import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { tmpdir, userInfo } from 'node:os';
import { jsonLines, kestrel } from '../../helpers/cli.js';
import { createService, type KestrelService } from '../../../native/api/service.js';
import { dispatch } from '../../../native/api/dispatch.js';
import type { Result, ShareResult } from '../../../native/api/types.js';

describe('exportHashset through the service', () => {
  let dir: string;
  let service: KestrelService;
  const call = async (channel: string, arg: unknown) => (await dispatch(service.handlers, channel, arg)) as Result<unknown>;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kestrel-share-service-'));
    service = createService({ libraryDir: join(dir, 'library') });
  });
  afterEach(async () => {
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a library list as ThreatExchange PDQ lines and reports the file hash', async () => {
    const pdq = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';
    const src = join(dir, 'list.pdq');
    writeFileSync(src, `${pdq},100,bridge\n`);
    expect((await call('importHashList', { file: src, format: 'pdq', name: 'bridges' })).ok).toBe(true);
    const out = join(dir, 'share.te.txt');
    const r = await call('exportHashset', { out, format: 'te', list: 'bridges' });
    expect(r.ok, JSON.stringify(r)).toBe(true);
    const v = (r as { value: ShareResult }).value;
    expect(readFileSync(out, 'utf8')).toBe(`pdq ${pdq}\n`);
    expect(v).toMatchObject({ file: out, format: 'te', items: 1, auditSeq: 1, sha256: createHash('sha256').update(`pdq ${pdq}\n`).digest('hex') });
    const audit = jsonLines(kestrel(['library', 'audit', 'show', '--library', join(dir, 'library')]).stdout);
    expect(audit).toMatchObject([{ seq: 1, action: 'hashset.export', actor: userInfo().username, details: { file: out, sha256: v.sha256, source: { list: 'bridges', version: 1 } } }]);
  });

  it('refuses a relative path, an unknown format, and a case export with no case open', async () => {
    expect(await call('exportHashset', { out: 'rel.txt', format: 'te', list: 'x' })).toMatchObject({ ok: false });
    expect(await call('exportHashset', { out: join(dir, 'a.txt'), format: 'zip', list: 'x' })).toMatchObject({ ok: false });
    const r = await call('exportHashset', { out: join(dir, 'b.txt'), format: 'md5sum' });
    expect(r.ok).toBe(false);
  });
});
