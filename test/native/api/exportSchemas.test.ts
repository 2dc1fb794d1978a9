import { describe, expect, it } from 'vitest';
import { dispatch } from '../../../native/api/dispatch.js';
import type { Handlers } from '../../../native/api/service.js';
import { MIN_PASSPHRASE_LENGTH } from '../../../native/export/media.js';

/** Handlers that record what reached them: a rejected argument must never get this far. */
function recorder(): { handlers: Handlers; reached: unknown[] } {
  const reached: unknown[] = [];
  const handlers = new Proxy({} as Handlers, {
    get: () => (request: unknown) => {
      reached.push(request);
      return 'handled';
    },
  });
  return { handlers, reached };
}

const PASS = 'correct horse battery staple';

describe('export, verify and cancel arguments', () => {
  it.each([
    ['a relative folder', { out: 'pkg', media: 'none', zip: false }, 'exportPackage: invalid argument: out: must be an absolute path'],
    ['encrypted media without a passphrase', { out: '/tmp/pkg', media: 'encrypted', zip: false }, 'exportPackage: invalid argument: passphrase: media encrypted needs a passphrase'],
    ['a passphrase without encrypted media', { out: '/tmp/pkg', media: 'none', passphrase: PASS, zip: false }, 'exportPackage: invalid argument: passphrase: only used with media encrypted'],
    ['an unknown media mode', { out: '/tmp/pkg', media: 'plain', zip: false }, /^exportPackage: invalid argument: media: /],
    ['a missing zip choice', { out: '/tmp/pkg', media: 'none' }, /^exportPackage: invalid argument: zip: /],
    ['an unknown field', { out: '/tmp/pkg', media: 'none', zip: false, overwrite: true }, /^exportPackage: invalid argument: .*overwrite/],
  ])('rejects %s with one clear line', async (_what, argument, error) => {
    const { handlers, reached } = recorder();
    const r = await dispatch(handlers, 'exportPackage', argument);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(typeof error === 'string' ? new RegExp(`^${error.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : error);
    expect(reached).toEqual([]);
  });

  it('holds the passphrase to the engine\'s rule, counting characters as the engine does, and never quotes it', async () => {
    const { handlers, reached } = recorder();
    const short = 'x'.repeat(MIN_PASSPHRASE_LENGTH - 1);
    // Astral characters are two UTF-16 units each: a length check on units would let this through.
    const shortAstral = '🔑'.repeat(MIN_PASSPHRASE_LENGTH - 1);
    for (const passphrase of [short, shortAstral]) {
      const r = await dispatch(handlers, 'exportPackage', { out: '/tmp/pkg', media: 'encrypted', passphrase, zip: true });
      expect(r).toEqual({ ok: false, error: `exportPackage: invalid argument: passphrase: must have at least ${MIN_PASSPHRASE_LENGTH} characters` });
    }
    expect(reached).toEqual([]);
    const ok = await dispatch(handlers, 'exportPackage', { out: '/tmp/pkg', media: 'encrypted', passphrase: '🔑'.repeat(MIN_PASSPHRASE_LENGTH), zip: true });
    expect(ok).toEqual({ ok: true, value: 'handled' });
    expect(await dispatch(handlers, 'exportPackage', { out: '/tmp/pkg', media: 'none', zip: false })).toEqual({ ok: true, value: 'handled' });
    expect(reached).toEqual([
      { out: '/tmp/pkg', media: 'encrypted', passphrase: '🔑'.repeat(MIN_PASSPHRASE_LENGTH), zip: true },
      { out: '/tmp/pkg', media: 'none', zip: false },
    ]);
  });

  it.each([
    [{ path: 'relative/pkg' }, 'verifyPackage: invalid argument: path: must be an absolute path'],
    [{ path: '/tmp/pkg', manifestSha256: 'abc' }, 'verifyPackage: invalid argument: manifestSha256: must be 64 hexadecimal digits'],
    [{ path: '/tmp/pkg', manifestSha256: 'g'.repeat(64) }, 'verifyPackage: invalid argument: manifestSha256: must be 64 hexadecimal digits'],
    [{}, /^verifyPackage: invalid argument: path: /],
  ])('rejects verify argument %j', async (argument, error) => {
    const { handlers, reached } = recorder();
    const r = await dispatch(handlers, 'verifyPackage', argument);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(typeof error === 'string' ? new RegExp(`^${error}$`) : error);
    expect(reached).toEqual([]);
  });

  it('accepts a verify with or without the expected manifest hash', async () => {
    const { handlers, reached } = recorder();
    expect(await dispatch(handlers, 'verifyPackage', { path: '/tmp/pkg' })).toEqual({ ok: true, value: 'handled' });
    expect(await dispatch(handlers, 'verifyPackage', { path: '/tmp/pkg.zip', manifestSha256: 'A'.repeat(64) })).toEqual({ ok: true, value: 'handled' });
    expect(reached).toHaveLength(2);
  });

  it.each([[{ jobId: 0 }], [{ jobId: '1' }], [{}], [{ jobId: 1, force: true }]])('rejects cancelIntake %j', async (argument) => {
    const { handlers, reached } = recorder();
    const r = await dispatch(handlers, 'cancelIntake', argument);
    expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/^cancelIntake: invalid argument: /) });
    expect(reached).toEqual([]);
  });
});
