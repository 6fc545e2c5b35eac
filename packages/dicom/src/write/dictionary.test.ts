import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DICTIONARY } from './dictionary.js';
import { python } from './testing/referenceTools.js';

test('every keyword, tag and VR of the writer dictionary agrees with pydicom\'s PS3.6 dictionary', () => {
  const entries = Object.entries(DICTIONARY).map(([k, [tag, vr]]) => [k, tag, vr]);
  const out = python(
    'import json,sys\nfrom pydicom.datadict import dictionary_VR, keyword_for_tag\n' +
      'print(json.dumps([[keyword_for_tag(t), dictionary_VR(t)] for _, t, _ in json.load(sys.stdin)]))',
    JSON.stringify(entries),
  );
  const reference = JSON.parse(out) as [string, string][];
  entries.forEach(([keyword, , vr], i) => {
    const [refKeyword, refVr] = reference[i]!;
    assert.equal(keyword, refKeyword, `keyword of ${keyword}`);
    // pydicom lists the alternatives ("OB or OW", "US or SS"); ours must be one of them.
    assert.ok(refVr.split(' or ').includes(vr as string), `${keyword}: ${vr} vs pydicom ${refVr}`);
  });
});
