import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame, FrameReader } from '../../../native/helpers/frames.js';
import { HelperError, HelperFailure, HelperGaveUp, HelperSupervisor, type HelperIncident, type HelperOptions } from '../../../native/helpers/supervisor.js';

const UNRULY = join(import.meta.dirname, 'fixtures', 'unrulyHelper.mjs');
const open: HelperSupervisor[] = [];

function supervise(overrides: Partial<HelperOptions> = {}): HelperSupervisor {
  const s = new HelperSupervisor({ name: 'unruly', command: process.execPath, args: [UNRULY], requestTimeoutMs: 5000, maxRestarts: 3, ...overrides });
  open.push(s);
  return s;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

describe('frames', () => {
  it('splits frames across arbitrary chunk boundaries and keeps bodies byte-exact', () => {
    const body = Buffer.from([0, 1, 2, 255, 10, 13]);
    const wire = Buffer.concat([encodeFrame({ a: 'é' }, body), encodeFrame({ b: 2 }), encodeFrame({ c: [1] }, Buffer.alloc(70_000, 7))]);
    const reader = new FrameReader();
    const frames = [];
    for (let i = 0; i < wire.length; i += 13) frames.push(...reader.push(wire.subarray(i, i + 13)));
    expect(frames.map((f) => f.header)).toEqual([{ a: 'é' }, { b: 2 }, { c: [1] }]);
    expect(frames[0]!.body.equals(body)).toBe(true);
    expect(frames[1]!.body.length).toBe(0);
    expect(frames[2]!.body.equals(Buffer.alloc(70_000, 7))).toBe(true);
  });

  it('refuses a length no helper in step with us would send', () => {
    const bad = Buffer.alloc(8);
    bad.writeUInt32LE(0xfffffff0, 0);
    expect(() => new FrameReader().push(bad)).toThrow(/exceeds/);
  });
});

describe('HelperSupervisor', () => {
  it('answers requests in order from one long-lived process, with binary bodies', async () => {
    const s = supervise();
    const replies = await Promise.all([1, 2, 3].map((n) => s.request({ op: 'echo', value: n }, Buffer.from([n, 0, 9]))));
    expect(replies.map((r) => r.header['echo'])).toEqual([1, 2, 3]);
    expect([...replies[1]!.body]).toEqual([9, 0, 2]);
    expect(new Set(replies.map((r) => r.header['pid'])).size).toBe(1);
    expect(s.starts).toBe(1);
  });

  it('hands intermediate frames to onFrame and resolves on the last', async () => {
    const s = supervise();
    const seen: unknown[] = [];
    const last = await s.request({ op: 'stream', count: 5 }, undefined, { onFrame: (f) => seen.push(f.header['i']) });
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(last.header).toEqual({ done: 5 });
  });

  it('a refusal rejects that request only; the process stays up', async () => {
    const s = supervise();
    await expect(s.request({ op: 'refuse', what: 'parse' })).rejects.toBeInstanceOf(HelperError);
    const after = await s.request({ op: 'echo', value: 'x' });
    expect(after.header['echo']).toBe('x');
    expect(s.starts).toBe(1);
    expect(s.incidents).toEqual([]);
  });

  it('a crash rejects with the request label and stderr, restarts, and re-runs prepare', async () => {
    const incidents: HelperIncident[] = [];
    const s = supervise({ prepare: async (call) => { await call({ op: 'open', path: '/evidence/image.E01' }); }, onIncident: (i) => incidents.push(i) });
    const first = await s.request({ op: 'echo', value: 1 });
    expect(first.header['opened']).toBe('/evidence/image.E01');
    const err = await s.request({ op: 'crash', entry: 'inode 42' }, undefined, { label: 'partition 1 > /bad.jpg' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HelperFailure);
    const incident = (err as HelperFailure).incident;
    expect(incident).toMatchObject({ helper: 'unruly', kind: 'crash', request: 'partition 1 > /bad.jpg', detail: 'exited with code 3', generation: 1 });
    expect(incident.stderrTail).toContain('crashing on inode 42');
    expect(incidents).toEqual([incident]);
    const second = await s.request({ op: 'echo', value: 2 });
    expect(second.header['opened']).toBe('/evidence/image.E01');
    expect(second.header['pid']).not.toBe(first.header['pid']);
    expect(s.starts).toBe(2);
  });

  it('a signal (segfault) is a crash like any other', async () => {
    const s = supervise();
    const err = await s.request({ op: 'segv' }, undefined, { label: 'inode 7' }).catch((e: unknown) => e);
    expect((err as HelperFailure).incident).toMatchObject({ kind: 'crash', request: 'inode 7', detail: 'killed by SIGSEGV' });
    expect((await s.request({ op: 'echo', value: 'ok' })).header['echo']).toBe('ok');
  });

  it('a hang is killed after the timeout and recorded; later requests work', async () => {
    const s = supervise();
    const before = await s.request({ op: 'echo', value: 0 });
    const hungPid = before.header['pid'] as number;
    const started = Date.now();
    const err = await s.request({ op: 'hang' }, undefined, { label: 'inode 99', timeoutMs: 300 }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect((err as HelperFailure).incident).toMatchObject({ kind: 'timeout', request: 'inode 99' });
    await new Promise((r) => setTimeout(r, 100));
    expect(alive(hungPid)).toBe(false);
    expect((await s.request({ op: 'echo', value: 1 })).header['echo']).toBe(1);
  });

  it('a per-request timeout overrides the default, and streamed progress keeps a slow request alive', async () => {
    const s = supervise({ requestTimeoutMs: 5000 });
    await expect(s.request({ op: 'hang' }, undefined, { timeoutMs: 200 })).rejects.toBeInstanceOf(HelperFailure);
    await s.request({ op: 'echo' });
    const frames: number[] = [];
    const done = await s.request({ op: 'slowstream', count: 6, everyMs: 250 }, undefined, { timeoutMs: 700, onFrame: (f) => frames.push(f.header['i'] as number) });
    expect(done.header).toEqual({ done: 6 });
    expect(frames).toHaveLength(6);
  });

  it('garbage on stdout is a protocol incident, not a crash of the app', async () => {
    const s = supervise();
    const err = await s.request({ op: 'garbage' }).catch((e: unknown) => e);
    expect((err as HelperFailure).incident.kind).toBe('protocol');
    expect((await s.request({ op: 'echo', value: 3 })).header['echo']).toBe(3);
  });

  it('gives up after maxRestarts, and says why', async () => {
    const s = supervise({ maxRestarts: 2 });
    for (let i = 0; i < 3; i++) await expect(s.request({ op: 'crash', entry: i })).rejects.toBeInstanceOf(HelperFailure);
    const err = await s.request({ op: 'echo', value: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HelperGaveUp);
    expect((err as Error).message).toMatch(/gave up after 2 restarts/);
    expect(s.starts).toBe(3);
    expect(s.incidents).toHaveLength(3);
  });

  it('a prepare the helper refuses stops the supervisor instead of restarting in a loop', async () => {
    const s = supervise({ prepare: async (call) => { await call({ op: 'refuse', what: 'open image' }); } });
    await expect(s.request({ op: 'echo', value: 1 })).rejects.toBeInstanceOf(HelperError);
    await expect(s.request({ op: 'echo', value: 1 })).rejects.toThrow(/cannot open image/);
    expect(s.starts).toBe(1);
  });

  it('a missing program is a spawn incident', async () => {
    const s = supervise({ command: '/nonexistent/helper', maxRestarts: 0 });
    const err = await s.request({ op: 'echo' }).catch((e: unknown) => e);
    expect((err as HelperFailure).incident.kind).toBe('spawn');
  });

  it('close ends the process cleanly and refuses later requests', async () => {
    const s = supervise();
    const pid = (await s.request({ op: 'echo', value: 1 })).header['pid'] as number;
    await s.close();
    expect(alive(pid)).toBe(false);
    expect(s.incidents).toEqual([]);
    await expect(s.request({ op: 'echo' })).rejects.toBeInstanceOf(HelperGaveUp);
  });

  it('close gives a request in flight a grace period, then kills the helper', async () => {
    const s = supervise({ closeGraceMs: 200, requestTimeoutMs: 60_000 });
    const pid = (await s.request({ op: 'echo', value: 1 })).header['pid'] as number;
    const hung = s.request({ op: 'hang' }, undefined, { label: 'inode 5' }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await s.close();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await hung).toBeInstanceOf(HelperGaveUp);
    expect(alive(pid)).toBe(false);
    expect(s.incidents).toEqual([]);
  });
});
