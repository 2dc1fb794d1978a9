import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import jsonld from 'jsonld';
import { exportPackage, makeTestCase, type TestCase } from './fixture.js';

interface Vocabulary { classes: string[]; properties: string[]; datatypes: string[]; hashNameVocab: string[] }
const vocabulary = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'uco-case-terms.json'), 'utf8')) as Vocabulary;

const RDF_TYPE = '@type';
type Expanded = Record<string, unknown>[];

let tc: TestCase;
let doc: { '@context': Record<string, string>; '@graph': Record<string, unknown>[] };
let expanded: Expanded;

/** No remote context may be fetched: the check runs offline, as Kestrel does. */
const offlineLoader = (url: string): Promise<never> => Promise.reject(new Error(`refusing to fetch ${url}: the check is offline`));

beforeAll(async () => {
  tc = makeTestCase();
  const pkg = exportPackage(tc.caseDir);
  doc = JSON.parse(readFileSync(join(pkg.out, 'findings.case-uco.jsonld'), 'utf8')) as typeof doc;
  expanded = (await jsonld.expand(doc as jsonld.JsonLdDocument, { documentLoader: offlineLoader as never, safe: true } as jsonld.Options.Expand)) as unknown as Expanded;
});

/** Every node (top level and nested) of an expanded JSON-LD document. */
function nodes(value: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(value)) for (const v of value) nodes(v, out);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (!('@value' in o)) out.push(o);
    for (const [k, v] of Object.entries(o)) if (k !== '@value') nodes(v, out);
  }
  return out;
}

