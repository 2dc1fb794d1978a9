import { createHash } from 'node:crypto';
import type { ExhibitData, Finding, Instance, MatchData, Method, PackageData } from './collect.js';
import { TOOL_NAME, TOOL_VERSION } from '../util/version.js';
import { compareText } from './manifest.js';
import { videoMatchStatement } from './videoFindings.js';

/**
 * The findings as CASE/UCO JSON-LD: each place a finding was found is an observable:File with a
 * FileFacet (name, path, times, size) and a ContentDataFacet carrying its hashes (MD5, SHA1,
 * SHA256 from UCO's hash vocabulary; PDQ and blockhash as free-text hash methods, which UCO allows).
 * Provenance: intake, matching and categorisation are investigation:InvestigativeActions naming
 * their performer, their instrument (Kestrel at a version) and their parameters (algorithms,
 * thresholds) as ActionArgumentFacets; each exhibit is an investigation:ProvenanceRecord.
 * Match evidence and categories are core:Annotations on the files.
 * A disk image exhibit is an observable:Image (ImageFacet) made of its segment Files (with their
 * hashes as received), with a DiskPartition (DiskPartitionFacet) per partition and a FileSystem
 * (FileSystemFacet) per file system read, each Contained_Within the one before; its E01
 * verification and acquisition are InvestigativeActions on the image, the verdict an Annotation.
 * A file found in an image is Contained_Within its file system, its FileFacet carries
 * allocationStatus (allocated, deleted, orphan) and its flags are core:tags.
 *
 * Node identifiers end in a UUID derived from the case UUID and the thing named, so the same case
 * always gives the same graph (UCO asks for identifiers ending in a UUID, and for no blank nodes).
 */
const XSD = 'http://www.w3.org/2001/XMLSchema#';

export const UCO_CONTEXT = {
  'case-investigation': 'https://ontology.caseontology.org/case/investigation/',
  'uco-action': 'https://ontology.unifiedcyberontology.org/uco/action/',
  'uco-core': 'https://ontology.unifiedcyberontology.org/uco/core/',
  'uco-identity': 'https://ontology.unifiedcyberontology.org/uco/identity/',
  'uco-observable': 'https://ontology.unifiedcyberontology.org/uco/observable/',
  'uco-tool': 'https://ontology.unifiedcyberontology.org/uco/tool/',
  'uco-types': 'https://ontology.unifiedcyberontology.org/uco/types/',
  'uco-vocabulary': 'https://ontology.unifiedcyberontology.org/uco/vocabulary/',
  xsd: XSD,
} as const;

/**
 * The CASE release the graph is written to (CASE 1.4.0 imports UCO 1.4.0). CASE 1.x has no header
 * for this: its way is uco-core:specVersion ("the version of UCO ontology or subontology
 * specification used to characterize a concept", a string, at most one per object) on a UcoObject,
 * here a uco-core:Bundle enclosing every object of the graph, as CASE's own examples wrap theirs.
 */
export const CASE_SPEC_VERSION = 'CASE 1.4.0';

type Node = Record<string, unknown> & { '@id': string; '@type': string };

const dateTime = (v: string) => ({ '@type': 'xsd:dateTime', '@value': v });
const hexBinary = (v: string) => ({ '@type': 'xsd:hexBinary', '@value': v });
const ref = (id: string) => ({ '@id': id });

