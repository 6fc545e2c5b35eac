/**
 * Per-sample weights that balance classes: w_i = N / (C · n_{y_i}), so every class carries the
 * same total weight and the mean weight is 1 (sklearn's class_weight='balanced').
 * @param labels [N] class indices in [0, numClasses)
 * @returns [N] weights
 */
export function balancedSampleWeights(labels: Int32Array, numClasses: number): Float32Array {
  const counts = new Float64Array(numClasses);
  for (const l of labels) counts[l]!++;
  const present = counts.filter((c) => c > 0).length;
  return Float32Array.from(labels, (l) => labels.length / (present * counts[l]!));
}
