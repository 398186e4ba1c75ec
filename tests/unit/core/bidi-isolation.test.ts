import { describe, expect, it } from 'vitest';
import { balanceBidi, isolateHtml, isolatePlain } from '../../../services/core/bidi-isolation.js';

const LRI = '\u2066';
const RLI = '\u2067';
const PDI = '\u2069';
const RLO = '\u202E';

describe('balanceBidi', () => {
  it('leaves ordinary text, overrides and paired isolates as they are', () => {
    for (const text of ['Eve', `Eve ${RLO}evil`, `a ${RLI}b${PDI} c`, 'שלום Eve', '']) {
      expect(balanceBidi(text)).toBe(text);
    }
  });

  it('drops an isolate end that closes nothing, which would close the <bdi> around it', () => {
    expect(balanceBidi(`eve${PDI}${RLO}dnah`)).toBe(`eve${RLO}dnah`);
    expect(balanceBidi(`a${RLI}b${PDI}${PDI}${RLO}c`)).toBe(`a${RLI}b${PDI}${RLO}c`);
  });

  it('closes isolates left open, at the end and before a line break', () => {
    expect(balanceBidi(`a${LRI}b`)).toBe(`a${LRI}b${PDI}`);
    expect(balanceBidi(`a${RLI}b\n${PDI}${RLO}c`)).toBe(`a${RLI}b${PDI}\n${RLO}c`);
  });
});

describe('isolating public text', () => {
  it('in HTML: escaped inside its own <bdi>', () => {
    expect(isolateHtml(`<b>Eve</b>${PDI}`)).toBe('<bdi>&lt;b>Eve&lt;/b></bdi>');
  });

  it('in plain text: between FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE', () => {
    expect(isolatePlain(`${PDI}${RLO}Eve`)).toBe(`\u2068${RLO}Eve${PDI}`);
  });
});