export function buildCaseUco(data: PackageData): unknown {
  const kb = `urn:kestrel:case:${data.info.caseUuid}:`;
  const id = (kind: string, key: string) => `kb:${kind}-${stableUuid(`${data.info.caseUuid}\u0000${kind}\u0000${key}`)}`;
  const graph: Node[] = [];

  const people = new Map<string, string>();
  const person = (name: string) => {
    let pid = people.get(name);
    if (!pid) {
      pid = id('person', name);
      people.set(name, pid);
      graph.push({ '@id': pid, '@type': 'uco-identity:Person', 'uco-core:name': name });
    }
    return pid;
  };
  const tools = new Map<string, string>();
  const tool = (version: string) => {
    let tid = tools.get(version);
    if (!tid) {
      tid = id('tool', version);
      tools.set(version, tid);
      graph.push({ '@id': tid, '@type': 'uco-tool:AnalyticTool', 'uco-core:name': TOOL_NAME, 'uco-tool:version': version, 'uco-tool:toolType': 'forensic triage: hashing, known-material matching, categorisation' });
    }
    return tid;
  };
  const argumentFacets = (owner: string, params: Record<string, string>) =>
    Object.keys(params).sort().map((k) => ({
      '@id': id('argument', `${owner}\u0000${k}`),
      '@type': 'uco-action:ActionArgumentFacet',
      'uco-action:argumentName': k,
      'uco-action:value': params[k]!,
    }));

  // Disk images first: the files found in them point at their file systems.
  const fileSystems = new Map<string, { label: string; id: string }[]>();
  for (const ex of data.exhibits) {
    if (ex.image) fileSystems.set(ex.label, imageNodes(ex, graph, id, person));
  }

  // Files: one per place a finding was found.
  const fileIds = new Map<number, string>();
  const filesByRun = new Map<number, string[]>();
  const filesByExhibit = new Map<string, string[]>();
  for (const f of data.findings) {
    for (const inst of f.instances) {
      const fid = id('file', `${inst.exhibitLabel}\u0000${inst.path.toString('hex')}`);
      fileIds.set(inst.id, fid);
      push(filesByRun, inst.intakeRunId, fid);
      push(filesByExhibit, inst.exhibitLabel, fid);
      graph.push(fileNode(fid, f, inst, id));
      const fs = fileSystems.get(inst.exhibitLabel)?.find((x) => inst.pathText.startsWith(`${x.label}/`));
      if (fs) graph.push(relationship(id, fid, fs.id, 'Contained_Within'));
    }
  }
  const filesOf = (f: Finding) => f.instances.map((i) => ref(fileIds.get(i.id)!));

  // Intake: one action per run that found a finding; one provenance record per exhibit.
  const actions: string[] = [];
  const intakeMethods = data.methods.filter((m) => m.step === 'intake');
  for (const ex of data.exhibits) {
    const runIds: string[] = [];
    for (const run of ex.runs) {
      const results = filesByRun.get(run.id) ?? [];
      const aid = id('intake', String(run.id));
      runIds.push(aid);
      actions.push(aid);
      graph.push({
        '@id': aid,
        '@type': 'case-investigation:InvestigativeAction',
        'uco-core:name': 'intake',
        'uco-core:description': `Read-only intake of exhibit ${ex.label} from ${ex.sourcePath} (run ${run.id}, ${run.status})`,
        'uco-action:startTime': dateTime(run.startedAt),
        ...(run.finishedAt ? { 'uco-action:endTime': dateTime(run.finishedAt) } : {}),
        'uco-action:performer': ref(person(run.performer)),
        'uco-action:instrument': ref(tool(run.toolVersion)),
        'uco-action:result': results.map(ref),
        'uco-core:hasFacet': argumentFacets(aid, methodParameters(intakeMethods)),
      });
    }
    const objects = [...runIds, ...(filesByExhibit.get(ex.label) ?? [])];
    graph.push({
      '@id': id('provenance', ex.label),
      '@type': 'case-investigation:ProvenanceRecord',
      'case-investigation:exhibitNumber': ex.label,
      'uco-core:description': [ex.description, `source: ${ex.sourcePath}`].filter(Boolean).join('; '),
      'uco-core:object': [...(ex.image ? [id('image', ex.label)] : []), ...objects].map(ref),
    });
  }

  // Matching: one action per list and algorithm, its results annotations on the matched files.
  const matchGroups = new Map<string, { m: MatchData; findings: Finding[] }>();
  for (const f of data.findings) {
    for (const m of f.matches) {
      const key = `${m.list}\u0000${m.listVersion ?? ''}\u0000${m.algorithm}\u0000${m.threshold}`;
      const g = matchGroups.get(key) ?? { m, findings: [] };
      if (!g.findings.includes(f)) g.findings.push(f);
      matchGroups.set(key, g);
    }
  }
  for (const key of [...matchGroups.keys()].sort()) {
    const { m, findings } = matchGroups.get(key)!;
    const use = data.hashLists.find((l) => l.name === m.list && l.version === m.listVersion);
    const aid = id('matching', key);
    actions.push(aid);
    const annotations: string[] = [];
    for (const f of findings) {
      for (const hit of f.matches.filter((x) => `${x.list}\u0000${x.listVersion ?? ''}\u0000${x.algorithm}\u0000${x.threshold}` === key)) {
        const nid = id('match', `${key}\u0000${f.sha256}\u0000${hit.entry}\u0000${hit.variant ?? ''}`);
        annotations.push(nid);
        graph.push({
          '@id': nid,
          '@type': 'uco-core:Annotation',
          'uco-core:object': filesOf(f),
          'uco-core:statement': matchStatement(hit),
          'uco-core:tag': ['match', `list:${hit.list}`, `algorithm:${hit.algorithm}`],
        });
      }
    }
    const times = findings.flatMap((f) => f.matches.map((x) => x.matchedAt)).filter((t): t is string => t !== null).sort();
    graph.push({
      '@id': aid,
      '@type': 'case-investigation:InvestigativeAction',
      'uco-core:name': 'matching',
      'uco-core:description': `Match against ${m.list}${m.listVersion ? ` version ${m.listVersion}` : ''} by ${m.algorithm}, threshold ${m.threshold}`,
      ...(times.length ? { 'uco-action:startTime': dateTime(times[0]!), 'uco-action:endTime': dateTime(times[times.length - 1]!) } : {}),
      'uco-action:performer': ref(person(use?.matchedBy ?? data.info.examiner)),
      'uco-action:instrument': ref(tool(use?.toolVersion ?? TOOL_VERSION)),
      'uco-action:object': findings.flatMap(filesOf),
      'uco-action:result': annotations.map(ref),
      'uco-core:hasFacet': argumentFacets(aid, {
        list: m.list, listVersion: m.listVersion ?? 'unversioned', algorithm: m.algorithm, threshold: String(m.threshold),
      }),
    });
  }

  // Video matching: one action per vPDQ list, its results one annotation per (seized video, listed
  // video) stating whole or partial, the shares of frames and the matched time ranges on both sides.
  const videoGroups = new Map<string, Finding[]>();
  for (const f of data.findings) {
    for (const v of f.videoMatches) {
      const key = `${v.list}\u0000${v.listVersion}\u0000vpdq`;
      const g = videoGroups.get(key) ?? [];
      if (!g.includes(f)) g.push(f);
      videoGroups.set(key, g);
    }
  }
  for (const key of [...videoGroups.keys()].sort()) {
    const findings = videoGroups.get(key)!;
    const hits = findings.flatMap((f) => f.videoMatches.filter((v) => `${v.list}\u0000${v.listVersion}\u0000vpdq` === key).map((v) => ({ f, v })));
    const first = hits[0]!.v;
    const use = data.hashLists.find((l) => l.name === first.list && l.version === first.listVersion);
    const aid = id('video-matching', key);
    actions.push(aid);
    const annotations = hits.map(({ f, v }) => {
      const nid = id('video-match', `${key}\u0000${f.sha256}\u0000${v.entry}`);
      graph.push({
        '@id': nid,
        '@type': 'uco-core:Annotation',
        'uco-core:object': filesOf(f),
        'uco-core:statement': videoMatchStatement(v),
        'uco-core:tag': ['match', `list:${v.list}`, 'algorithm:vpdq', `video match:${v.match}`],
      });
      return nid;
    });
    const times = hits.map(({ v }) => v.matchedAt).sort();
    graph.push({
      '@id': aid,
      '@type': 'case-investigation:InvestigativeAction',
      'uco-core:name': 'video matching',
      'uco-core:description': `Match of the case's videos against the listed videos of ${first.list} version ${first.listVersion} by vPDQ ${first.algorithmVersion}`,
      'uco-action:startTime': dateTime(times[0]!),
      'uco-action:endTime': dateTime(times[times.length - 1]!),
      'uco-action:performer': ref(person(use?.matchedBy ?? data.info.examiner)),
      'uco-action:instrument': ref(tool(use?.toolVersion ?? TOOL_VERSION)),
      'uco-action:object': findings.flatMap(filesOf),
      'uco-action:result': annotations.map(ref),
      'uco-core:hasFacet': argumentFacets(aid, {
        list: first.list, listVersion: first.listVersion, algorithm: 'vpdq', algorithmVersion: first.algorithmVersion, rule: first.rule,
        frameDistanceThreshold: String(first.distanceThreshold), frameQualityThreshold: String(first.qualityThreshold),
        wholeMatchPercentThreshold: String(first.matchPercentThreshold),
      }),
    });
  }

  // Categorisation: one action per examiner, its results the category annotations.
  const byExaminer = new Map<string, Finding[]>();
  for (const f of data.findings) if (f.decision) push(byExaminer, f.decision.examiner, f);
  for (const examiner of [...byExaminer.keys()].sort()) {
    const findings = byExaminer.get(examiner)!;
    const aid = id('categorisation', examiner);
    actions.push(aid);
    const annotations = findings.map((f) => {
      const nid = id('category', f.sha256);
      const d = f.decision!;
      graph.push({
        '@id': nid,
        '@type': 'uco-core:Annotation',
        'uco-core:object': filesOf(f),
        'uco-core:statement': `Category ${d.category} (${f.category?.label ?? d.category}) in scheme ${d.scheme}, decided by ${d.examiner} at ${d.decidedAt}`,
        'uco-core:tag': ['category', `category:${d.scheme}:${d.category}`],
      });
      return nid;
    });
    const times = findings.map((f) => f.decision!.decidedAt).sort();
    graph.push({
      '@id': aid,
      '@type': 'case-investigation:InvestigativeAction',
      'uco-core:name': 'categorisation',
      'uco-core:description': `Categorisation by examiner ${examiner}`,
      'uco-action:startTime': dateTime(times[0]!),
      'uco-action:endTime': dateTime(times[times.length - 1]!),
      'uco-action:performer': ref(person(examiner)),
      'uco-action:instrument': ref(tool(TOOL_VERSION)),
      'uco-action:object': findings.flatMap(filesOf),
      'uco-action:result': annotations.map(ref),
    });
  }

  // Cross-case matching against the lab library: one action, its results annotations tagged
  // 'case hit' (never 'match', which is a list hit, nor 'category').
  const seen = data.findings.filter((f) => f.caseHits.length > 0);
  if (seen.length) {
    const aid = id('cross-case-matching', 'lab library');
    actions.push(aid);
    const annotations = seen.flatMap((f) => f.caseHits.map((h) => {
      const nid = id('case-hit', `${f.sha256}\u0000${h.case}\u0000${h.exhibit}\u0000${h.algorithm}\u0000${h.distance}\u0000${h.dihedral ?? ''}`);
      graph.push({
        '@id': nid,
        '@type': 'uco-core:Annotation',
        'uco-core:object': filesOf(f),
        'uco-core:statement': h.sentence,
        'uco-core:tag': ['case hit', `case:${h.case}`, `algorithm:${h.algorithm}`],
      });
      return nid;
    }));
    const times = seen.flatMap((f) => f.caseHits.map((h) => h.matchedAt)).sort();
    const versions = [...new Set(seen.flatMap((f) => f.caseHits.map((h) => h.libraryVersion)))].sort((a, b) => a - b);
    graph.push({
      '@id': aid,
      '@type': 'case-investigation:InvestigativeAction',
      'uco-core:name': 'cross-case matching',
      'uco-core:description': 'Match against the other cases of the lab library: SHA-256 exact and PDQ near-duplicates',
      'uco-action:startTime': dateTime(times[0]!),
      'uco-action:endTime': dateTime(times[times.length - 1]!),
      'uco-action:performer': ref(person(data.audit.filter((e) => e.action === 'match.library').at(-1)?.actor ?? data.info.examiner)),
      'uco-action:instrument': ref(tool(TOOL_VERSION)),
      'uco-action:object': seen.flatMap(filesOf),
      'uco-action:result': annotations.map(ref),
      'uco-core:hasFacet': argumentFacets(aid, { 'library version': versions.join(', ') }),
    });
  }

  graph.push({
    '@id': id('investigation', data.info.caseNumber),
    '@type': 'case-investigation:Investigation',
    'uco-core:name': data.info.caseNumber,
    'uco-core:description': data.info.description ?? `Case ${data.info.caseNumber}`,
    'case-investigation:investigationForm': 'case',
    'uco-core:objectCreatedTime': dateTime(data.info.createdAt),
    'uco-core:createdBy': ref(person(data.info.examiner)),
    'uco-core:object': [...actions, ...data.exhibits.map((e) => id('provenance', e.label))].map(ref),
  });

  graph.sort((a, b) => compareText(a['@id'], b['@id']));
  const bundle: Node = {
    '@id': id('bundle', 'package'),
    '@type': 'uco-core:Bundle',
    'uco-core:name': `Kestrel case package ${data.info.caseNumber}`,
    'uco-core:description': `Findings of case ${data.info.caseNumber} written by ${TOOL_NAME} ${TOOL_VERSION} to ${CASE_SPEC_VERSION} (UCO 1.4.0)`,
    'uco-core:specVersion': CASE_SPEC_VERSION,
    'uco-core:object': graph.map((n) => ref(n['@id'])),
  };
  return { '@context': { kb, ...UCO_CONTEXT }, '@graph': [bundle, ...graph] };
}

