import { Rng } from './prng.js';

/**
 * Patient-level train/test split: every image of a patient lands on the same side. Patients
 * with and without any anomaly are split separately, so both sides keep the site's prevalence.
 * @returns the set of patient keys that go to test.
 */
export function splitPatients(patients: ReadonlyMap<string, boolean>, testFraction: number, seed: number): Set<string> {
  if (!(testFraction > 0 && testFraction < 1)) throw new RangeError(`test fraction must be in (0, 1), got ${testFraction}`);
  const test = new Set<string>();
  for (const positive of [true, false]) {
    const keys = [...patients].filter(([, p]) => p === positive).map(([k]) => k).sort();
    const rng = Rng.for(seed, 'split', positive ? 'positive' : 'negative');
    for (let i = keys.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [keys[i], keys[j]] = [keys[j]!, keys[i]!];
    }
    const n = Math.round(keys.length * testFraction);
    for (const k of keys.slice(0, n)) test.add(k);
  }
  return test;
}
