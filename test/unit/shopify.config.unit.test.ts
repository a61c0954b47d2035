import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/app/config.js';

describe('ORDERLY_SHOPIFY_SECRET', () => {
  it('enables the Shopify channel with the secret as given', () => {
    expect(loadConfig({ ORDERLY_SHOPIFY_SECRET: 'shpss_0123abc' }).shopifySecret).toBe('shpss_0123abc');
    expect(loadConfig({}).shopifySecret).toBeUndefined();
    expect('shopifySecret' in loadConfig({})).toBe(false);
  });

  it.each(['', '   ', 'shpss_abc\n', ' shpss_abc'])('refuses %j: an empty key lets anyone sign; whitespace refuses every webhook', (secret) => {
    expect(() => loadConfig({ ORDERLY_SHOPIFY_SECRET: secret })).toThrow(/ORDERLY_SHOPIFY_SECRET/);
  });
});