/**
 * UCO 1.4.0's shapes want every hashMethod typed xsd:string: a HashNameVocab-typed "MD5" draws a
 * warning (an error from UCO 2.0) and is not found in the vocabulary's sh:in list of xsd:string
 * values. MD5, SHA1 and SHA256 are in that list; PDQ and blockhash are not, which UCO allows for
 * hash methods it does not name (its shapes report it as Info only).
 */
function hashMethod(method: string): { '@type': 'xsd:string'; '@value': string } {
  return { '@type': 'xsd:string', '@value': method };
}

function fileNode(fid: string, f: Finding, inst: Instance, id: (kind: string, key: string) => string): Node {
  const key = `${inst.exhibitLabel}\u0000${inst.path.toString('hex')}`;
  const hashes: Node[] = [
    ['MD5', f.md5], ['SHA1', f.sha1], ['SHA256', f.sha256],
    ...(f.image?.pdq ? [['PDQ', f.image.pdq]] : []),
    ...(f.image?.blockhash ? [['blockhash', f.image.blockhash]] : []),
  ].map(([method, value]) => ({
    '@id': id('hash', `${key}\u0000${method}`),
    '@type': 'uco-types:Hash',
    'uco-types:hashMethod': hashMethod(method!),
    'uco-types:hashValue': hexBinary(value!),
  }));
  const name = inst.pathText.slice(inst.pathText.lastIndexOf('/') + 1);
  const fromImage = inst.inode !== null;
  return {
    '@id': fid,
    '@type': 'uco-observable:File',
    ...(inst.flags.length ? { 'uco-core:tag': inst.flags } : {}),
    ...(fromImage ? { 'uco-core:description': `${inst.fsType ?? 'file system'} address ${inst.inode}` } : {}),
    'uco-core:hasFacet': [
      {
        '@id': id('file-facet', key),
        '@type': 'uco-observable:FileFacet',
        'uco-observable:fileName': name,
        'uco-observable:filePath': inst.pathText,
        ...(inst.extension ? { 'uco-observable:extension': inst.extension } : {}),
        ...(inst.size !== null ? { 'uco-observable:sizeInBytes': inst.size } : {}),
        ...(inst.mtime ? { 'uco-observable:modifiedTime': dateTime(inst.mtime) } : {}),
        ...(inst.atime ? { 'uco-observable:accessedTime': dateTime(inst.atime) } : {}),
        ...(inst.ctime ? { 'uco-observable:metadataChangeTime': dateTime(inst.ctime) } : {}),
        ...(inst.birthtime ? { 'uco-observable:observableCreatedTime': dateTime(inst.birthtime) } : {}),
        ...(fromImage ? {
          'uco-observable:allocationStatus': inst.flags.includes('orphan') ? 'orphan' : inst.flags.includes('deleted') ? 'deleted' : 'allocated',
          ...(inst.fsType ? { 'uco-observable:fileSystemType': inst.fsType } : {}),
        } : {}),
      },
      {
        '@id': id('content-facet', key),
        '@type': 'uco-observable:ContentDataFacet',
        'uco-observable:sizeInBytes': f.size,
        'uco-observable:mimeType': f.detectedType,
        'uco-observable:hash': hashes,
      },
    ],
  };
}