describe('CASE/UCO export', () => {
  it('is JSON-LD that expands offline without losing a term (safe mode fails on any term it cannot map)', () => {
    expect(expanded.length).toBe(doc['@graph'].length);
    const compactKeys = nodes(doc['@graph']).flatMap((n) => Object.keys(n).filter((k) => !k.startsWith('@')));
    const expandedKeys = nodes(expanded).flatMap((n) => Object.keys(n).filter((k) => !k.startsWith('@')));
    expect(expandedKeys.length).toBe(compactKeys.length);
  });

  it('uses only classes, properties and datatypes that exist in the UCO and CASE vocabularies', () => {
    const classes = new Set(vocabulary.classes);
    const properties = new Set(vocabulary.properties);
    const datatypes = new Set(vocabulary.datatypes);
    const all = nodes(expanded);
    const usedTypes = new Set(all.flatMap((n) => (n[RDF_TYPE] as string[] | undefined) ?? []));
    const usedProps = new Set(all.flatMap((n) => Object.keys(n).filter((k) => !k.startsWith('@'))));
    const usedDatatypes = new Set<string>();
    const walk = (v: unknown) => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if ('@value' in o && typeof o['@type'] === 'string') usedDatatypes.add(o['@type']);
        Object.values(o).forEach(walk);
      }
    };
    walk(expanded);
    expect(usedTypes.size).toBeGreaterThan(8);
    expect([...usedTypes].filter((t) => !classes.has(t))).toEqual([]);
    expect([...usedProps].filter((p) => !properties.has(p))).toEqual([]);
    expect([...usedDatatypes].filter((d) => !datatypes.has(d))).toEqual([]);
  });

  it('declares the CASE version it is written to: a Bundle with uco-core:specVersion enclosing every other object', () => {
    const bundles = doc['@graph'].filter((n) => n['@type'] === 'uco-core:Bundle');
    expect(bundles).toHaveLength(1);
    const bundle = bundles[0]!;
    expect(bundle['uco-core:specVersion']).toBe('CASE 1.4.0');
    const enclosed = (bundle['uco-core:object'] as { '@id': string }[]).map((r) => r['@id']);
    expect(new Set(enclosed)).toEqual(new Set(doc['@graph'].filter((n) => n !== bundle).map((n) => n['@id'])));
    // specVersion as its IRI in the expanded graph: the term maps to UCO core, not to a local word.
    const expandedBundle = expanded.find((n) => (n['@type'] as string[]).includes('https://ontology.unifiedcyberontology.org/uco/core/Bundle'))!;
    expect(expandedBundle['https://ontology.unifiedcyberontology.org/uco/core/specVersion']).toEqual([{ '@value': 'CASE 1.4.0' }]);
  });

  it('has no blank nodes, and every identifier ends in a UUID, as UCO asks', () => {
    const ids = nodes(expanded).filter((n) => Object.keys(n).some((k) => k !== '@id')).map((n) => n['@id']);
    expect(ids.every((id) => typeof id === 'string' && /[0-9a-f]{8}-[0-9a-f]{4}-[0-5][0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('describes each place a finding was found as a File with its path and its content hashes', () => {
    const files = doc['@graph'].filter((n) => n['@type'] === 'uco-observable:File');
    expect(files).toHaveLength(5);
    const sha = tc.orig;
    const withOrig = files.filter((f) => JSON.stringify(f).includes(sha));
    expect(withOrig).toHaveLength(2);
    const facets = withOrig[0]!['uco-core:hasFacet'] as Record<string, unknown>[];
    const content = facets.find((f) => f['@type'] === 'uco-observable:ContentDataFacet')!;
    const hashes = content['uco-observable:hash'] as Record<string, { '@value': string } | string>[];
    const methods = hashes.map((h) => (typeof h['uco-types:hashMethod'] === 'string' ? h['uco-types:hashMethod'] : h['uco-types:hashMethod']!['@value']));
    expect(methods).toEqual(expect.arrayContaining(['MD5', 'SHA1', 'SHA256']));
    for (const m of methods.filter((x) => ['MD5', 'SHA1', 'SHA256'].includes(x))) expect(vocabulary.hashNameVocab).toContain(m);
    expect(methods).toEqual(expect.arrayContaining(['PDQ', 'blockhash']));
    // UCO 1.4.0's shapes warn on any hashMethod not typed xsd:string, vocabulary names included.
    for (const h of hashes) expect(h['uco-types:hashMethod']).toMatchObject({ '@type': 'xsd:string' });
    const sha256Hash = hashes.find((h) => JSON.stringify(h).includes('SHA256'))!;
    expect((sha256Hash['uco-types:hashValue'] as { '@value': string })['@value']).toBe(sha);
  });

  it('records intake and categorisation as investigative actions with performer, instrument and results', () => {
    const actions = doc['@graph'].filter((n) => n['@type'] === 'case-investigation:InvestigativeAction');
    const names = actions.map((a) => a['uco-core:name']).sort();
    expect(names).toEqual(['categorisation', 'categorisation', 'intake']);
    const intake = actions.find((a) => a['uco-core:name'] === 'intake')!;
    expect((intake['uco-action:result'] as unknown[]).length).toBe(5);
    const args = (intake['uco-core:hasFacet'] as Record<string, string>[]).map((f) => `${f['uco-action:argumentName']}=${f['uco-action:value']}`);
    expect(args).toContain('algorithms=MD5, SHA-1, SHA-256');
    const byId = new Map(doc['@graph'].map((n) => [n['@id'], n]));
    const performer = byId.get((intake['uco-action:performer'] as { '@id': string })['@id'])!;
    expect(performer['@type']).toBe('uco-identity:Person');
    const instrument = byId.get((intake['uco-action:instrument'] as { '@id': string })['@id'])!;
    expect(instrument['uco-tool:version']).toMatch(/^\d+\.\d+\.\d+/);
    const provenance = doc['@graph'].filter((n) => n['@type'] === 'case-investigation:ProvenanceRecord');
    expect(provenance.map((p) => p['case-investigation:exhibitNumber'])).toEqual(['EX-01']);
    const annotations = doc['@graph'].filter((n) => n['@type'] === 'uco-core:Annotation');
    expect(annotations.map((a) => a['uco-core:statement']).join('\n')).toMatch(/Category 1 \(Child abuse material\) in scheme vic-us, decided by DC Jane Roe/);
  });
});
