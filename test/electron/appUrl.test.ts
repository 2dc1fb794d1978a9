import { describe, expect, it } from 'vitest';
import { appRequestPath } from '../../electron/main/appUrl.js';

describe('kestrel://app request paths', () => {
  it('decodes the path of the app host', () => {
    expect(appRequestPath('kestrel://app/')).toBe('');
    expect(appRequestPath('kestrel://app/assets/index-1.js')).toBe('assets/index-1.js');
    expect(appRequestPath('kestrel://app/thumb/12')).toBe('thumb/12');
    expect(appRequestPath('kestrel://app/a%20b.png')).toBe('a b.png');
  });

  it('answers null (404), never throws, for malformed escapes, NUL bytes and other hosts', () => {
    for (const url of ['kestrel://app/%', 'kestrel://app/%E0%A4%A', 'kestrel://app/assets/%zz.js', 'kestrel://app/a%00.png', 'kestrel://evil/index.html', 'not a url']) {
      expect(() => appRequestPath(url), url).not.toThrow();
      expect(appRequestPath(url), url).toBeNull();
    }
  });
});