type IdOf = (kind: string, key: string) => string;

function relationship(id: IdOf, source: string, target: string, kind: string): Node {
  return {
    '@id': id('relationship', `${source}\u0000${target}\u0000${kind}`),
    '@type': 'uco-observable:ObservableRelationship',
    'uco-core:source': ref(source),
    'uco-core:target': ref(target),
    'uco-core:kindOfRelationship': kind,
    'uco-core:isDirectional': true,
  };
}

/**
 * The image, its segments, partitions and file systems, and the E01 acquisition and verification,
 * pushed onto the graph; returns each file system's volume label (the first component of its
 * files' paths) and node id.
 */
function imageNodes(ex: ExhibitData, graph: Node[], id: IdOf, person: (name: string) => string): { label: string; id: string }[] {
  const image = ex.image!;
  const imageId = id('image', ex.label);
  graph.push({
    '@id': imageId,
    '@type': 'uco-observable:Image',
    'uco-core:name': `Image of exhibit ${ex.label}`,
    'uco-core:hasFacet': [{ '@id': id('image-facet', ex.label), '@type': 'uco-observable:ImageFacet', 'uco-observable:imageType': image.format }],
  });
  const segments = image.segments.map((s, i) => {
    const sid = id('segment', `${ex.label}\u0000${i}`);
    graph.push({
      '@id': sid,
      '@type': 'uco-observable:File',
      'uco-core:hasFacet': [
        {
          '@id': id('segment-file-facet', `${ex.label}\u0000${i}`), '@type': 'uco-observable:FileFacet',
          'uco-observable:fileName': s.path.slice(s.path.lastIndexOf('/') + 1), 'uco-observable:filePath': s.path, 'uco-observable:sizeInBytes': s.size,
        },
        {
          '@id': id('segment-content-facet', `${ex.label}\u0000${i}`), '@type': 'uco-observable:ContentDataFacet',
          'uco-observable:sizeInBytes': s.size,
          'uco-observable:hash': [['MD5', s.md5], ['SHA256', s.sha256]].map(([method, value]) => ({
            '@id': id('segment-hash', `${ex.label}\u0000${i}\u0000${method}`), '@type': 'uco-types:Hash',
            'uco-types:hashMethod': hashMethod(method!), 'uco-types:hashValue': hexBinary(value!),
          })),
        },
      ],
    });
    graph.push(relationship(id, imageId, sid, 'Contained_Within'));
    return sid;
  });
  const out: { label: string; id: string }[] = [];
  for (const vol of image.layout?.volumes ?? []) {
    let parent = imageId;
    if (vol.partition) {
      const pid = id('partition', `${ex.label}\u0000${vol.partition.addr}`);
      if (!graph.some((n) => n['@id'] === pid)) {
        const sector = image.layout!.sectorSize;
        graph.push({
          '@id': pid,
          '@type': 'uco-observable:DiskPartition',
          'uco-core:hasFacet': [{
            '@id': id('partition-facet', `${ex.label}\u0000${vol.partition.addr}`), '@type': 'uco-observable:DiskPartitionFacet',
            'uco-observable:diskPartitionType': vol.partition.desc, 'uco-observable:partitionID': String(vol.partition.slot),
            'uco-observable:partitionOffset': vol.offset, 'uco-observable:partitionLength': vol.partition.length * sector,
          }],
        });
        graph.push(relationship(id, pid, imageId, 'Contained_Within'));
      }
      parent = pid;
    }
    if (vol.fsType === null) continue;
    const fid = id('filesystem', `${ex.label}\u0000${vol.index}`);
    graph.push({
      '@id': fid,
      '@type': 'uco-observable:FileSystem',
      'uco-core:name': vol.label,
      'uco-core:hasFacet': [{ '@id': id('filesystem-facet', `${ex.label}\u0000${vol.index}`), '@type': 'uco-observable:FileSystemFacet', 'uco-observable:fileSystemType': vol.fsType }],
    });
    graph.push(relationship(id, fid, parent, 'Contained_Within'));
    out.push({ label: vol.label, id: fid });
  }
  const v = image.verification;
  if (v) {
    const vid = id('verification', ex.label);
    const nid = id('verification-result', ex.label);
    graph.push({
      '@id': nid,
      '@type': 'uco-core:Annotation',
      'uco-core:object': [ref(imageId)],
      'uco-core:statement': `E01 verification ${v.status}: ${v.message}`,
      'uco-core:tag': ['verification', `verification:${v.status}`],
    });
    const checker = namedTool(graph, id, v.tool);
    graph.push({
      '@id': vid,
      '@type': 'case-investigation:InvestigativeAction',
      'uco-core:name': 'verification',
      'uco-core:description': `Check of exhibit ${ex.label}'s E01 against the hashes stored at acquisition`,
      'uco-action:instrument': ref(checker),
      'uco-action:object': segments.map(ref),
      'uco-action:result': [ref(nid)],
      'uco-core:hasFacet': [
        ['storedMD5', v.stored.md5], ['storedSHA1', v.stored.sha1], ['computedMD5', v.computed.md5], ['computedSHA1', v.computed.sha1],
        ['damagedSectors', v.sectorErrors.map((r) => `${r.first}-${r.last}`).join(', ') || null],
      ].filter(([, value]) => value).map(([k, value]) => ({
        '@id': id('argument', `${vid}\u0000${k}`), '@type': 'uco-action:ActionArgumentFacet', 'uco-action:argumentName': k!, 'uco-action:value': value!,
      })),
    });
  }
  const a = image.acquisition;
  if (a) {
    const detail = [
      a.caseNumber && `case number ${a.caseNumber}`, a.evidenceNumber && `evidence number ${a.evidenceNumber}`, a.description,
      a.acquisitionDate && `acquired ${a.acquisitionDate}`, a.notes,
    ].filter(Boolean).join('; ');
    graph.push({
      '@id': id('acquisition', ex.label),
      '@type': 'case-investigation:InvestigativeAction',
      'uco-core:name': 'acquisition',
      'uco-core:description': `Acquisition of exhibit ${ex.label} as recorded in the E01${detail ? `: ${detail}` : ''}`,
      ...(a.examiner ? { 'uco-action:performer': ref(person(a.examiner)) } : {}),
      ...(a.acquisitionSoftware ? { 'uco-action:instrument': ref(namedTool(graph, id, a.acquisitionSoftware)) } : {}),
      'uco-action:result': [ref(imageId)],
    });
  }
  return out;
}

