import type { CategoryDef, SchemeId } from '../electron/api/index.js';

/** The schemes an examiner can choose for a case, as the case and settings forms offer them. */
export const SCHEME_CHOICES: readonly { id: SchemeId; name: string }[] = [
  { id: 'vic-us', name: 'Project VIC (US): 0–4' },
  { id: 'dhs', name: 'DHS legacy: CAT-0 – CAT-5' },
  { id: 'caid-uk', name: 'CAID (UK): A, B, C, N' },
];

/**
 * The keyboard key for each category of the case's scheme: the digit in the code where it has one
 * (VIC 0–4, DHS CAT-0–5), otherwise its position from 1 (CAID A=1, B=2, C=3, N=4).
 */
export function categoryKeys(categories: readonly CategoryDef[]): { key: string; category: CategoryDef }[] {
  const digits = categories.every((c) => /^(CAT-)?\d$/.test(c.code));
  return categories.map((category, i) => ({ key: digits ? category.code.slice(-1) : String(i + 1), category }));
}

export function categoryLabel(categories: readonly CategoryDef[], code: string | null): string {
  if (code === null) return 'Uncategorised';
  const c = categories.find((x) => x.code === code);
  return c ? `${c.code} · ${c.label}` : code;
}

/**
 * What a tile says about an item's decision: its category in the case's scheme, else a decision
 * kept from a scheme the case no longer uses, with that scheme ("1 (vic-us)"), else none.
 */
export function decisionText(category: string | null, otherScheme: { category: string; scheme: string } | null): string | null {
  if (category !== null) return category;
  return otherScheme ? `${otherScheme.category} (${otherScheme.scheme})` : null;
}

export function isAlert(categories: readonly CategoryDef[], code: string | null): boolean {
  return code !== null && categories.some((c) => c.code === code && c.alert);
}
