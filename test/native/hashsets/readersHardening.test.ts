import { describe, expect, it, beforeEach, afterEach } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLibrary, listHashLists, type HashLibrary } from '../../../native/hashsets/library.js';
import { importHashList, type ImportOptions } from '../../../native/hashsets/importer.js';
import { MAX_LINE_BYTES } from '../../../native/hashsets/source.js';

/** Faults found by probing the list readers (issue 15, "List readers"); each was accepted or misread before. */

const US = 'http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Media';
const MD5_A = '0cc175b9c0f1b6a831c399e269772661';
const MD5_B = '92eb5ffee6ae2fec3ad71c777531578f';
const PDQ = 'd8f8f0cee0f4a84f0637022a078f67f0b36e2ed596621e1d33e6339c4e9c9b22';

let dir: string;
let lib: HashLibrary;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kestrel-readers-'));
  lib = openLibrary(join(dir, 'lib'));
});
afterEach(() => {
  lib.close();
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, body: string | Buffer): string {
  const f = join(dir, name);
  writeFileSync(f, body);
  return f;
}

/** The refusal's message; also checks that nothing at all was imported. */
function refusal(f: string, options: ImportOptions = {}): string {
  let err: unknown;
  try {
    importHashList(lib, f, options);
  } catch (e) {
    err = e;
  }
  expect(err, 'the import was expected to be refused').toBeInstanceOf(Error);
  expect(listHashLists(lib)).toEqual([]);
  expect(lib.db.prepare('SELECT count(*) AS n FROM entry').get()).toEqual({ n: 0 });
  return (err as Error).message;
}

const rec = (md5: string, extra = '') => `{"MediaID":"m","Category":1,"MD5":"${md5}"${extra}}`;

describe('VICS is parsed as JSON parsers parse it', () => {
  it('refuses records after the root object has closed', () => {
    const f = file('after.json', `{"@odata.context":"${US}","value":[${rec(MD5_A)}]}\n,"value":[${rec(MD5_B)}]}`);
    expect(refusal(f)).toMatch(/after\.json: line 2: text after the root object has closed/);
  });

  it('refuses a second root', () => {
    const f = file('two.json', `{"@odata.context":"${US}","value":[${rec(MD5_A)}]}\n{"@odata.context":"${US}","value":[${rec(MD5_B)}]}\n`);
    expect(refusal(f)).toMatch(/two\.json: line 2: text after the root object has closed \(a second JSON document\?\)/);
  });

  it('refuses a root object with two "value" keys instead of merging them', () => {
    const f = file('dup.json', `{"@odata.context":"${US}",\n"value":[${rec(MD5_A)}],\n"value":[${rec(MD5_B)}]}`);
    expect(refusal(f)).toMatch(/dup\.json: line 3: the root object has the key "value" twice/);
  });

  it('refuses an item that is not an object, naming its record number', () => {
    const f = file('items.json', `{"@odata.context":"${US}","value":[\n${rec(MD5_A)},\n"${MD5_B}"\n]}`);
    expect(refusal(f)).toMatch(/items\.json: record 2 \(line 3\): not a JSON object but a string; nothing was imported/);
  });

  it('refuses a record that repeats a key (which MD5 would be the real one?)', () => {
    const f = file('dupkey.json', `{"@odata.context":"${US}","value":[\n{"MD5":"${MD5_A}","Category":1,"MD5":"${MD5_B}"}]}`);
    expect(refusal(f)).toMatch(/dupkey\.json: record 1 \(line 2\): the key "MD5" appears twice/);
  });

  it('reads keys written with escapes ("\\u0076alue" is "value")', () => {
    const f = file('esc.json', `{"@odata.context":"${US}","\\u0076alue":[{"\\u004dD5":"${MD5_A}","Category":1}]}`);
    const { list } = importHashList(lib, f);
    expect(list).toMatchObject({ recordsImported: 1, scheme: 'vic-us' });
    expect(list.hashes).toEqual({ md5: 1 });
  });

  it('refuses a truncated file, JSON syntax errors and invalid UTF-8 with the line', () => {
    expect(refusal(file('cut.json', `{"@odata.context":"${US}","value":[\n${rec(MD5_A)},\n{"MD5":"${MD5_B}"`))).toMatch(/cut\.json: the JSON ends before its root object closes/);
    expect(refusal(file('syntax.json', `{"@odata.context":"${US}","value":[\n${rec(MD5_A)}\n${rec(MD5_B)}]}`))).toMatch(/syntax\.json: line 3: "\{" where "," or "\]" was expected/);
    const bad = Buffer.concat([Buffer.from(`{"@odata.context":"${US}","value":[\n{"MD5":"${MD5_A}","Series":"caf`), Buffer.from([0xe9]), Buffer.from('"}]}')]);
    expect(refusal(file('latin1.json', bad))).toMatch(/latin1\.json: line 2: the file is not valid UTF-8/);
  });

  it('reads a record holding a very long string (streamed, not built a character at a time)', () => {
    const f = join(dir, 'long.json');
    const fd = openSync(f, 'w');
    writeSync(fd, `{"@odata.context":"${US}","value":[{"MD5":"${MD5_A}","Category":1,"Comments":"`);
    const block = 'x'.repeat(1 << 20);
    for (let i = 0; i < 24; i++) writeSync(fd, block);
    writeSync(fd, `"},\n${rec(MD5_B)}]}`);
    closeSync(fd);
    const { list } = importHashList(lib, f);
    expect(list).toMatchObject({ recordsImported: 2 });
  });
});

describe('line-based lists', () => {
  it('refuses a line longer than the bound, naming it, without reading it into memory whole', () => {
    const f = join(dir, 'oneline.md5');
    const fd = openSync(f, 'w');
    writeSync(fd, `${MD5_A}  a\n`);
    const block = Buffer.alloc(1 << 20, 0x61);
    for (let i = 0; i < 64; i++) writeSync(fd, block);
    closeSync(fd);
    expect(refusal(f, { format: 'text' })).toMatch(new RegExp(`oneline\\.md5: line 2 is longer than ${MAX_LINE_BYTES} bytes`));
  });

  it('reads a line that spans several read chunks (just under the bound)', () => {
    const name = 'n'.repeat(MAX_LINE_BYTES - 40);
    const { list } = importHashList(lib, file('longname.md5', `${MD5_A}  ${name}\n${MD5_B}  b\n`));
    expect(list).toMatchObject({ recordsImported: 2 });
    const row = lib.db.prepare('SELECT length(label) AS n FROM entry WHERE record_no = 1').get() as { n: number };
    expect(row.n).toBe(name.length);
  });

  it('refuses short and cut NSRLFile.txt rows with their line numbers', () => {
    const head = '"SHA-1","MD5","CRC32","FileName","FileSize","ProductCode","OpSystemCode","SpecialCode"\n';
    const good = '"86F7E437FAA5A7FCE15D1DDCB9EAEAEA377667B8","0CC175B9C0F1B6A831C399E269772661","E8B7BE43","a.txt",1,1234,"358",""\n';
    expect(refusal(file('short.txt', `${head}${good}"E9D71F5EE7C92D6DC9E92FFDAD17B8BD49418F98","92EB5FFEE6AE2FEC3AD71C777531578F"\n`), { format: 'nsrl-legacy' }))
      .toMatch(/short\.txt: line 3: 2 fields where the header has 8 \(a short or cut row\)/);
    expect(refusal(file('cut.txt', `${head}${good}"E9D71F5EE7C92D6DC9E92FFDAD17B8BD49418F98","92EB5FFEE6AE2FEC3AD71C777531578F","71BEEFF9","b.t`), { format: 'nsrl-legacy' }))
      .toMatch(/cut\.txt: line 3: a quoted field is not closed/);
  });

  it('refuses a negative or fractional PDQ quality instead of reading it as a label', () => {
    expect(refusal(file('neg.pdq', `${PDQ},-5,b\n`), { format: 'pdq' })).toMatch(/neg\.pdq: line 1: PDQ quality "-5" is not a whole number from 0 to 100/);
    expect(refusal(file('frac.pdq', `${PDQ},50.5,b\n`), { format: 'pdq' })).toMatch(/line 1: PDQ quality "50.5"/);
    const { list } = importHashList(lib, file('ok.pdq', `${PDQ},100,label, with comma\n`), { format: 'pdq' });
    expect(lib.db.prepare('SELECT quality, label FROM entry WHERE id = ?').get(list.firstEntry)).toEqual({ quality: 100, label: 'label, with comma' });
  });

  it('keeps the bytes of a name that is not UTF-8 (shown \\xNN), never U+FFFD', () => {
    const body = Buffer.concat([Buffer.from(`${MD5_A}  caf`), Buffer.from([0xe9]), Buffer.from('.jpg\n'), Buffer.from(`${MD5_B}  ok é.jpg\n`)]);
    const { list } = importHashList(lib, file('latin1.md5', body));
    const rows = lib.db.prepare('SELECT label, details FROM entry WHERE list_id = ? ORDER BY record_no').all(list.id) as { label: string; details: string | null }[];
    expect(rows[0]!.label).toBe('caf\\xe9.jpg');
    expect(rows[0]!.label).not.toContain('\ufffd');
    expect(JSON.parse(rows[0]!.details!)).toEqual({ labelBytes: Buffer.from('caf\xe9.jpg', 'latin1').toString('hex') });
    expect(rows[1]).toEqual({ label: 'ok é.jpg', details: null });
  });

  it('never echoes terminal escape sequences from a list into an error', () => {
    const msg = refusal(file('esc.md5', `${MD5_A}  a\n\u001b]0;owned\u0007\u001b[2J\u009b31m  x\n`), { format: 'text' });
    expect(msg).toMatch(/esc\.md5: line 2: /);
    // eslint-disable-next-line no-control-regex
    expect(msg).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(msg).toContain('\\u001b]0;owned');
    expect(msg).toContain('\\x9b31m');
  });
});
