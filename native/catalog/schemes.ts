/**
 * Category schemes. A category number means nothing without its scheme (DHS CAT-0 and CAT-5 mean the
 * opposite of what their numbers suggest next to VIC US 0), so every stored category carries its
 * scheme and categories are never compared across schemes.
 */
export type SchemeId = 'vic-us' | 'dhs' | 'caid-uk' | 'custom';

export interface CategoryDef {
  /** The code as stored and exported, e.g. '1', 'CAT-2', 'A'. */
  code: string;
  label: string;
  /** True where the category marks material of concern (drives alert colouring, never matching). */
  alert: boolean;
}

export interface Scheme {
  id: SchemeId;
  name: string;
  categories: readonly CategoryDef[];
}

export const SCHEMES: Readonly<Record<SchemeId, Scheme>> = {
  'vic-us': {
    id: 'vic-us',
    name: 'Project VIC (US)',
    categories: [
      { code: '0', label: 'Non-pertinent', alert: false },
      { code: '1', label: 'Child abuse material', alert: true },
      { code: '2', label: 'Child exploitive (non-CAM) / age difficult', alert: true },
      { code: '3', label: 'CGI / animation', alert: true },
      { code: '4', label: 'Comparison images', alert: false },
    ],
  },
  dhs: {
    id: 'dhs',
    name: 'DHS (legacy CAT-0..5)',
    categories: [
      { code: 'CAT-0', label: 'Uncategorised', alert: false },
      { code: 'CAT-1', label: 'Child abuse material (prepubescent)', alert: true },
      { code: 'CAT-2', label: 'Child abuse material (pubescent)', alert: true },
      { code: 'CAT-3', label: 'Child exploitive / age difficult', alert: true },
      { code: 'CAT-4', label: 'Adult pornography', alert: false },
      { code: 'CAT-5', label: 'Non-pertinent', alert: false },
    ],
  },
  'caid-uk': {
    id: 'caid-uk',
    name: 'CAID (UK)',
    categories: [
      { code: 'A', label: 'Category A', alert: true },
      { code: 'B', label: 'Category B', alert: true },
      { code: 'C', label: 'Category C', alert: true },
      { code: 'N', label: 'Not indecent', alert: false },
    ],
  },
  custom: { id: 'custom', name: 'Custom', categories: [] },
};

export function isSchemeId(s: string): s is SchemeId {
  return Object.prototype.hasOwnProperty.call(SCHEMES, s);
}

/** The definition of a category in its scheme, or undefined when the code is not one of its codes. */
export function findCategory(scheme: SchemeId, code: string): CategoryDef | undefined {
  return SCHEMES[scheme].categories.find((c) => c.code === code);
}
