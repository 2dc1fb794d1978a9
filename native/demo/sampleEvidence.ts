import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { dirname, join } from 'node:path';
import { drawScene, editPicture, type Edit } from '../image/sampleImages.js';
import { analyseImage } from '../image/analyse.js';

/**
 * The demo's "seized" folder and the hash lists to match it against, all made here from pictures
 * the program draws: no real evidence, no downloaded data, the same bytes on every machine.
 */
export interface SampleData { evidence: string; knownMaterialList: string; knownFilesList: string; pictures: number }

const SCENES = 12;
/** Scenes whose originals the demo's known-material list holds, with the category a lab gave them. */
const LISTED: ReadonlyArray<{ scene: number; category: string }> = [
  { scene: 1, category: '1' }, { scene: 2, category: '1' }, { scene: 3, category: '2' }, { scene: 4, category: '2' },
  { scene: 5, category: '3' }, { scene: 6, category: '1' }, { scene: 7, category: '2' }, { scene: 8, category: '1' },
];
/** The edited copies found on the "device": each should be found by PDQ, not by MD5. */
const EDITS: ReadonlyArray<{ scene: number; edit: Edit; name: string }> = [
  { scene: 1, edit: 'resized', name: 'Downloads/holiday_small.jpg' },
  { scene: 2, edit: 'recompressed', name: 'Downloads/forum_repost.jpg' },
  { scene: 3, edit: 'mirrored', name: 'Downloads/mirror.jpg' },
  { scene: 4, edit: 'rotated', name: 'Pictures/rotated.jpg' },
  { scene: 5, edit: 'cropped', name: 'Pictures/cropped.jpg' },
  { scene: 6, edit: 'greyscale', name: 'Pictures/old_print.jpg' },
  { scene: 11, edit: 'png', name: 'Pictures/screenshot.png' },
];

function put(root: string, rel: string, data: Buffer | string): void {
  const path = join(root, rel);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, data);
}

function pseudoBytes(seed: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let off = 0, n = 0; off < size; n++) off += createHash('sha256').update(`${seed}${n}`).digest().copy(out, off);
  return out;
}

export async function makeSampleData(dir: string): Promise<SampleData> {
  const evidence = join(dir, 'evidence');
  const lists = join(dir, 'lists');
  mkdirSync(lists, { recursive: true });
  const originals: Buffer[] = [];
  for (let i = 1; i <= SCENES; i++) {
    const jpeg = await drawScene({ seed: i * 7919, title: `Sample scene ${i}` });
    originals[i] = jpeg;
    put(evidence, `DCIM/100KSTRL/IMG_${String(i).padStart(4, '0')}.jpg`, jpeg);
  }
  for (const e of EDITS) put(evidence, e.name, await editPicture(originals[e.scene]!, e.edit));
  put(evidence, 'Downloads/IMG_0007 (1).jpg', originals[7]!);
  put(evidence, 'Documents/budget_2026.dat', originals[8]!);
  put(evidence, 'Documents/notes.txt', 'Shopping: milk, bread, batteries.\n');
  put(evidence, 'Documents/empty.txt', '');
  const readme = 'KestrelDemoTool 1.0\nThis file ships with a common program; NSRL lists it as known.\n';
  const dll = pseudoBytes('demo-dll', 48_000);
  put(evidence, 'Program Files/DemoTool/readme.txt', readme);
  put(evidence, 'Program Files/DemoTool/demotool.dll', dll);
  symlinkSync('../DCIM/100KSTRL/IMG_0001.jpg', join(evidence, 'Documents/shortcut.jpg'));

  const media = [];
  for (const { scene, category } of LISTED) {
    const bytes = originals[scene]!;
    const pdq = (await analyseImage(bytes)).pdq;
    media.push({
      MediaID: scene,
      Category: category,
      MD5: createHash('md5').update(bytes).digest('hex').toUpperCase(),
      SHA1: createHash('sha1').update(bytes).digest('hex').toUpperCase(),
      MediaSize: bytes.length,
      VictimIdentified: 'false',
      OffenderIdentified: false,
      IsDistributed: true,
      Series: 'DEMO-SERIES-A',
      Tags: ['demo', 'synthetic'],
      AlternativeHashes: pdq ? [{ HashName: 'PDQ', HashValue: pdq }] : [],
    });
  }
  const knownMaterialList = join(lists, 'demo-known-material.vics.json');
  writeFileSync(knownMaterialList, `\ufeff${JSON.stringify({
    '@odata.context': 'http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/US/$metadata#Cases',
    value: [{ CaseID: 0, CaseNumber: 'DEMO-LIST', Media: media }],
  }, null, 2)}`);

  const knownFilesList = join(lists, 'NSRLFile.txt');
  const nsrlLine = (name: string, data: Buffer) =>
    `"${createHash('sha1').update(data).digest('hex').toUpperCase()}","${createHash('md5').update(data).digest('hex').toUpperCase()}","${crc32(data).toString(16).toUpperCase().padStart(8, '0')}","${name}",${data.length},1,"WIN",""`;
  writeFileSync(knownFilesList, [
    '"SHA-1","MD5","CRC32","FileName","FileSize","ProductCode","OpSystemCode","SpecialCode"',
    nsrlLine('readme.txt', Buffer.from(readme)),
    nsrlLine('demotool.dll', dll),
  ].join('\r\n') + '\r\n');
  return { evidence, knownMaterialList, knownFilesList, pictures: SCENES + EDITS.length + 2 };
}
