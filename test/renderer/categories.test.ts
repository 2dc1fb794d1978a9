import { describe, expect, it } from 'vitest';
import { SCHEMES } from '../../native/catalog/schemes.js';
import { categoryKeys, isAlert } from '../../renderer/categories.js';

describe('keyboard categories', () => {
  const keys = (scheme: keyof typeof SCHEMES) => categoryKeys(SCHEMES[scheme].categories).map((k) => [k.key, k.category.code]);

  it('uses the digit in the code where the scheme has one', () => {
    expect(keys('vic-us')).toEqual([['0', '0'], ['1', '1'], ['2', '2'], ['3', '3'], ['4', '4']]);
    expect(keys('dhs')).toEqual([['0', 'CAT-0'], ['1', 'CAT-1'], ['2', 'CAT-2'], ['3', 'CAT-3'], ['4', 'CAT-4'], ['5', 'CAT-5']]);
  });

  it('numbers letter codes from 1 in the scheme order', () => {
    expect(keys('caid-uk')).toEqual([['1', 'A'], ['2', 'B'], ['3', 'C'], ['4', 'N']]);
  });

  it('colours as alert only the categories the scheme marks, never across schemes', () => {
    expect(isAlert(SCHEMES['vic-us'].categories, '1')).toBe(true);
    expect(isAlert(SCHEMES['vic-us'].categories, '4')).toBe(false);
    expect(isAlert(SCHEMES['dhs'].categories, '1')).toBe(false);
    expect(isAlert(SCHEMES['dhs'].categories, 'CAT-5')).toBe(false);
    expect(isAlert(SCHEMES['vic-us'].categories, null)).toBe(false);
  });
});
