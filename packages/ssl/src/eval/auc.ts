/**
 * ROC AUC as the Mann–Whitney U statistic (Hanley & McNeil 1982): the probability that a random
 * positive scores above a random negative, ties counting ½. Computed from average ranks in
 * O(n log n).
 * @param scores [n] higher = more likely positive
 * @param labels [n] 1/true = positive, 0/false = negative
 */
export function aucMannWhitney(scores: ArrayLike<number>, labels: ArrayLike<number | boolean>): number {
  const n = scores.length;
  if (labels.length !== n) throw new AucError(`${n} scores but ${labels.length} labels`);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i])) throw new AucError(`score ${i} is NaN`);
  }
  order.sort((a, b) => scores[a]! - scores[b]!);
  let rankSumPos = 0;
  let nPos = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const avgRank = (i + j) / 2 + 1; // ranks i+1 … j+1 share their mean
    for (let t = i; t <= j; t++) {
      if (isPositive(labels[order[t]!]!)) {
        rankSumPos += avgRank;
        nPos++;
      }
    }
    i = j + 1;
  }
  const nNeg = n - nPos;
  if (nPos === 0 || nNeg === 0) {
    throw new AucError(`AUC needs both classes; got ${nPos} positives and ${nNeg} negatives`);
  }
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

export class AucError extends Error {
  override name = 'AucError';
}

export function isPositive(label: number | boolean): boolean {
  if (label === true || label === 1) return true;
  if (label === false || label === 0) return false;
  throw new AucError(`labels must be 0/1 or booleans, got ${String(label)}`);
}
