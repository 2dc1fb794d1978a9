import { describe, expect, it } from 'vitest';
import { formatVpdqJson, formatVpdqText, parseVpdqJson, parseVpdqText, pythonG3 } from '../../../native/video/vpdqFiles.js';

const H1 = 'e271017837246aaccddea259648fb7d62f435c89d9e99b2497763e216c8d055c';
const H2 = 'c0f11178372c6aaccddea259648fbfd62f434c89c9e99b249772be216c8d055c';

describe('vPDQ hash files', () => {
  it('reads and writes vpdq-hash-video text (frame,quality,pdqhex,timestamp) losslessly', () => {
    const text = `0,100,${H1},0.000\n1,98,${H2.toUpperCase()},0.033\r\n\n`;
    const features = parseVpdqText(text, 'a.txt');
    expect(features).toEqual([
      { frame: 0, quality: 100, hash: H1, timestamp: 0 },
      { frame: 1, quality: 98, hash: H2, timestamp: 0.033 },
    ]);
    expect(formatVpdqText(features)).toBe(`0,100,${H1},0.000\n1,98,${H2},0.033\n`);
    expect(parseVpdqText(formatVpdqText(features), 'b.txt')).toEqual(features);
  });

  it('refuses a bad line with one message naming the file and the line', () => {
    expect(() => parseVpdqText(`0,100,${H1},0.000\n1,100,${H1.slice(1)},0.033\n`, 'x.txt')).toThrow('x.txt: line 2: PDQ hash is not 64 hex digits');
    expect(() => parseVpdqText(`0,101,${H1},0.000\n`, 'x.txt')).toThrow('x.txt: line 1: quality 101 is outside 0-100');
    expect(() => parseVpdqText(`0,100,${H1}\n`, 'x.txt')).toThrow(/x\.txt: line 1: expected frame,quality,pdqhex,timestamp, got 3 fields/);
    expect(() => parseVpdqText(`0,100,${H1},soon\n`, 'x.txt')).toThrow(/line 1: timestamp "soon"/);
    expect(() => parseVpdqText('\n', 'empty.txt')).toThrow('empty.txt: no frame hashes');
  });

  it("reads python-threatexchange's JSON signal, exponent timestamps included, and writes it as Python does", () => {
    const json = JSON.stringify([`${H1},100,0.0`, `${H2},55,1.23e+02`, `${H1.toUpperCase()},60,1e+03`]);
    const features = parseVpdqJson(json, 'sig.json');
    expect(features.map((f) => [f.frame, f.quality, f.hash, f.timestamp])).toEqual([[0, 100, H1, 0], [1, 55, H2, 123], [2, 60, H1, 1000]]);
    expect(formatVpdqJson(features)).toBe(JSON.stringify([`${H1},100,0.0`, `${H2},55,1.23e+02`, `${H1},60,1e+03`]));
    expect(() => parseVpdqJson('{"a":1}', 'sig.json')).toThrow(/sig\.json: expected a JSON array/);
    expect(() => parseVpdqJson(JSON.stringify([`${H1},100`]), 'sig.json')).toThrow('sig.json: item 1: expected pdqhex,quality,timestamp, got 2 fields');
  });

  it("formats timestamps exactly as Python's format(x, '.3')", () => {
    // Values and Python 3's output for them.
    const python: Array<[number, string]> = [
      [0, '0.0'], [0.033, '0.033'], [0.0333333, '0.0333'], [1, '1.0'], [1.5, '1.5'], [12.345, '12.3'], [99.9, '99.9'],
      [100, '1e+02'], [123.456, '1.23e+02'], [999.9, '1e+03'], [1000, '1e+03'], [0.00001234, '1.23e-05'], [0.0001, '0.0001'],
    ];
    for (const [x, s] of python) expect([x, pythonG3(x)]).toEqual([x, s]);
  });
});
