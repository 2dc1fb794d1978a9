import { createHash } from 'node:crypto';
import type { Finding, Instance, MatchData, Method, PackageData } from './collect.js';
import { TOOL_NAME, TOOL_VERSION } from '../util/version.js';
import { compareText } from './manifest.js';

/**
 * The findings as CASE/UCO JSON-LD: each place a finding was found is an observable:File with a
 * FileFacet (name, path, times, size) and a ContentDataFacet carrying its hashes (MD5, SHA1,
 * SHA256 from UCO's hash vocabulary; PDQ and blockhash as free-text hash methods, which UCO allows).
 * Provenance: intake, matching and categorisation are investigation:InvestigativeActions naming
 * their performer, their instrument (Kestrel at a version) and their parameters (algorithms,
 * thresholds) as ActionArgumentFacets; each exhibit is an investigation:ProvenanceRecord.
 * Match evidence and categories are core:Annotations on the files.
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
      'uco-core:object': objects.map(ref),
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
  return { '@context': { kb, ...UCO_CONTEXT }, '@graph': graph };
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
    // UCO 1.4 takes a HashNameVocab member or any xsd:string: PDQ and blockhash are not in the
    // vocabulary, so they are typed xsd:string explicitly rather than left as untyped literals.
    'uco-types:hashMethod': method === 'PDQ' || method === 'blockhash'
      ? { '@type': 'xsd:string', '@value': method! }
      : { '@type': 'uco-vocabulary:HashNameVocab', '@value': method! },
    'uco-types:hashValue': hexBinary(value!),
  }));
  const name = inst.pathText.slice(inst.pathText.lastIndexOf('/') + 1);
  return {
    '@id': fid,
    '@type': 'uco-observable:File',
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