/** A tool other than Kestrel (ewfverify, the imager that made an E01), named as it names itself. */
function namedTool(graph: Node[], id: IdOf, name: string): string {
  const tid = id('external-tool', name);
  if (!graph.some((n) => n['@id'] === tid)) graph.push({ '@id': tid, '@type': 'uco-tool:Tool', 'uco-core:name': name });
  return tid;
}

function matchStatement(m: MatchData): string {
  const cat = m.category !== null && m.scheme ? `; the list gives category ${m.category} in scheme ${m.scheme}` : '';
  const variant = m.variant ? `, variant ${m.variant}` : '';
  return `Matched entry ${m.entry} (${m.algorithm} ${m.entryHash}) of ${m.list}${m.listVersion ? ` version ${m.listVersion}` : ''} by ${m.algorithm} at distance ${m.distance} (threshold ${m.threshold}${variant})${cat}`;
}

function methodParameters(methods: Method[]): Record<string, string> {
  const out: Record<string, string> = {};
  if (methods.length) out['algorithms'] = methods.map((m) => m.algorithm).join(', ');
  for (const m of methods) Object.assign(out, m.parameters);
  return out;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** A name-based UUID (RFC 4122 version 5 layout over SHA-1) so identifiers are stable across exports. */
export function stableUuid(name: string): string {
  const h = createHash('sha1').update(name, 'utf8').digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
