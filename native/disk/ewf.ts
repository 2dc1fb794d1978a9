import { spawn } from 'node:child_process';

/**
 * What an E01 says about itself (ewfinfo) and whether its content still matches the hashes stored
 * at acquisition (ewfverify). TSK reads a damaged chunk without complaint, so only this check tells
 * the examiner that the image is not what was acquired. Each tool runs once per image.
 */
export type VerificationStatus = 'verified' | 'mismatch' | 'no stored hash' | 'not verified';

export interface EwfVerification {
  status: VerificationStatus;
  tool: string;
  stored: { md5: string | null; sha1: string | null };
  computed: { md5: string | null; sha1: string | null };
  /** Chunks whose checksum failed, as sector ranges (first, last inclusive). */
  sectorErrors: Array<{ first: number; last: number }>;
  message: string;
}

export interface EwfMetadata {
  caseNumber: string | null;
  description: string | null;
  examiner: string | null;
  evidenceNumber: string | null;
  notes: string | null;
  acquisitionDate: string | null;
  systemDate: string | null;
  operatingSystem: string | null;
  acquisitionSoftware: string | null;
  fileFormat: string | null;
  mediaSize: number | null;
  bytesPerSector: number | null;
  storedMd5: string | null;
  storedSha1: string | null;
  /** Every "key: value" line ewfinfo printed, as printed. */
  raw: Record<string, string>;
}

function run(command: string, args: string[], timeoutMs: number): Promise<{ code: number | null; out: string; err: string; missing: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LANG: 'C', LC_ALL: 'C' } });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
    child.on('error', (e) => { clearTimeout(timer); resolve({ code: null, out, err: e.message, missing: (e as NodeJS.ErrnoException).code === 'ENOENT' }); });
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, out, err, missing: false }); });
  });
}

function keyValues(text: string): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^\s*([^:\t][^:]*?):\s*(.*?)\s*$/.exec(line);
    if (m && m[2] !== '' && !m[1]!.startsWith('ewf')) raw[m[1]!] = m[2]!;
  }
  return raw;
}

export async function ewfInfo(firstSegment: string): Promise<EwfMetadata | null> {
  const r = await run('ewfinfo', [firstSegment], 60_000);
  if (r.code !== 0) return null;
  const raw = keyValues(r.out);
  const v = (k: string) => raw[k] ?? null;
  const n = (k: string) => (raw[k] ? Number(/\d+/.exec(raw[k]!.includes('(') ? raw[k]!.slice(raw[k]!.indexOf('(')) : raw[k]!)?.[0]) : null);
  return {
    caseNumber: v('Case number'), description: v('Description'), examiner: v('Examiner name'), evidenceNumber: v('Evidence number'),
    notes: v('Notes'), acquisitionDate: v('Acquisition date'), systemDate: v('System date'), operatingSystem: v('Operating system used'),
    acquisitionSoftware: v('Software version used'), fileFormat: v('File format'), mediaSize: n('Media size'), bytesPerSector: n('Bytes per sector'),
    storedMd5: v('MD5'), storedSha1: v('SHA1'), raw,
  };
}

export async function ewfVerify(firstSegment: string, timeoutMs = 6 * 3600_000): Promise<EwfVerification> {
  const r = await run('ewfverify', ['-q', '-d', 'sha1', firstSegment], timeoutMs);
  const tool = 'ewfverify (libewf) -d sha1';
  const none = { md5: null, sha1: null };
  if (r.missing) return { status: 'not verified', tool, stored: none, computed: none, sectorErrors: [], message: 'ewfverify not installed (Debian: ewf-tools); the stored hashes were not checked' };
  const text = `${r.out}\n${r.err}`;
  const pick = (re: RegExp) => re.exec(text)?.[1]?.toLowerCase() ?? null;
  const stored = { md5: pick(/MD5 hash stored in file:\s*([0-9a-f]{32})/i), sha1: pick(/SHA1 hash stored in file:\s*([0-9a-f]{40})/i) };
  const computed = { md5: pick(/MD5 hash calculated over data:\s*([0-9a-f]{32})/i), sha1: pick(/SHA1 hash calculated over data:\s*([0-9a-f]{40})/i) };
  const sectorErrors = [...text.matchAll(/at sector\(s\):\s*(\d+)\s*-\s*(\d+)/g)].map((m) => ({ first: Number(m[1]), last: Number(m[2]) }));
  const success = /ewfverify: SUCCESS/.test(text);
  const failure = /ewfverify: FAILURE/.test(text);
  const hashMismatch = (stored.md5 && computed.md5 && stored.md5 !== computed.md5) || (stored.sha1 && computed.sha1 && stored.sha1 !== computed.sha1);
  if (failure || hashMismatch || sectorErrors.length > 0) {
    const parts = [
      hashMismatch ? `stored ${stored.md5 ? `MD5 ${stored.md5}` : `SHA-1 ${stored.sha1}`} but the data gives ${stored.md5 ? computed.md5 : computed.sha1}` : null,
      sectorErrors.length ? `checksum errors at sectors ${sectorErrors.map((s) => `${s.first}-${s.last}`).join(', ')}` : null,
    ].filter(Boolean);
    return { status: 'mismatch', tool, stored, computed, sectorErrors, message: parts.join('; ') || 'ewfverify reported FAILURE' };
  }
  if (success && (stored.md5 || stored.sha1)) {
    return { status: 'verified', tool, stored, computed, sectorErrors, message: `stored ${[stored.md5 && 'MD5', stored.sha1 && 'SHA-1'].filter(Boolean).join(' and ')} match the data` };
  }
  if (success) return { status: 'no stored hash', tool, stored, computed, sectorErrors, message: 'the image holds no acquisition hash; chunk checksums are intact' };
  return { status: 'not verified', tool, stored, computed, sectorErrors, message: `ewfverify could not verify: ${text.trim().split('\n').at(-1) ?? `exit ${r.code}`}` };
}
