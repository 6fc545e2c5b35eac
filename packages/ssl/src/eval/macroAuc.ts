import { aucMannWhitney, AucError } from './auc.js';

/**
 * One-vs-rest ROC AUC per class and their unweighted mean (macro average, as scikit-learn's
 * `roc_auc_score(multi_class='ovr', average='macro')`). Classes absent from `labels` (or present
 * in every row) have no AUC and are left out of the mean.
 * @param scores [M×C] row-major class scores (e.g. probabilities)
 * @param labels [M] class indices in [0, C)
 */
export function macroAuc(scores: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): { perClass: (number | null)[]; macro: number } {
  const m = labels.length;
  if (scores.length !== m * numClasses) throw new AucError(`${scores.length} scores for ${m} rows × ${numClasses} classes`);
  const perClass: (number | null)[] = [];
  for (let c = 0; c < numClasses; c++) {
    const s = new Float64Array(m);
    const y = new Uint8Array(m);
    let pos = 0;
    for (let i = 0; i < m; i++) {
      s[i] = scores[i * numClasses + c]!;
      y[i] = labels[i] === c ? 1 : 0;
      pos += y[i]!;
    }
    perClass.push(pos === 0 || pos === m ? null : aucMannWhitney(s, y));
  }
  const defined = perClass.filter((a): a is number => a !== null);
  if (defined.length === 0) throw new AucError('no class has both positives and negatives: macro AUC is undefined');
  return { perClass, macro: defined.reduce((a, b) => a + b, 0) / defined.length };
}
